/// Pointer kernels for the element-wise layers (activations, batch norm), SIMD16 with scalar tails.
extension Kernels {
    typealias V = SIMD16<Float>

    /// `y = max(x, 0)` (alpha 0) or leaky `x < 0 ? αx : x`, over `x.count` elements.
    static func rectify(_ x: [Float], alpha: Float, y: inout [Float]) {
        precondition(y.count >= x.count)
        let n = x.count
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe y.withUnsafeMutableBufferPointer { yb in
                let xr = unsafe UnsafeRawPointer(xb.baseAddress!)
                let yr = UnsafeMutableRawPointer(yb.baseAddress!)
                let zero = V(), a = V(repeating: alpha)
                var i = 0
                while i + 16 <= n {
                    let v = unsafe xr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                    unsafe yr.storeBytes(of: v.replacing(with: v * a, where: v .< zero), toByteOffset: i * 4, as: V.self)
                    i += 16
                }
                while i < n { let v = unsafe xb[i]; unsafe yb[i] = v < 0 ? v * alpha : v; i += 1 }
            }
        }
    }

    /// `dx = x > 0 ? dy : α·dy` (the gradient of ``rectify(_:alpha:y:)``).
    static func rectifyBackward(_ x: [Float], _ dy: [Float], alpha: Float, dx: inout [Float]) {
        precondition(dy.count >= x.count && dx.count >= x.count)
        let n = x.count
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe dy.withUnsafeBufferPointer { gb in
                unsafe dx.withUnsafeMutableBufferPointer { db in
                    let xr = unsafe UnsafeRawPointer(xb.baseAddress!)
                    let gr = unsafe UnsafeRawPointer(gb.baseAddress!)
                    let dr = UnsafeMutableRawPointer(db.baseAddress!)
                    let zero = V(), a = V(repeating: alpha)
                    var i = 0
                    while i + 16 <= n {
                        let v = unsafe xr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                        let g = unsafe gr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                        unsafe dr.storeBytes(of: g.replacing(with: g * a, where: v .<= zero), toByteOffset: i * 4, as: V.self)
                        i += 16
                    }
                    while i < n { unsafe db[i] = xb[i] > 0 ? gb[i] : gb[i] * alpha; i += 1 }
                }
            }
        }
    }

    /// Sum and sum of squares of `x[offset..<offset+n]` (SIMD partial sums, combined in Double).
    static func sums(_ x: [Float], offset: Int, count n: Int) -> (Double, Double) {
        unsafe x.withUnsafeBufferPointer { xb in
            let p = unsafe xb.baseAddress! + offset, r = unsafe UnsafeRawPointer(p)
            var s = V(), q = V(), i = 0
            var total: Double = 0, totalSq: Double = 0
            while i + 16 <= n {
                let v = unsafe r.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                s += v; q += v * v
                i += 16
                if i & 4095 == 0 {  // flush to Double now and then to bound Float rounding
                    total += Double(s.sum()); totalSq += Double(q.sum()); s = V(); q = V()
                }
            }
            total += Double(s.sum()); totalSq += Double(q.sum())
            while i < n { let v = Double(unsafe p[i]); total += v; totalSq += v * v; i += 1 }
            return (total, totalSq)
        }
    }

    /// `xhat = (x − mean)·inv`, `y = xhat·γ + β` over one channel's run.
    static func normalize(_ x: [Float], offset: Int, count n: Int, mean: Float, inv: Float, gamma: Float, beta: Float,
                          xhat: inout [Float], y: inout [Float]) {
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe xhat.withUnsafeMutableBufferPointer { hb in
                unsafe y.withUnsafeMutableBufferPointer { yb in
                    let xr = unsafe UnsafeRawPointer(xb.baseAddress! + offset)
                    let hr = unsafe UnsafeMutableRawPointer(hb.baseAddress! + offset)
                    let yr = unsafe UnsafeMutableRawPointer(yb.baseAddress! + offset)
                    let m = V(repeating: mean), iv = V(repeating: inv), g = V(repeating: gamma), b = V(repeating: beta)
                    var i = 0
                    while i + 16 <= n {
                        let h = (unsafe xr.loadUnaligned(fromByteOffset: i * 4, as: V.self) - m) * iv
                        unsafe hr.storeBytes(of: h, toByteOffset: i * 4, as: V.self)
                        unsafe yr.storeBytes(of: h * g + b, toByteOffset: i * 4, as: V.self)
                        i += 16
                    }
                    while i < n {
                        let h = (unsafe xb[offset + i] - mean) * inv
                        unsafe hb[offset + i] = h
                        unsafe yb[offset + i] = h * gamma + beta
                        i += 1
                    }
                }
            }
        }
    }

    /// `y = x·scale + shift` over one channel's run.
    static func scaleShift(_ x: [Float], offset: Int, count n: Int, scale: Float, shift: Float, y: inout [Float]) {
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe y.withUnsafeMutableBufferPointer { yb in
                let xr = unsafe UnsafeRawPointer(xb.baseAddress! + offset), yr = unsafe UnsafeMutableRawPointer(yb.baseAddress! + offset)
                let s = V(repeating: scale), b = V(repeating: shift)
                var i = 0
                while i + 16 <= n {
                    unsafe yr.storeBytes(of: xr.loadUnaligned(fromByteOffset: i * 4, as: V.self) * s + b, toByteOffset: i * 4, as: V.self)
                    i += 16
                }
                while i < n { unsafe yb[offset + i] = xb[offset + i] * scale + shift; i += 1 }
            }
        }
    }

    /// Σ dy and Σ dy·xhat over one channel's run.
    static func dotSums(_ dy: [Float], _ xhat: [Float], offset: Int, count n: Int) -> (Float, Float) {
        unsafe dy.withUnsafeBufferPointer { gb in
            unsafe xhat.withUnsafeBufferPointer { hb in
                let gr = unsafe UnsafeRawPointer(gb.baseAddress! + offset), hr = unsafe UnsafeRawPointer(hb.baseAddress! + offset)
                var s = V(), d = V(), i = 0
                while i + 16 <= n {
                    let g = unsafe gr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                    s += g
                    let h = unsafe hr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                    d += g * h
                    i += 16
                }
                var ss = s.sum(), dd = d.sum()
                while i < n { unsafe ss += gb[offset + i]; unsafe dd += gb[offset + i] * hb[offset + i]; i += 1 }
                return (ss, dd)
            }
        }
    }

    /// Batch-norm input gradient over one channel's run: `dx = k·(N·dy − Σdy − xhat·Σdy·xhat)`.
    static func batchNormBackward(_ dy: [Float], _ xhat: [Float], offset: Int, count n: Int, k: Float,
                                  sumDy: Float, sumDyXHat: Float, dx: inout [Float]) {
        unsafe dy.withUnsafeBufferPointer { gb in
            unsafe xhat.withUnsafeBufferPointer { hb in
                unsafe dx.withUnsafeMutableBufferPointer { db in
                    let gr = unsafe UnsafeRawPointer(gb.baseAddress! + offset), hr = unsafe UnsafeRawPointer(hb.baseAddress! + offset)
                    let dr = unsafe UnsafeMutableRawPointer(db.baseAddress! + offset)
                    let kn = V(repeating: k * Float(n)), ks = V(repeating: k * sumDy), kd = V(repeating: k * sumDyXHat)
                    var i = 0
                    while i + 16 <= n {
                        let g = unsafe gr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                        let h = unsafe hr.loadUnaligned(fromByteOffset: i * 4, as: V.self)
                        unsafe dr.storeBytes(of: kn * g - ks - h * kd, toByteOffset: i * 4, as: V.self)
                        i += 16
                    }
                    while i < n {
                        unsafe db[offset + i] = k * (Float(n) * gb[offset + i] - sumDy - hb[offset + i] * sumDyXHat)
                        i += 1
                    }
                }
            }
        }
    }

    /// Scatters pooled gradients back to the arg-max positions: `dx[argmax[o]] += dy[o]` (dx zeroed first).
    static func scatterAdd(_ dy: [Float], indices: [Int32], dx: inout [Float]) {
        precondition(indices.count >= dy.count)
        unsafe dy.withUnsafeBufferPointer { gb in
            unsafe indices.withUnsafeBufferPointer { ib in
                unsafe dx.withUnsafeMutableBufferPointer { db in
                    for o in 0..<gb.count { unsafe db[Int(ib[o])] += gb[o] }
                }
            }
        }
    }
}
