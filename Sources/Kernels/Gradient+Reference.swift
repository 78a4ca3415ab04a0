import ImagingCore

extension Gradient {
    /// Scalar twin of ``derivatives(_:operator:border:threads:)``.
    public static func derivativesReference(_ src: PixelBuffer, operator op: GradientOperator = .sobel,
                                            border: BorderMode = .reflect101) -> (dx: Plane<Int16>, dy: Plane<Int16>) {
        let w = src.width, h = src.height
        let (k1, k2) = (Int(op.weights.outer), Int(op.weights.centre))
        let smooth = [k1, k2, k1]
        var gx = Plane<Int16>(width: w, height: h), gy = Plane<Int16>(width: w, height: h)
        func p(_ x: Int, _ y: Int) -> Int {
            guard let xx = border.index(x, count: w), let yy = border.index(y, count: h) else { return 0 }
            return Int(src[xx, yy])
        }
        for y in 0..<h {
            for x in 0..<w {
                var dx = 0, dy = 0
                for t in -1...1 {
                    dx += smooth[t + 1] * (p(x + 1, y + t) - p(x - 1, y + t))
                    dy += smooth[t + 1] * (p(x + t, y + 1) - p(x + t, y - 1))
                }
                gx[x, y] = Int16(dx)
                gy[x, y] = Int16(dy)
            }
        }
        return (gx, gy)
    }

    /// Scalar twin of ``magnitude(_:operator:norm:border:threads:)``.
    public static func magnitudeReference(_ src: PixelBuffer, operator op: GradientOperator = .sobel,
                                          norm: GradientNorm = .l1, border: BorderMode = .reflect101) -> PixelBuffer {
        let (gx, gy) = derivativesReference(src, operator: op, border: border)
        var out = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        for y in 0..<src.height {
            for x in 0..<src.width {
                let dx = Int(gx[x, y]), dy = Int(gy[x, y])
                let m: Int
                switch norm {
                case .l1:
                    m = (abs(dx) + abs(dy) + 1) / 2
                case .l2:
                    let fx = Float(dx), fy = Float(dy)
                    m = Int((fx * fx + fy * fy).squareRoot() * 0.5 + 0.5)
                }
                out[x, y] = UInt8(min(255, m))
            }
        }
        return out
    }
}
