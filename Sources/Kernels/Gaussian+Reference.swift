import ImagingCore

extension Gaussian {
    /// Scalar twin of the 8-bit blurs: the exact 2-D fixed-point sum Σ wᵢ wⱼ p, rounded once.
    /// - Parameters: src: gray8; size: odd; sigma: as ``blur(_:sigma:size:border:threads:)-(PixelBuffer,_,_,_,_)``.
    public static func blurReference(_ src: PixelBuffer, sigma: Double, size: Int,
                                     border: BorderMode = .reflect101) -> PixelBuffer {
        let k = fixedPointKernel(size: size, sigma: sigma).map(Int.init)
        let r = size / 2
        var out = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        for y in 0..<src.height {
            for x in 0..<src.width {
                var total = 0
                for j in 0..<size {
                    for i in 0..<size {
                        if let yy = border.index(y + j - r, count: src.height),
                           let xx = border.index(x + i - r, count: src.width) {
                            total += k[j] * k[i] * Int(src[xx, yy])
                        }
                    }
                }
                out[x, y] = UInt8((total + 32768) >> 16)
            }
        }
        return out
    }

    /// Scalar twin of the float blurs, accumulating in `Double`.
    /// - Parameters: src: float image; size: odd kernel size.
    public static func blurReference(_ src: FloatImage, sigma: Double, size: Int,
                                     border: BorderMode = .reflect101) -> FloatImage {
        let k = kernel(size: size, sigma: sigma)
        let r = size / 2, w = src.width, h = src.height
        var vertical = [Double](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var t = 0.0
                for j in 0..<size {
                    if let yy = border.index(y + j - r, count: h) { t += k[j] * Double(src[x, yy]) }
                }
                vertical[y * w + x] = t
            }
        }
        var out = FloatImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                var t = 0.0
                for i in 0..<size {
                    if let xx = border.index(x + i - r, count: w) { t += k[i] * vertical[y * w + xx] }
                }
                out[x, y] = Float(t)
            }
        }
        return out
    }
}

extension FloatImage {
    /// The gray8 image as floats (0…255), for float kernels and tests.
    public init(_ src: PixelBuffer) {
        precondition(src.format == .gray8, "float conversion takes gray8")
        self.init(width: src.width, height: src.height)
        for y in 0..<src.height { for x in 0..<src.width { self[x, y] = Float(src[x, y]) } }
    }
}
