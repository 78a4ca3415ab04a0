import ImagingCore

/// The 3x3 derivative operator.
public enum GradientOperator: String, Sendable, Hashable, CaseIterable {
    /// Sobel: derivative (-1, 0, 1) times smoothing (1, 2, 1).
    case sobel
    /// Scharr: derivative (-1, 0, 1) times smoothing (3, 10, 3).
    case scharr

    var weights: (outer: Int16, centre: Int16) { self == .sobel ? (1, 2) : (3, 10) }
}

/// How dx and dy combine into one magnitude.
public enum GradientNorm: String, Sendable, Hashable, CaseIterable {
    /// |dx| + |dy|.
    case l1
    /// sqrt(dx² + dy²).
    case l2
}

/// Image derivatives: Sobel and Scharr dx, dy, magnitude and orientation.
public enum Gradient {
    /// dx and dy with OpenCV's `Sobel(src, CV_16S, 1, 0)` / `Scharr` meaning (x to the right, y down).
    /// - Parameters: src: (H, W) gray8; border: edge rule (constant = 0); threads: ≥ 1.
    /// - Returns: two (H, W) Int16 planes; Sobel values lie in ±1020, Scharr in ±4080.
    public static func derivatives(_ src: PixelBuffer, operator op: GradientOperator = .sobel,
                                   border: BorderMode = .reflect101,
                                   threads: Int = 1) -> (dx: Plane<Int16>, dy: Plane<Int16>) {
        precondition(src.format == .gray8, "derivatives take gray8")
        var gx = Plane<Int16>(width: src.width, height: src.height)
        var gy = Plane<Int16>(width: src.width, height: src.height)
        guard src.width > 0 && src.height > 0 else { return (gx, gy) }
        let w = src.width, ps = gx.rowStride
        let (k1, k2) = op.weights
        unsafe gx.writeValues { dxp in
            unsafe gy.writeValues { dyp in
                unsafe forEach3x3Row(src, border: border, threads: threads) { y, a, b, c in
                    unsafe derivativeRow(a, b, c, dxp + y * ps, dyp + y * ps, w, k1, k2)
                }
            }
        }
        return (gx, gy)
    }

    /// Gradient magnitude in 8 bits, in one pass: L1 = min(255, (|dx| + |dy| + 1) / 2),
    /// L2 = min(255, ⌊sqrt(dx² + dy²) / 2 + 0.5⌋) (Float square root).
    /// The L1 form is OpenCV's `addWeighted(convertScaleAbs(dx), 0.5, convertScaleAbs(dy), 0.5)` without
    /// its per-component saturation, with ties rounded up.
    /// - Parameters: src: (H, W) gray8; border: edge rule (constant = 0); threads: ≥ 1.
    /// - Returns: (H, W) gray8.
    public static func magnitude(_ src: PixelBuffer, operator op: GradientOperator = .sobel, norm: GradientNorm = .l1,
                                 border: BorderMode = .reflect101, threads: Int = 1) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        magnitude(src, into: &dst, operator: op, norm: norm, border: border, threads: threads)
        return dst
    }

    /// As ``magnitude(_:operator:norm:border:threads:)`` into an existing (H, W) gray8 buffer.
    public static func magnitude(_ src: PixelBuffer, into dst: inout PixelBuffer, operator op: GradientOperator = .sobel,
                                 norm: GradientNorm = .l1, border: BorderMode = .reflect101, threads: Int = 1) {
        precondition(src.format == .gray8, "magnitude takes gray8")
        checkSameSize(src, dst)
        guard src.width > 0 && src.height > 0 else { return }
        let w = src.width, ds = dst.rowStride
        let (k1, k2) = op.weights
        unsafe dst.writePixels { d in
            unsafe forEach3x3Row(src, border: border, threads: threads) { y, a, b, c in
                switch norm {
                case .l1: unsafe magnitudeL1Row(a, b, c, d + y * ds, w, k1, k2)
                case .l2: unsafe magnitudeL2Row(a, b, c, d + y * ds, w, k1, k2)
                }
            }
        }
    }

    /// Float magnitude of derivative planes.
    /// - Parameters: dx, dy: (H, W) Int16 of equal size. - Returns: (H, W) float, |dx| + |dy| or sqrt(dx² + dy²).
    public static func magnitude(dx: Plane<Int16>, dy: Plane<Int16>, norm: GradientNorm = .l2) -> FloatImage {
        unsafe mapDerivatives(dx, dy) { gx, gy, o, n in
            if norm == .l1 {
                for i in 0..<n { unsafe o[i] = unsafe Float(gx[i].magnitude) + Float(gy[i].magnitude) }
            } else {
                for i in 0..<n {
                    let fx = unsafe Float(gx[i]), fy = unsafe Float(gy[i])
                    unsafe o[i] = (fx * fx + fy * fy).squareRoot()
                }
            }
        }
    }

    /// Gradient direction atan2(dy, dx) in radians, in [-π, π] (y down, so positive angles turn clockwise on
    /// screen); a polynomial approximation within 2e-5 rad of `atan2`. 0 where dx = dy = 0.
    /// - Parameters: dx, dy: (H, W) Int16 of equal size. - Returns: (H, W) float.
    public static func orientation(dx: Plane<Int16>, dy: Plane<Int16>) -> FloatImage {
        unsafe mapDerivatives(dx, dy) { gx, gy, o, n in
            for i in 0..<n { unsafe o[i] = unsafe FastMath.atan2(Float(gy[i]), Float(gx[i])) }
        }
    }

    /// A float plane computed element-wise from dx and dy over their whole storage.
    private static func mapDerivatives(_ dx: Plane<Int16>, _ dy: Plane<Int16>,
                                       _ body: (UnsafePointer<Int16>, UnsafePointer<Int16>,
                                                UnsafeMutablePointer<Float>, Int) -> Void) -> FloatImage {
        precondition(dx.width == dy.width && dx.height == dy.height && dx.rowStride == dy.rowStride,
                     "dx and dy must match")
        var out = FloatImage(width: dx.width, height: dx.height, rowStride: dx.rowStride)
        guard dx.width > 0 && dx.height > 0 else { return out }
        let n = dx.rowStride * dx.height
        unsafe dx.readValues { gx in
            unsafe dy.readValues { gy in
                unsafe out.writeValues { o in unsafe body(gx, gy, o, n) }
            }
        }
        return out
    }
}

/// Sobel/Scharr dx, dy at column x from the three padded rows.
private func stencil(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>, _ x: Int,
                     _ k1: Int16, _ k2: Int16) -> (Int16, Int16) {
    let l = x &- 1, r = x &+ 1
    let ex = unsafe (Int16(a[r]) &- Int16(a[l])) &+ (Int16(c[r]) &- Int16(c[l]))
    let dx = unsafe ex &* k1 &+ (Int16(b[r]) &- Int16(b[l])) &* k2
    let ey = unsafe (Int16(c[l]) &- Int16(a[l])) &+ (Int16(c[r]) &- Int16(a[r]))
    let dy = unsafe ey &* k1 &+ (Int16(c[x]) &- Int16(a[x])) &* k2
    return (dx, dy)
}

func derivativeRow(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>,
                   _ gx: UnsafeMutablePointer<Int16>, _ gy: UnsafeMutablePointer<Int16>, _ w: Int,
                   _ k1: Int16, _ k2: Int16) {
    for x in 0..<w {
        let (dx, dy) = unsafe stencil(a, b, c, x, k1, k2)
        unsafe gx[x] = dx
        unsafe gy[x] = dy
    }
}

// The fused loops below are what LLVM vectorises to the full register width; the same arithmetic written
// with SIMD16<Int16> ran 5x slower on this toolchain (conversions and pointwiseMin/Max become calls).
private func magnitudeL1Row(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>,
                            _ o: UnsafeMutablePointer<UInt8>, _ w: Int, _ k1: Int16, _ k2: Int16) {
    for x in 0..<w {
        let (dx, dy) = unsafe stencil(a, b, c, x, k1, k2)
        let ax = dx < 0 ? 0 &- dx : dx, ay = dy < 0 ? 0 &- dy : dy
        let m = (ax &+ ay &+ 1) &>> 1
        unsafe o[x] = UInt8(truncatingIfNeeded: m > 255 ? 255 : m)
    }
}

private func magnitudeL2Row(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>,
                            _ o: UnsafeMutablePointer<UInt8>, _ w: Int, _ k1: Int16, _ k2: Int16) {
    for x in 0..<w {
        let (gx, gy) = unsafe stencil(a, b, c, x, k1, k2)
        let dx = Float(gx), dy = Float(gy)
        let m = (dx * dx + dy * dy).squareRoot() * 0.5 + 0.5
        unsafe o[x] = UInt8(truncatingIfNeeded: Int32(m > 255 ? 255 : m))
    }
}
