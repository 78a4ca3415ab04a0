import Kernels

/// A chain of stride-1 "same" convolutions (the detector's per-pixel crack network) over one tile with its
/// activations **channel-interleaved**: each pixel's channels are contiguous (16 floats, one cache line), so a
/// convolution tap reads consecutive pixels along a row, a stream the prefetchers follow, instead of one row per
/// channel and tap (48 streams for a 3×3 tap over 16 planar channels), on which the planar ``FusedChain`` stalls.
///
/// The register kernel holds 16 output pixels × 16 output channels (16 vectors of 16 lanes): for each tap and input
/// channel it loads the 16 weights of that channel as one vector and multiplies them by each pixel's input value,
/// broadcast. Layers of up to 16 output channels (the 1×1 head computes 16 lanes and keeps its own). The reference
/// twin is the generic path (im2col + GEMM, ``InferenceModel`` with `fused: false`); tests compare the two.
final class InterleavedChain: @unchecked Sendable {
    /// One layer: weights `[tap][input channel][16]` (zero lanes past `outChannels`), bias (16, zero-padded).
    struct Layer {
        let weights: [Float], bias: SIMD16<Float>
        let inChannels: Int, outChannels: Int, kernel: Int, dilation: Int, activation: Kernels.Activation
        var radius: Int { dilation * (kernel - 1) / 2 }
    }

    let layers: [Layer]
    let height: Int, width: Int
    /// Floats per pixel in each layer's input buffer: 4 for the network input of up to 4 channels, else 16.
    private let strides: [Int]
    /// Per layer, the zero-bordered input (rows `height + 2r`, columns `width + 2r`, `strides[i]` floats a pixel);
    /// one more for the last layer's output (no border).
    private let buffers: [UnsafeMutablePointer<Float>]

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
    ///   ``supports(_:width:)``; height / width: the tile.
    init(layers specs: [(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, dilation: Int,
                         activation: Kernels.Activation)], height: Int, width: Int) {
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
            return Layer(weights: w, bias: bias,
                         inChannels: s.inChannels, outChannels: s.outChannels, kernel: s.kernel, dilation: s.dilation,
                         activation: s.activation)
        }
        self.height = height
        self.width = width
        strides = layers.indices.map { $0 == 0 ? 4 : 16 } + [16]
        var sizes = layers.map { l in (height + 2 * l.radius) * (width + 2 * l.radius) }
        sizes.append(height * width)
        buffers = zip(sizes, strides).map { n, s in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: n * s)
            unsafe p.initialize(repeating: 0, count: n * s)
            return unsafe p
        }
    }

    deinit { for b in unsafe buffers { unsafe b.deallocate() } }

    /// Runs one tile: `x` planar `(C, height, width)`, the last layer's channels written planar into `y`
    /// (`(outChannels, height, width)`); only `needed` of the output (and what it depends on) is computed.
    func run(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, needed: OutputRegion) {
        let first = layers[0], r0 = first.radius, row0 = width + 2 * r0
        for c in 0..<first.inChannels {
            for r in 0..<height {
                let src = unsafe x + (c * height + r) * width, dst = unsafe buffers[0] + ((r + r0) * row0 + r0) * 4 + c
                for col in 0..<width { unsafe dst[col * 4] = src[col] }
            }
        }
        for (li, l) in layers.enumerated() {
            let grow = layers[(li + 1)...].reduce(0) { $0 + $1.radius }
            let region = needed.grown(by: grow).clamped(height: height, width: width)
            let outPad = li + 1 < layers.count ? layers[li + 1].radius : 0
            if li == 0 {
                unsafe Self.layer(l, stride: 4, region: region, input: buffers[li], inRow: width + 2 * l.radius,
                                  output: buffers[li + 1], outRow: width + 2 * outPad, outPad: outPad, width: width)
            } else {
                unsafe Self.layer(l, stride: 16, region: region, input: buffers[li], inRow: width + 2 * l.radius,
                                  output: buffers[li + 1], outRow: width + 2 * outPad, outPad: outPad, width: width)
            }
        }
        let last = layers[layers.count - 1], out = unsafe buffers[layers.count]
        for r in needed.clamped(height: height, width: width).rows {
            for col in needed.columns(ofRow: r).clamped(to: 0..<width) {
                for c in 0..<last.outChannels { unsafe y[(c * height + r) * width + col] = out[(r * width + col) * 16 + c] }
            }
        }
    }

    /// One layer over `region`, 16 output pixels at a time (a row's last block moved left to end on its last
    /// column: the pixels it repeats get the same values).
    @inline(__always)
    private static func layer(_ l: Layer, stride: Int, region: OutputRegion, input: UnsafeMutablePointer<Float>, inRow: Int,
                              output: UnsafeMutablePointer<Float>, outRow: Int, outPad: Int, width: Int) {
        let k = l.kernel, d = l.dilation
        let taps = (0..<(k * k)).map { t in ((t / k) * d * inRow + (t % k) * d) * stride }
        unsafe l.weights.withUnsafeBufferPointer { wb in
            unsafe taps.withUnsafeBufferPointer { tb in
                for r in region.rows {
                    let columns = region.columns(ofRow: r)
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
