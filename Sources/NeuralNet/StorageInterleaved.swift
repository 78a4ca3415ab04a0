/// A chain of stride-1 "same" convolutions (the detector's per-pixel crack network) over one tile with its
/// activations **channel-interleaved**: each pixel's channels are contiguous (16 floats, one cache line), so a
/// convolution tap reads consecutive pixels along a row, a stream the prefetchers follow, instead of one row per
/// channel and tap (48 streams for a 3×3 tap over 16 planar channels), on which the planar ``FusedChain`` stalls.
///
/// The register kernel holds 16 output pixels × 16 output channels (16 vectors of 16 lanes): for each tap and input
/// channel it loads the 16 weights of that channel as one vector and multiplies them by each pixel's input value,
/// broadcast. Layers of up to 16 output channels (the 1×1 head computes 16 lanes and keeps its own). 3×3 layers that
/// read 16 channels may run Winograd F(2, 3) down the columns instead (``WinogradWeights`` has the algebra): rows in
/// pairs, the pair's four input rows transformed once, a kernel of 4 pixels × 16 channels × four products. The
/// reference twin is the generic path (im2col + GEMM, ``InferenceModel`` with `fused: false`); tests compare them.
final class InterleavedChain: @unchecked Sendable {
    /// One layer: weights `[tap][input channel][16]` (zero lanes past `outChannels`), bias (16, zero-padded).
    struct Layer {
        let weights: [Float], bias: SIMD16<Float>
        let inChannels: Int, outChannels: Int, kernel: Int, dilation: Int, activation: Kernels.Activation
        /// For Winograd F(2, 3) down the columns (3×3 layers reading 16 channels): `[c][kx][i][16]`, the `u_i` of
        /// ``WinogradWeights`` as vectors over the output channels; nil: the direct kernel only.
        let winograd: [Float]?
        var radius: Int { dilation * (kernel - 1) / 2 }
    }

    let layers: [Layer]
    let height: Int, width: Int
    /// Border of every buffer: the largest radius of a layer. A layer of radius `r` reads its input `pad − r` in.
    private let pad: Int
    /// The network input (4 floats a pixel) and two buffers the layers take turns to read and write (16 floats a
    /// pixel), all `height + 2·pad` rows of `width + 2·pad` pixels with zero borders (never written).
    private let input: UnsafeMutablePointer<Float>, buffers: [UnsafeMutablePointer<Float>]

    /// Whether a layer list can run here: every convolution "same" with stride 1 and one group, at most 16 output
    /// channels, the first with at most 4 input channels and the others with 16.
    static func supports(_ specs: [(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, groups: Int)],
                         width: Int) -> Bool {
        guard !specs.isEmpty, width >= 16 else { return false }
        for (i, s) in specs.enumerated() {
            guard s.stride == 1, s.groups == 1, s.kernel % 2 == 1, s.padding == s.dilation * (s.kernel - 1) / 2,
                  s.outChannels <= 16, i == 0 ? s.inChannels <= 4 : s.inChannels == 16 else { return false }
        }
        return true
    }

    /// - Parameters: layers: weight `(out, in, k, k)` with batch norm folded in, bias `(out)`; they must pass
    ///   ``supports(_:width:)``; height / width: the tile; winograd: run the 3×3 layers that read 16 channels as
    ///   Winograd F(2, 3) down the columns (``WinogradWeights`` gives the transform).
    init(layers specs: [(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, dilation: Int,
                         activation: Kernels.Activation)], height: Int, width: Int, winograd: Bool) {
        layers = specs.map { s in
            let taps = s.kernel * s.kernel
            var w = [Float](repeating: 0, count: taps * s.inChannels * 16)
            for o in 0..<s.outChannels {
                for c in 0..<s.inChannels {
                    for t in 0..<taps { w[(t * s.inChannels + c) * 16 + o] = s.weight[(o * s.inChannels + c) * taps + t] }
                }
            }
            var bias = SIMD16<Float>()
            for o in 0..<s.outChannels { bias[o] = s.bias[o] }
            var u: [Float]?
            if winograd && s.kernel == 3 && s.inChannels == 16 {
                var v = [Float](repeating: 0, count: 16 * 3 * 4 * 16)
                for o in 0..<s.outChannels {
                    for c in 0..<16 {
                        for kx in 0..<3 {
                            let g0 = s.weight[(o * 16 + c) * 9 + kx], g1 = s.weight[(o * 16 + c) * 9 + 3 + kx]
                            let g2 = s.weight[(o * 16 + c) * 9 + 6 + kx]
                            let ui = [g0, (g0 + g1 + g2) * 0.5, (g0 - g1 + g2) * 0.5, g2]
                            for i in 0..<4 { v[((c * 3 + kx) * 4 + i) * 16 + o] = ui[i] }
                        }
                    }
                }
                u = v
            }
            return Layer(weights: w, bias: bias,
                         inChannels: s.inChannels, outChannels: s.outChannels, kernel: s.kernel, dilation: s.dilation,
                         activation: s.activation, winograd: u)
        }
        self.height = height
        self.width = width
        pad = layers.map(\.radius).max() ?? 0
        let pixels = (height + 2 * pad) * (width + 2 * pad)
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
            unsafe p.initialize(repeating: 0, count: n)
            return unsafe p
        }
        unsafe input = buffer(pixels * 4)
        unsafe buffers = [buffer(pixels * 16), buffer(pixels * 16)]
        let rowFloats = 4 * (width + 2 * pad) * 16
        unsafe transformed = UnsafeMutablePointer<Float>.allocate(capacity: rowFloats)
        unsafe transformed.initialize(repeating: 0, count: rowFloats)
    }

    /// A Winograd layer's transformed pair row: `[i][padded column][16 channels]`.
    private let transformed: UnsafeMutablePointer<Float>

    deinit {
        unsafe input.deallocate()
        for b in unsafe buffers { unsafe b.deallocate() }
        unsafe transformed.deallocate()
    }

    /// Runs one tile: `x` planar `(C, height, width)`, the last layer's channels written planar into `y`
    /// (`(outChannels, height, width)`); only `needed` of the output (and what it depends on) is computed.
    func run(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, needed: OutputRegion) {
        let first = layers[0], row = width + 2 * pad
        for c in 0..<first.inChannels {
            for r in 0..<height {
                let src = unsafe x + (c * height + r) * width, dst = unsafe input + ((r + pad) * row + pad) * 4 + c
                for col in 0..<width { unsafe dst[col * 4] = src[col] }
            }
        }
        // Layer li reads the network input or the buffer the layer before wrote, and writes the other buffer. What a
        // buffer still holds from two layers back lies outside the region the next layer reads.
        for (li, l) in layers.enumerated() {
            let grow = layers[(li + 1)...].reduce(0) { $0 + $1.radius }
            let region = needed.grown(by: grow).clamped(height: height, width: width)
            let stride = li == 0 ? 4 : 16, inset = (pad - l.radius) * (row + 1) * stride
            let from = unsafe (li == 0 ? input : buffers[(li + 1) % 2]) + inset, to = unsafe buffers[li % 2]
            if l.winograd != nil {
                unsafe Self.winogradLayer(l, region: region, input: from, inRow: row, output: to, outRow: row, outPad: pad,
                                          width: width, t: transformed)
            } else if li == 0 {
                unsafe Self.layer(l, stride: 4, region: region, input: from, inRow: row, output: to, outRow: row,
                                  outPad: pad, width: width)
            } else {
                unsafe Self.layer(l, stride: 16, region: region, input: from, inRow: row, output: to, outRow: row,
                                  outPad: pad, width: width)
            }
        }
        let last = layers[layers.count - 1], out = unsafe buffers[(layers.count - 1) % 2]
        for r in needed.clamped(height: height, width: width).rows {
            for col in needed.columns(ofRow: r).clamped(to: 0..<width) {
                for c in 0..<last.outChannels { unsafe y[(c * height + r) * width + col] = out[((r + pad) * row + col + pad) * 16 + c] }
            }
        }
    }

    /// One layer over `region`, 16 output pixels at a time (a row's last block moved left to end on its last
    /// column: the pixels it repeats get the same values).
    @inline(__always)
    private static func layer(_ l: Layer, stride: Int, region: OutputRegion, input: UnsafeMutablePointer<Float>, inRow: Int,
                              output: UnsafeMutablePointer<Float>, outRow: Int, outPad: Int, width: Int) {
        let rows = region.rows.map { (row: $0, columns: region.columns(ofRow: $0)) }
        unsafe Self.rows(l, stride: stride, rows: rows, input: input, inRow: inRow, output: output, outRow: outRow,
                         outPad: outPad, width: width)
    }

    /// The direct kernel over some rows, each with its columns.
    @inline(__always)
    private static func rows(_ l: Layer, stride: Int, rows: [(row: Int, columns: Range<Int>)], input: UnsafeMutablePointer<Float>,
                             inRow: Int, output: UnsafeMutablePointer<Float>, outRow: Int, outPad: Int, width: Int) {
        let k = l.kernel, d = l.dilation
        let taps = (0..<(k * k)).map { t in ((t / k) * d * inRow + (t % k) * d) * stride }
        unsafe l.weights.withUnsafeBufferPointer { wb in
            unsafe taps.withUnsafeBufferPointer { tb in
                for (r, columns) in rows {
                    guard !columns.isEmpty else { continue }
                    var x = columns.lowerBound
                    while x < columns.upperBound {
                        let x0 = min(x, width - 16)
                        let src = unsafe input + (r * inRow + x0) * stride
                        let dst = unsafe output + ((r + outPad) * outRow + x0 + outPad) * 16
                        unsafe block(l, stride: stride, w: wb.baseAddress!, src: src, taps: tb, dst: dst)
                        x += 16
                    }
                }
            }
        }
    }

    /// A Winograd layer (3×3, 16 input channels): the region's rows in pairs `y`, `y + d`
    /// (``OutputRegion/rowPairs(dilation:)``), each pair's four input rows transformed once into `t`, then 4 pixels
    /// at a time through ``winogradBlock``; the rows left single through the direct kernel.
    @inline(__always)
    private static func winogradLayer(_ l: Layer, region: OutputRegion, input: UnsafeMutablePointer<Float>, inRow: Int,
                                      output: UnsafeMutablePointer<Float>, outRow: Int, outPad: Int, width: Int,
                                      t: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let d = l.dilation, plane = inRow * 16, pairs = region.rowPairs(dilation: d)
        unsafe l.winograd!.withUnsafeBufferPointer { ub in
            for (y, columns) in pairs.pairs {
                // Transform the padded columns the pair's blocks read (a row's last block moved left to end on it).
                let lo = max(0, min(columns.lowerBound, width - 4)), hi = columns.upperBound + 2 * d
                let src = unsafe UnsafeRawPointer(input + y * plane), out = unsafe UnsafeMutableRawPointer(t)
                let step = d * plane * 4
                for col in lo..<hi {
                    let at = col * 64
                    let r0 = unsafe src.loadUnaligned(fromByteOffset: at, as: V.self)
                    let r1 = unsafe src.loadUnaligned(fromByteOffset: at + step, as: V.self)
                    let r2 = unsafe src.loadUnaligned(fromByteOffset: at + 2 * step, as: V.self)
                    let r3 = unsafe src.loadUnaligned(fromByteOffset: at + 3 * step, as: V.self)
                    unsafe out.storeBytes(of: r0 - r2, toByteOffset: at, as: V.self)
                    unsafe out.storeBytes(of: r1 + r2, toByteOffset: plane * 4 + at, as: V.self)
                    unsafe out.storeBytes(of: r2 - r1, toByteOffset: 2 * plane * 4 + at, as: V.self)
                    unsafe out.storeBytes(of: r1 - r3, toByteOffset: 3 * plane * 4 + at, as: V.self)
                }
                var x = columns.lowerBound
                while x < columns.upperBound {
                    let x0 = min(x, width - 4)
                    let dst = unsafe output + ((y + outPad) * outRow + x0 + outPad) * 16
                    unsafe winogradBlock(l, u: ub.baseAddress!, t: t + x0 * 16, plane: plane, dilation: d, dst: dst,
                                         pairStride: d * outRow * 16)
                    x += 4
                }
            }
        }
        unsafe Self.rows(l, stride: 16, rows: pairs.singles, input: input, inRow: inRow, output: output, outRow: outRow,
                         outPad: outPad, width: width)
    }

    /// The Winograd register kernel: 4 pixels × 16 output channels × the four products `m_i` (16 vectors) over the
    /// transformed rows at `t` (pixel `x0`'s column of `t_0`; `t_i` `i·plane` floats on), then rows `y` (`m0 + m1 +
    /// m2`) and `y + d` (`m1 − m2 − m3`, `pairStride` floats on) with bias and activation.
    @inline(__always)
    private static func winogradBlock(_ l: Layer, u: UnsafePointer<Float>, t: UnsafeMutablePointer<Float>, plane: Int,
                                      dilation d: Int, dst: UnsafeMutablePointer<Float>, pairStride: Int) {
        typealias V = SIMD16<Float>
        var a00 = V(), a01 = V(), a02 = V(), a03 = V(), a10 = V(), a11 = V(), a12 = V(), a13 = V()
        var a20 = V(), a21 = V(), a22 = V(), a23 = V(), a30 = V(), a31 = V(), a32 = V(), a33 = V()
        let w = unsafe UnsafeRawPointer(u)
        let t0 = unsafe t, t1 = unsafe t + plane, t2 = unsafe t + 2 * plane, t3 = unsafe t + 3 * plane
        var k = 0
        for c in 0..<16 {
            for kx in 0..<3 {
                let o = kx * d * 16 + c
                let u0 = unsafe w.loadUnaligned(fromByteOffset: k * 256, as: V.self)
                let u1 = unsafe w.loadUnaligned(fromByteOffset: k * 256 + 64, as: V.self)
                let u2 = unsafe w.loadUnaligned(fromByteOffset: k * 256 + 128, as: V.self)
                let u3 = unsafe w.loadUnaligned(fromByteOffset: k * 256 + 192, as: V.self)
                madd(&a00, u0, V(repeating: unsafe t0[o])); madd(&a01, u0, V(repeating: unsafe t0[o + 16]))
                madd(&a02, u0, V(repeating: unsafe t0[o + 32])); madd(&a03, u0, V(repeating: unsafe t0[o + 48]))
                madd(&a10, u1, V(repeating: unsafe t1[o])); madd(&a11, u1, V(repeating: unsafe t1[o + 16]))
                madd(&a12, u1, V(repeating: unsafe t1[o + 32])); madd(&a13, u1, V(repeating: unsafe t1[o + 48]))
                madd(&a20, u2, V(repeating: unsafe t2[o])); madd(&a21, u2, V(repeating: unsafe t2[o + 16]))
                madd(&a22, u2, V(repeating: unsafe t2[o + 32])); madd(&a23, u2, V(repeating: unsafe t2[o + 48]))
                madd(&a30, u3, V(repeating: unsafe t3[o])); madd(&a31, u3, V(repeating: unsafe t3[o + 16]))
                madd(&a32, u3, V(repeating: unsafe t3[o + 32])); madd(&a33, u3, V(repeating: unsafe t3[o + 48]))
                k += 1
            }
        }
        let b = l.bias, a = l.activation, out = unsafe UnsafeMutableRawPointer(dst), second = pairStride * 4
        unsafe out.storeBytes(of: FusedChain.activate(a00 + a10 + a20 + b, a), toByteOffset: 0, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a01 + a11 + a21 + b, a), toByteOffset: 64, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a02 + a12 + a22 + b, a), toByteOffset: 128, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a03 + a13 + a23 + b, a), toByteOffset: 192, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a10 - a20 - a30 + b, a), toByteOffset: second, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a11 - a21 - a31 + b, a), toByteOffset: second + 64, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a12 - a22 - a32 + b, a), toByteOffset: second + 128, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a13 - a23 - a33 + b, a), toByteOffset: second + 192, as: V.self)
    }

    /// The register kernel: 16 pixels from `src` (input pixel of the first output's top-left tap, `stride` floats a
    /// pixel) × 16 output channels, then bias and activation, stored 16 floats a pixel at `dst`.
    @inline(__always)
    private static func block(_ l: Layer, stride s: Int, w: UnsafePointer<Float>, src: UnsafeMutablePointer<Float>,
                              taps: UnsafeBufferPointer<Int>, dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V(), a6 = V(), a7 = V()
        var a8 = V(), a9 = V(), a10 = V(), a11 = V(), a12 = V(), a13 = V(), a14 = V(), a15 = V()
        var wp = unsafe w
        let channels = l.inChannels
        for t in taps {
            let p = unsafe src + t
            for c in 0..<channels {
                let wv = unsafe UnsafeRawPointer(wp).loadUnaligned(as: V.self)
                let q = unsafe p + c
                madd(&a0, wv, V(repeating: unsafe q[0])); madd(&a1, wv, V(repeating: unsafe q[s]))
                madd(&a2, wv, V(repeating: unsafe q[2 * s])); madd(&a3, wv, V(repeating: unsafe q[3 * s]))
                madd(&a4, wv, V(repeating: unsafe q[4 * s])); madd(&a5, wv, V(repeating: unsafe q[5 * s]))
                madd(&a6, wv, V(repeating: unsafe q[6 * s])); madd(&a7, wv, V(repeating: unsafe q[7 * s]))
                madd(&a8, wv, V(repeating: unsafe q[8 * s])); madd(&a9, wv, V(repeating: unsafe q[9 * s]))
                madd(&a10, wv, V(repeating: unsafe q[10 * s])); madd(&a11, wv, V(repeating: unsafe q[11 * s]))
                madd(&a12, wv, V(repeating: unsafe q[12 * s])); madd(&a13, wv, V(repeating: unsafe q[13 * s]))
                madd(&a14, wv, V(repeating: unsafe q[14 * s])); madd(&a15, wv, V(repeating: unsafe q[15 * s]))
                unsafe wp += 16
            }
        }
        let b = l.bias, a = l.activation, out = unsafe UnsafeMutableRawPointer(dst)
        unsafe out.storeBytes(of: FusedChain.activate(a0 + b, a), toByteOffset: 0, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a1 + b, a), toByteOffset: 64, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a2 + b, a), toByteOffset: 128, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a3 + b, a), toByteOffset: 192, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a4 + b, a), toByteOffset: 256, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a5 + b, a), toByteOffset: 320, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a6 + b, a), toByteOffset: 384, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a7 + b, a), toByteOffset: 448, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a8 + b, a), toByteOffset: 512, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a9 + b, a), toByteOffset: 576, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a10 + b, a), toByteOffset: 640, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a11 + b, a), toByteOffset: 704, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a12 + b, a), toByteOffset: 768, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a13 + b, a), toByteOffset: 832, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a14 + b, a), toByteOffset: 896, as: V.self)
        unsafe out.storeBytes(of: FusedChain.activate(a15 + b, a), toByteOffset: 960, as: V.self)
    }
}

/// `acc += x · y` on 16 lanes: ``GEMM/madd(_:_:_:)`` written out for the concrete vector, so that a build without
/// whole-module optimisation (the debug build of the tests) inlines it here instead of calling the generic version
/// across files, unspecialised (50× slower there).
@inline(__always)
private func madd(_ acc: inout SIMD16<Float>, _ x: SIMD16<Float>, _ y: SIMD16<Float>) {
    #if NEURALNET_FMA || arch(arm64)
    acc.addProduct(x, y)
    #else
    acc += x * y
    #endif
}
