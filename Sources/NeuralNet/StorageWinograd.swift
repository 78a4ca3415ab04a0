/// Winograd F(2, 3) down the columns for the fused 3×3 "same" convolutions (``FusedConv``): two output rows `y` and
/// `y + d` (`d` the dilation) from the four input rows `y − d … y + 2d` they read, with four products per column
/// tap where the direct convolution spends six: for 16 input and 16 output channels 1.5× fewer multiply-adds.
///
/// Per input channel `c` and column tap `kx` (offset `kx·d`), with the column's inputs `r0…r3` (padded rows `y`,
/// `y + d`, `y + 2d`, `y + 3d`) and the weights `g0, g1, g2` of the three row taps:
///
///     t0 = r0 − r2    t1 = r1 + r2    t2 = r2 − r1    t3 = r1 − r3
///     u0 = g0         u1 = (g0 + g1 + g2) / 2          u2 = (g0 − g1 + g2) / 2          u3 = g2
///     m_i = Σ over (c, kx) of u_i · t_i
///     out(y) = m0 + m1 + m2        out(y + d) = m1 − m2 − m3
///
/// which is `r0·g0 + r1·g1 + r2·g2` and `r1·g0 + r2·g1 + r3·g2` exactly in real arithmetic (float rounding
/// differs from the direct sum by a few units in the last place). Each `m_i` is a small matrix product (8 output
/// channels × `C·3` × 32 pixels) that runs on the direct convolution's own 8×32 register kernel over transformed
/// rows read in place (as the direct convolution reads its input), so it keeps that kernel's balance of loads and
/// multiply-adds. The transform runs once per pair of rows, over the columns they need, reading each channel row in
/// order (transforming per panel, from four strided rows per channel, stalled on the cache) (a kernel holding all four `m_i` in registers needs a broadcast per multiply-add and was no faster
/// than the direct convolution). The reference twin is the direct path (the same layer with `winograd: false`) and
/// the generic im2col path; tests compare all three.
struct WinogradWeights: Sendable {
    /// `[block of 8 output channels][i = 0…3][p = c·3 + kx][8]`: the `u_i` of the block's channels, zero past the
    /// layer's output channels (the register kernel's `A` panels).
    let packed: [Float]
    /// Byte offset of each kernel row `(c, kx)` from a segment's first pixel in the transformed rows of one `t_i`
    /// (``transform(row:columns:input:t:)``; rows as long as the padded input's).
    let offsets: [Int]
    /// The padded input's row stride and plane (floats), and the dilation.
    let rowStride: Int, inPlane: Int, dilation: Int
    /// `C·3`: the depth of each product.
    let depth: Int

    /// - Parameters: weight `(out, in, 3, 3)`; plane / rowStride: the padded input's plane and row stride (floats).
    init(weight: [Float], inChannels: Int, outChannels: Int, dilation: Int, plane: Int, rowStride: Int) {
        let depth = inChannels * 3, blocks = (outChannels + 7) / 8
        var p = [Float](repeating: 0, count: blocks * 4 * depth * 8)
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                for kx in 0..<3 {
                    let g0 = weight[((o * inChannels + c) * 3 + 0) * 3 + kx]
                    let g1 = weight[((o * inChannels + c) * 3 + 1) * 3 + kx]
                    let g2 = weight[((o * inChannels + c) * 3 + 2) * 3 + kx]
                    let u = [g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2]
                    for i in 0..<4 { p[(((o / 8) * 4 + i) * depth + c * 3 + kx) * 8 + o % 8] = u[i] }
                }
            }
        }
        packed = p
        offsets = (0..<inChannels).flatMap { c in (0..<3).map { kx in (c * rowStride + kx * dilation) * 4 } }
        self.rowStride = rowStride
        inPlane = plane
        self.dilation = dilation
        self.depth = depth
    }

    /// Floats of the transformed rows ``transform(row:columns:input:t:)`` writes.
    var transformedFloats: Int { 4 * (depth / 3) * rowStride }

    /// The input transform of one pair row: `t[(i·C + c)·rowStride + x]` = `t_i` of channel `c` at padded column
    /// `x`, for `x` in `columns`, from the padded input rows `y, y + d, y + 2d, y + 3d`.
    @inline(__always)
    func transform(row y: Int, columns: Range<Int>, input: UnsafeMutablePointer<Float>, t: UnsafeMutablePointer<Float>) {
        let channels = depth / 3, step = dilation * rowStride, plane = channels * rowStride
        for c in 0..<channels {
            let src = unsafe input + c * inPlane + y * rowStride
            let d0 = unsafe t + c * rowStride, d1 = unsafe d0 + plane, d2 = unsafe d1 + plane, d3 = unsafe d2 + plane
            // 16 columns at a time (the pointers may alias as far as the compiler knows, so it would not vectorise
            // the plain loop), then the rest one by one.
            typealias V = SIMD16<Float>
            let s = unsafe UnsafeRawPointer(src), o0 = unsafe UnsafeMutableRawPointer(d0), o1 = unsafe UnsafeMutableRawPointer(d1)
            let o2 = unsafe UnsafeMutableRawPointer(d2), o3 = unsafe UnsafeMutableRawPointer(d3)
            var x = columns.lowerBound
            while x + 16 <= columns.upperBound {
                let r0 = unsafe s.loadUnaligned(fromByteOffset: 4 * x, as: V.self)
                let r1 = unsafe s.loadUnaligned(fromByteOffset: 4 * (x + step), as: V.self)
                let r2 = unsafe s.loadUnaligned(fromByteOffset: 4 * (x + 2 * step), as: V.self)
                let r3 = unsafe s.loadUnaligned(fromByteOffset: 4 * (x + 3 * step), as: V.self)
                unsafe o0.storeBytes(of: r0 - r2, toByteOffset: 4 * x, as: V.self)
                unsafe o1.storeBytes(of: r1 + r2, toByteOffset: 4 * x, as: V.self)
                unsafe o2.storeBytes(of: r2 - r1, toByteOffset: 4 * x, as: V.self)
                unsafe o3.storeBytes(of: r1 - r3, toByteOffset: 4 * x, as: V.self)
                x += 16
            }
            while x < columns.upperBound {
                let r0 = unsafe src[x], r1 = unsafe src[x + step], r2 = unsafe src[x + 2 * step], r3 = unsafe src[x + 3 * step]
                unsafe d0[x] = r0 - r2; unsafe d1[x] = r1 + r2; unsafe d2[x] = r2 - r1; unsafe d3[x] = r1 - r3
                x += 1
            }
        }
    }
}
