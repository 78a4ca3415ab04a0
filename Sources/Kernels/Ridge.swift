import Foundation
import ImagingCore

/// The response of ``Ridge/hessian(_:sigma:orientation:border:threads:)``.
public struct RidgeResponse: Sendable {
    /// Largest Hessian eigenvalue per pixel: large and positive on thin dark lines (valleys), negative on
    /// bright ones. (H, W) float.
    public var strength: FloatImage
    /// Direction along the line, radians in [0, π) (0 = horizontal, y down), or nil when not asked for.
    public var orientation: FloatImage?
}

/// An oriented ridge filter for thin dark lines: eigenvalues of the Hessian of the Gaussian-smoothed image.
///
/// Smoothing is a float Gaussian of `sigma` (kernel size `round(8σ + 1) | 1`, OpenCV's float rule); the
/// second derivatives are OpenCV's 3x3 Sobel stencils on the smoothed image (dxx: (1, −2, 1) across times
/// (1, 2, 1) along, dxy: (−1, 0, 1) ⊗ (−1, 0, 1)), all fused in one pass over the image.
public enum Ridge {
    /// - Parameters: src: (H, W) gray8; sigma: Gaussian sigma (> 0, matched to the line half-width);
    ///   orientation: also compute the line direction; border: edge rule for blur and derivatives
    ///   (constant = 0); threads: ≥ 1.
    /// - Returns: strength λ = ½(dxx + dyy + √((dxx − dyy)² + 4dxy²)) and, if asked, orientation.
    public static func hessian(_ src: PixelBuffer, sigma: Double = 2, orientation: Bool = true,
                               border: BorderMode = .reflect101, threads: Int = 1) -> RidgeResponse {
        var strength = FloatImage(width: src.width, height: src.height)
        var angle: FloatImage? = orientation ? FloatImage(width: src.width, height: src.height) : nil
        hessian(src, strength: &strength, orientation: &angle, sigma: sigma, border: border, threads: threads)
        return RidgeResponse(strength: strength, orientation: angle)
    }

    /// As ``hessian(_:sigma:orientation:border:threads:)`` into existing (H, W) planes with the default
    /// stride; `orientation` nil skips the angle.
    public static func hessian(_ src: PixelBuffer, strength: inout FloatImage, orientation: inout FloatImage?,
                               sigma: Double = 2, border: BorderMode = .reflect101, threads: Int = 1) {
        precondition(src.format == .gray8, "ridge takes gray8")
        precondition(strength.width == src.width && strength.height == src.height, "strength size")
        precondition(orientation.map { $0.width == src.width && $0.height == src.height && $0.rowStride == strength.rowStride } ?? true,
                     "orientation size")
        guard src.width > 0 && src.height > 0 else { return }
        let w = src.width, h = src.height, os = strength.rowStride
        let k = Gaussian.kernel(size: Gaussian.kernelSize(sigma: sigma, eightBit: false), sigma: sigma).map { Float($0) }
        let blur = SeparableFloatBlur(kernel: k, width: w, height: h, border: border)
        var angles = orientation ?? FloatImage(width: 0, height: 0)
        let wantAngle = orientation != nil
        let dummy = unsafe ScratchRows<Float>(count: 1, width: w, value: 0)
        defer { unsafe dummy.release() }
        unsafe src.readPixels { s in
            unsafe strength.writeValues { st in
                unsafe angles.values.withUnsafeMutableBufferPointer { ab in
                    let an = ab.baseAddress
                    Parallelism.forEachBand(rows: h, threads: threads) { rows in
                        var state = unsafe blur.makeState()
                        let smooth = unsafe ScratchRows<Float>(count: 4, width: w + 2, value: 0)   // slot 3: zero row
                        defer { unsafe state.release(); unsafe smooth.release() }
                        var tags = [-1, -1, -1]
                        func blurred(_ j: Int) -> UnsafePointer<Float> {
                            guard let m = border.index(j, count: h) else { return unsafe UnsafePointer(smooth(3) + 1) }
                            let slot = m % 3
                            if tags[slot] != m {
                                unsafe blur.blurRow(m, source: s, stride: src.rowStride, state: &state, into: smooth(slot) + 1)
                                unsafe padInPlace(smooth(slot) + 1, width: w, pad: 1, border: border, value: 0)
                                tags[slot] = m
                            }
                            return unsafe UnsafePointer(smooth(slot) + 1)
                        }
                        for y in rows {
                            let a = unsafe blurred(y - 1), b = unsafe blurred(y), c = unsafe blurred(y + 1)
                            let angleRow = unsafe wantAngle ? an! + y * os : dummy(0)
                            unsafe hessianRow(a, b, c, st + y * os, angleRow, w, wantAngle)
                        }
                    }
                }
            }
        }
        if wantAngle { orientation = angles }
    }

    /// Scalar twin in `Double`: the blur straight from the kernel per pixel, then the same stencils.
    public static func hessianReference(_ src: PixelBuffer, sigma: Double = 2,
                                        border: BorderMode = .reflect101) -> RidgeResponse {
        let w = src.width, h = src.height
        let k = Gaussian.kernel(size: Gaussian.kernelSize(sigma: sigma, eightBit: false), sigma: sigma)
        let r = k.count / 2
        func at(_ x: Int, _ y: Int) -> Double {
            guard let xx = border.index(x, count: w), let yy = border.index(y, count: h) else { return 0 }
            return Double(src[xx, yy])
        }
        var vertical = [Double](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { vertical[y * w + x] = (0..<k.count).reduce(0) { $0 + k[$1] * at(x, y + $1 - r) } } }
        func v(_ x: Int, _ y: Int) -> Double {
            guard let xx = border.index(x, count: w) else { return 0 }
            return vertical[y * w + xx]
        }
        var smooth = [Double](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { smooth[y * w + x] = (0..<k.count).reduce(0) { $0 + k[$1] * v(x + $1 - r, y) } } }
        func f(_ x: Int, _ y: Int) -> Double {
            guard let xx = border.index(x, count: w), let yy = border.index(y, count: h) else { return 0 }
            return smooth[yy * w + xx]
        }
        var strength = FloatImage(width: w, height: h), angle = FloatImage(width: w, height: h)
        for y in 0..<h {
            for x in 0..<w {
                var dxx = 0.0, dyy = 0.0
                for (j, wy) in [(-1, 1.0), (0, 2.0), (1, 1.0)] {
                    dxx += wy * (f(x - 1, y + j) - 2 * f(x, y + j) + f(x + 1, y + j))
                    dyy += wy * (f(x + j, y - 1) - 2 * f(x + j, y) + f(x + j, y + 1))
                }
                let dxy = f(x + 1, y + 1) - f(x - 1, y + 1) - f(x + 1, y - 1) + f(x - 1, y - 1)
                let d = dxx - dyy
                strength[x, y] = Float(0.5 * (dxx + dyy + (d * d + 4 * dxy * dxy).squareRoot()))
                var phi = 0.5 * Foundation.atan2(2 * dxy, d) + Double.pi / 2
                if phi >= Double.pi { phi -= Double.pi }
                angle[x, y] = Float(phi)
            }
        }
        return RidgeResponse(strength: strength, orientation: angle)
    }
}

private func hessianRow(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                        _ out: UnsafeMutablePointer<Float>, _ angle: UnsafeMutablePointer<Float>, _ w: Int,
                        _ wantAngle: Bool) {
    if !wantAngle {
        for x in 0..<w {
            let (dxx, dyy, dxy) = unsafe secondDerivatives(a, b, c, x)
            let d = dxx - dyy
            unsafe out[x] = 0.5 * (dxx + dyy + FastMath.sqrt(d * d + 4 * dxy * dxy))
        }
        return
    }
    for x in 0..<w {
        let (dxx, dyy, dxy) = unsafe secondDerivatives(a, b, c, x)
        let d = dxx - dyy
        unsafe out[x] = 0.5 * (dxx + dyy + FastMath.sqrt(d * d + 4 * dxy * dxy))
        let phi = 0.5 * FastMath.atan2(2 * dxy, d) + 1.5707964
        unsafe angle[x] = phi >= 3.1415927 ? phi - 3.1415927 : phi
    }
}

private func secondDerivatives(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                               _ x: Int) -> (Float, Float, Float) {
    let l = x &- 1, r = x &+ 1
    let a0 = unsafe a[l], a1 = unsafe a[x], a2 = unsafe a[r], b0 = unsafe b[l], b1 = unsafe b[x], b2 = unsafe b[r], c0 = unsafe c[l], c1 = unsafe c[x], c2 = unsafe c[r]
    let dxx = (a0 - 2 * a1 + a2) + 2 * (b0 - 2 * b1 + b2) + (c0 - 2 * c1 + c2)
    let dyy = (a0 + 2 * a1 + a2) - 2 * (b0 + 2 * b1 + b2) + (c0 + 2 * c1 + c2)
    let dxy = (c2 - c0) - (a2 - a0)
    return (dxx, dyy, dxy)
}
