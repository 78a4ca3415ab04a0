/// Branch-free approximations that LLVM vectorises inside pixel loops.
public enum FastMath {
    /// atan2(y, x) in [-π, π], within 2e-5 rad; 0 for (0, 0). Branch-free (selects only).
    @inlinable
    public static func atan2(_ y: Float, _ x: Float) -> Float {
        let ax = x.magnitude, ay = y.magnitude
        let hi = ax > ay ? ax : ay, lo = ax > ay ? ay : ax
        let t = lo / (hi == 0 ? 1 : hi)
        let s = t * t
        // Minimax polynomial for atan on [0, 1].
        var p: Float = -0.0117212
        p = p * s + 0.05265332
        p = p * s - 0.11643287
        p = p * s + 0.19354346
        p = p * s - 0.33262347
        p = p * s + 0.99997726
        var r = p * t
        r = ay > ax ? 1.5707964 - r : r
        r = x < 0 ? 3.1415927 - r : r
        return y < 0 ? -r : r
    }

    /// √x for x ≥ 0 (0 for 0), within 1e-6 relative: a bit-level first guess of 1/√x and three Newton
    /// steps. `Float.squareRoot()` lowers to a libm call guarded for errno here, which stops LLVM from
    /// vectorising the loop around it; this form vectorises.
    @inlinable
    public static func sqrt(_ x: Float) -> Float {
        var y = Float(bitPattern: 0x5F37_5A86 &- (x.bitPattern &>> 1))
        let half = 0.5 * x
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return x * y
    }
}
