/// Pointer kernels behind the layers: im2col / col2im, pooling, bias + activation. Everything that
/// touches raw memory in NeuralNet lives in `Storage*.swift`; the layers call these with arrays.
///
/// Layout everywhere: `(C, N, H, W)` planes, see ``Shape``.
enum Kernels {
    /// Convolution geometry.
    struct ConvGeometry: Sendable, Hashable {
        var channels: Int, batch: Int, height: Int, width: Int
        var kernel: Int, stride: Int, padding: Int, dilation: Int
        var outHeight: Int { (height + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1 }
        var outWidth: Int { (width + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1 }
        /// Rows of the column matrix (`C·k·k`).
        var colRows: Int { channels * kernel * kernel }
        /// Columns of the column matrix (`N·Ho·Wo`).
        var colCols: Int { batch * outHeight * outWidth }
    }

    /// The output columns `ox` in `0..<wo` whose input column `ox·s − p + off` lies in `0..<w`.
    @inline(__always)
    static func validRange(wo: Int, w: Int, s: Int, p: Int, off: Int) -> Range<Int> {
        // ox·s − p + off ≥ 0  ⇔  ox ≥ ceil((p − off) / s)
        let lo = max(0, (p - off + s - 1) / s)
        // ox·s − p + off ≤ w − 1  ⇔  ox ≤ floor((w − 1 + p − off) / s)
        let num = w - 1 + p - off
        let hi = num < 0 ? 0 : min(wo, num / s + 1)
        return lo < hi ? lo..<hi : lo..<lo
    }

    /// Walks the column matrix of ``im2col(_:x:xOffset:channelStride:col:)`` in its memory order, one row of `Ho`
    /// entries at a time: `body(i, c, n, iy, offX, valid)` for column-matrix row `i` of every channel `c`, kernel tap
    /// `(ky, kx)`, image `n` and output row `oy`, where `iy = oy·s − p + ky·d` is the input row (outside `0..<H` when
    /// the row reads padding), `offX = kx·d − p` the input column of output column 0 before the stride, and `valid`
    /// the output columns whose input column lies in the image (``validRange(wo:w:s:p:off:)``).
    @inline(__always)
    static func forEachColumnRow(_ g: ConvGeometry,
                                 _ body: (_ i: Int, _ c: Int, _ n: Int, _ iy: Int, _ offX: Int, _ valid: Range<Int>) -> Void) {
        let ho = g.outHeight, wo = g.outWidth
        var i = 0
        for c in 0..<g.channels {
            for ky in 0..<g.kernel {
                for kx in 0..<g.kernel {
                    let offX = kx * g.dilation, offY = ky * g.dilation
                    let r = validRange(wo: wo, w: g.width, s: g.stride, p: g.padding, off: offX)
                    for n in 0..<g.batch {
                        for oy in 0..<ho {
                            body(i, c, n, oy * g.stride - g.padding + offY, offX - g.padding, r)
                            i += 1
                        }
                    }
                }
            }
        }
    }

    /// Column matrix `col[(c·k + ky)·k + kx][(n·Ho + oy)·Wo + ox] = x[c][n][oy·s − p + ky·d][ox·s − p + kx·d]`
    /// (zero outside the image). `x`: geometry's `(C, N, H, W)` from `xOffset`; `col`: `colRows × colCols`.
    /// - Parameters: channelStride: distance in `x` between channels (default `batch·H·W`; larger when the
    ///   geometry's batch is a slice of a bigger batch starting at `xOffset`).
    static func im2col(_ g: ConvGeometry, x: [Float], xOffset: Int = 0, channelStride: Int? = nil, col: inout [Float]) {
        let wo = g.outWidth, plane = g.height * g.width
        let cs = channelStride ?? g.batch * plane
        precondition(col.count >= g.colRows * g.colCols && x.count >= xOffset + (g.channels - 1) * cs + g.batch * plane)
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe col.withUnsafeMutableBufferPointer { cb in
                let xp = unsafe xb.baseAddress! + xOffset, colBase = cb.baseAddress!
                let s = g.stride, h = g.height, w = g.width
                forEachColumnRow(g) { i, c, n, iy, offX, r in
                    let dst = unsafe colBase + i * wo
                    if iy < 0 || iy >= h || r.isEmpty {
                        unsafe dst.update(repeating: 0, count: wo)
                    } else {
                        for ox in 0..<r.lowerBound { unsafe dst[ox] = 0 }
                        for ox in r.upperBound..<wo { unsafe dst[ox] = 0 }
                        let row = unsafe xp + c * cs + n * plane + iy * w + offX
                        if s == 1 {
                            unsafe (dst + r.lowerBound).update(from: row + r.lowerBound, count: r.count)
                        } else {
                            for ox in r { unsafe dst[ox] = row[ox * s] }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of ``im2col(_:x:xOffset:col:)``: adds each column entry back to its input pixel.
    /// `dx` is overwritten (`(C, N, H, W)`).
    static func col2im(_ g: ConvGeometry, col: [Float], dx: inout [Float]) {
        let wo = g.outWidth, plane = g.height * g.width
        precondition(col.count >= g.colRows * g.colCols && dx.count >= g.channels * g.batch * plane)
        unsafe col.withUnsafeBufferPointer { cb in
            unsafe dx.withUnsafeMutableBufferPointer { db in
                let dp = db.baseAddress!
                unsafe dp.update(repeating: 0, count: g.channels * g.batch * plane)
                let colBase = cb.baseAddress!
                let s = g.stride, h = g.height, w = g.width, batch = g.batch
                forEachColumnRow(g) { i, c, n, iy, offX, r in
                    if iy >= 0 && iy < h {
                        let src = unsafe colBase + i * wo
                        let row = unsafe dp + (c * batch + n) * plane + iy * w + offX
                        for ox in r { unsafe row[ox * s] += src[ox] }
                    }
                }
            }
        }
    }

    /// Activation applied after a bias in ``biasActivate(_:bias:planeCount:activation:)``.
    enum Activation: Sendable, Hashable {
        case identity, relu, leaky(Float)
    }

    /// `y[c][i] = act(y[c][i] + bias[c])` over `bias.count` channels of `planeCount` elements each.
    static func biasActivate(_ y: inout [Float], bias: [Float], planeCount: Int, activation: Activation) {
        precondition(y.count >= bias.count * planeCount)
        unsafe y.withUnsafeMutableBufferPointer { yb in
            for c in 0..<bias.count {
                let p = unsafe yb.baseAddress! + c * planeCount
                let b = SIMD16<Float>(repeating: bias[c])
                let zero = SIMD16<Float>(), raw = UnsafeMutableRawPointer(p)
                var i = 0
                switch activation {
                case .identity:
                    while i + 16 <= planeCount {
                        unsafe raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) + b,
                                              toByteOffset: i * 4, as: SIMD16<Float>.self)
                        i += 16
                    }
                    while i < planeCount { unsafe p[i] += bias[c]; i += 1 }
                case .relu:
                    while i + 16 <= planeCount {
                        let v = unsafe raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) + b
                        unsafe raw.storeBytes(of: v.replacing(with: zero, where: v .< zero), toByteOffset: i * 4,
                                              as: SIMD16<Float>.self)
                        i += 16
                    }
                    while i < planeCount { unsafe p[i] = max(0, p[i] + bias[c]); i += 1 }
                case .leaky(let alpha):
                    while i < planeCount {
                        let v = unsafe p[i] + bias[c]
                        unsafe p[i] = v < 0 ? v * alpha : v
                        i += 1
                    }
                }
            }
        }
    }

    /// Max pooling over `(planes, H, W)` into `(planes, Ho, Wo)`, window `k`, stride `s`, no padding.
    /// Writes the flat input index of each maximum into `argmax` when it is non-nil.
    static func maxPool(x: [Float], planes: Int, height: Int, width: Int, kernel: Int, stride: Int,
                        y: inout [Float], argmax: inout [Int32]?) {
        let ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1
        precondition(y.count >= planes * ho * wo && x.count >= planes * height * width)
        let record = argmax != nil
        var idx = argmax ?? []
        if record && idx.count < planes * ho * wo { idx = [Int32](repeating: 0, count: planes * ho * wo) }
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe y.withUnsafeMutableBufferPointer { yb in
                unsafe idx.withUnsafeMutableBufferPointer { ib in
                    var o = 0
                    for pl in 0..<planes {
                        let base = pl * height * width
                        if kernel == 2 && stride == 2 && !record {
                            for oy in 0..<ho {
                                let r0 = unsafe xb.baseAddress! + base + 2 * oy * width
                                let r1 = unsafe r0 + width
                                for ox in 0..<wo {
                                    unsafe yb[o] = max(max(r0[2 * ox], r0[2 * ox + 1]), max(r1[2 * ox], r1[2 * ox + 1]))
                                    o += 1
                                }
                            }
                            continue
                        }
                        for oy in 0..<ho {
                            for ox in 0..<wo {
                                var best = -Float.infinity, at = base + oy * stride * width + ox * stride
                                for ky in 0..<kernel {
                                    for kx in 0..<kernel {
                                        let i = base + (oy * stride + ky) * width + ox * stride + kx
                                        let v = unsafe xb[i]
                                        if v > best { best = v; at = i }
                                    }
                                }
                                unsafe yb[o] = best
                                if record { unsafe ib[o] = Int32(at) }
                                o += 1
                            }
                        }
                    }
                }
            }
        }
        if record { argmax = idx }
    }

    /// Average pooling over `(planes, H, W)` into `(planes, Ho, Wo)`, window `k`, stride `s`, no padding.
    static func avgPool(x: [Float], planes: Int, height: Int, width: Int, kernel: Int, stride: Int,
                        y: inout [Float]) {
        let ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1
        let scale = 1 / Float(kernel * kernel)
        precondition(y.count >= planes * ho * wo && x.count >= planes * height * width)
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe y.withUnsafeMutableBufferPointer { yb in
                var o = 0
                for pl in 0..<planes {
                    let base = pl * height * width
                    for oy in 0..<ho {
                        for ox in 0..<wo {
                            var s: Float = 0
                            for ky in 0..<kernel {
                                for kx in 0..<kernel { unsafe s += xb[base + (oy * stride + ky) * width + ox * stride + kx] }
                            }
                            unsafe yb[o] = s * scale
                            o += 1
                        }
                    }
                }
            }
        }
    }

    /// Mean of each of `planes` runs of `length` elements.
    static func planeMeans(x: [Float], planes: Int, length: Int, y: inout [Float]) {
        precondition(y.count >= planes && x.count >= planes * length)
        let scale = 1 / Float(length)
        unsafe x.withUnsafeBufferPointer { xb in
            for pl in 0..<planes {
                let p = unsafe xb.baseAddress! + pl * length, raw = unsafe UnsafeRawPointer(p)
                var acc = SIMD16<Float>(), i = 0
                while i + 16 <= length {
                    acc += unsafe raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                    i += 16
                }
                var s = acc.sum()
                while i < length { unsafe s += p[i]; i += 1 }
                y[pl] = s * scale
            }
        }
    }
}
