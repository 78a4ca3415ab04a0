import Foundation

/// A trained ``Sequential`` compiled for inference: batch norm folded into the preceding convolution or
/// dense layer, ReLU / leaky ReLU fused into its bias pass, dropout dropped, and every buffer (activations,
/// column matrix, GEMM packing) allocated once for `batchSize` tiles, so running a batch allocates nothing
/// new. The leading stride-1 convolutions (with their 2×2 max pooling) run fused, one tile at a time, so a
/// tile's activations stay in L1 / L2 (``FusedChain`` in `StorageConv.swift`); the rest runs layer by layer
/// over the batch (im2col + ``GEMM``).
///
/// One instance is one worker: not for concurrent use. Run several (one per thread) for parallel batches.
public final class InferenceModel {
    enum Op {
        case conv(weight: [Float], bias: [Float], out: Int, kernel: Int, stride: Int, padding: Int, dilation: Int,
                  groups: Int, activation: Kernels.Activation)
        case dense(weight: [Float], bias: [Float], out: Int, activation: Kernels.Activation)
        case scaleShift(scale: [Float], shift: [Float])
        case activation(Activation.Kind)
        case pool(Pool.Mode, kernel: Int, stride: Int)
        case globalAvgPool
        case flatten
    }

    /// Input channels and tile size.
    public let input: InputSpec
    /// Most tiles per ``run(_:count:)`` call.
    public let batchSize: Int
    /// Outputs per tile: the classes of a classifier, or channels × height × width of a fully convolutional
    /// network (whose output is then laid out `(C, N, H, W)`: for one channel, tile n's map at `n · H · W`).
    public let outputs: Int
    let ops: [Op]
    private var bufA: [Float]
    private var bufB: [Float]
    private var col: [Float]
    private let workspace: GEMMWorkspace
    private let threads: Int
    /// The leading convolution (+ pooling) ops run tile by tile by ``FusedChain``, and how many ops it covers.
    let chain: FusedChain?
    private let chainOps: Int
    /// The whole network channel-interleaved (``InterleavedChain``), when it is a chain of "same" convolutions.
    let interleaved: InterleavedChain?
    private let interleavedMargin: Int

    /// Compiles `network`.
    /// - Parameters:
    ///   - batchSize: ≥ 1.
    ///   - threads: for the matrix multiplies and the fused convolutions (results do not depend on it).
    ///   - fused: run the leading stride-1 convolutions (with their pooling) through ``FusedChain``; false
    ///     keeps the generic im2col + GEMM path for every layer (the reference in tests).
    ///   - outputMargin: for a fully convolutional network whose every layer runs fused as a "same" convolution
    ///     (a per-pixel map of the tile's size): output pixels within this many of the tile's edges are not needed
    ///     (a caller that keeps only the tile's core), so neither they nor what only they depend on are computed,
    ///     and their values are unspecified. Ignored (everything computed) for any other network.
    ///   - winograd: run the fused unpooled 3×3 layers of at least 4 input channels as Winograd F(2, 3) down the
    ///     columns (``WinogradWeights``; the same values to float rounding); nil: where the build's registers make it
    ///     faster (AVX-512), the direct convolution elsewhere.
    ///   - interleave: run a network that is wholly "same" convolutions of at most 16 channels (the first layer's
    ///     input at most 4) channel-interleaved (``InterleavedChain``, with `winograd` for its 16-channel 3×3 layers:
    ///     the crack network 1.2-1.3× faster than through the planar chain, `Benchmarks/README.md`); nil or true:
    ///     where it applies, false: the planar chain.
    public init(network: Sequential, batchSize: Int = 64, threads: Int = 1, fused: Bool = true, outputMargin: Int = 0,
                winograd: Bool? = nil, interleave: Bool? = nil) {
        precondition(batchSize >= 1, "batch size must be positive")
        self.input = network.input
        self.batchSize = batchSize
        self.threads = max(1, threads)
        var ops: [Op] = []
        let layers = network.layers
        var i = 0
        func fusedActivation(at j: Int) -> (Kernels.Activation, Int) {
            if j < layers.count, let a = layers[j] as? Activation {
                switch a.kind {
                case .relu: return (.relu, 1)
                case .leakyReLU(let alpha): return (.leaky(alpha), 1)
                case .silu: return (.identity, 0)
                }
            }
            return (.identity, 0)
        }
        /// The weights of the linear layer at `j` with a BatchNorm right after it folded in, the activation after
        /// that fused, and the index of the first layer not taken.
        func folded(_ weight: [Float], _ bias: [Float], outputs: Int, after j: Int)
            -> (weight: [Float], bias: [Float], activation: Kernels.Activation, next: Int)
        {
            var (w, b, next) = (weight, bias, j + 1)
            if next < layers.count, let bn = layers[next] as? BatchNorm {
                Self.fold(bn, weight: &w, bias: &b, outputs: outputs)
                next += 1
            }
            let (act, skip) = fusedActivation(at: next)
            return (w, b, act, next + skip)
        }
        while i < layers.count {
            let l = layers[i]
            if let c = l as? Conv2D {
                let f = folded(c.weight.value, c.bias.value, outputs: c.outChannels, after: i)
                ops.append(.conv(weight: f.weight, bias: f.bias, out: c.outChannels, kernel: c.kernel, stride: c.stride,
                                 padding: c.padding, dilation: c.dilation, groups: c.groups, activation: f.activation))
                i = f.next
            } else if let d = l as? Dense {
                let f = folded(d.weight.value, d.bias.value, outputs: d.outFeatures, after: i)
                ops.append(.dense(weight: f.weight, bias: f.bias, out: d.outFeatures, activation: f.activation))
                i = f.next
            } else if let bn = l as? BatchNorm {
                let s = (0..<bn.channels).map { bn.gamma.value[$0] / (bn.runningVar.value[$0] + bn.epsilon).squareRoot() }
                ops.append(.scaleShift(scale: s, shift: (0..<bn.channels).map { bn.beta.value[$0] - bn.runningMean.value[$0] * s[$0] }))
                i += 1
            } else if let a = l as? Activation {
                ops.append(.activation(a.kind)); i += 1
            } else if let p = l as? Pool {
                ops.append(.pool(p.mode, kernel: p.kernel, stride: p.stride)); i += 1
            } else if l is GlobalAvgPool {
                ops.append(.globalAvgPool); i += 1
            } else if l is Flatten {
                ops.append(.flatten); i += 1
            } else {
                i += 1  // Dropout: identity at inference.
            }
        }
        self.ops = ops
        // The fusable prefix: stride-1, one-group convolutions, each optionally followed by 2×2 max pooling.
        var chainLayers: [FusedConv] = []
        var j = 0, ch = input.channels, h = input.height, w = input.width
        while fused, j < ops.count, case .conv(let wt, let b, let o, let k, let st, let p, let d, let groups, let act) = ops[j],
              st == 1, groups == 1 {
            var pool = false
            if j + 1 < ops.count, case .pool(.max, 2, 2) = ops[j + 1] { pool = true }
            guard let f = FusedConv(weight: wt, bias: b, inChannels: ch, outChannels: o, kernel: k, dilation: d,
                                    padding: p, inHeight: h, inWidth: w, pool: pool, activation: act,
                                    winograd: winograd ?? FusedConv.winogradByDefault)
                ?? (pool ? FusedConv(weight: wt, bias: b, inChannels: ch, outChannels: o, kernel: k, dilation: d,
                                     padding: p, inHeight: h, inWidth: w, pool: false, activation: act,
                                     winograd: winograd ?? FusedConv.winogradByDefault) : nil)
            else { break }
            chainLayers.append(f)
            ch = o; h = f.storedHeight; w = f.storedWidth
            j += f.pool ? 2 : 1
        }
        chainOps = j
        // A whole network of "same" convolutions (the per-pixel crack network) runs channel-interleaved, one tile
        // at a time; anything else through the planar fused chain.
        var specs: [(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, dilation: Int,
                     activation: Kernels.Activation)] = []
        var channels = input.channels, geometry: [(inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int,
                                                   dilation: Int, groups: Int)] = []
        for op in ops {
            guard case .conv(let wt, let b, let o, let k, let st, let p, let d, let groups, let act) = op else { specs = []; break }
            specs.append((wt, b, channels, o, k, d, act))
            geometry.append((channels, o, k, st, p, d, groups))
            channels = o
        }
        interleaved = fused && (interleave ?? true) && !specs.isEmpty && specs.count == ops.count
            && InterleavedChain.supports(geometry, width: input.width)
            ? InterleavedChain(layers: specs, height: input.height, width: input.width,
                               winograd: winograd ?? FusedConv.winogradByDefault) : nil
        interleavedMargin = outputMargin
        chain = chainLayers.isEmpty || interleaved != nil ? nil
            : FusedChain(layers: chainLayers, workers: self.threads, outputMargin: j == ops.count ? outputMargin : 0)
        // Size the buffers by walking the shapes once at full batch.
        var s = Shape(channels: input.channels, batch: batchSize, height: input.height, width: input.width)
        var maxAct = s.count, maxCol = 0
        for op in ops {
            let (next, colSize) = Self.shape(after: op, s)
            maxCol = max(maxCol, colSize)
            s = next
            maxAct = max(maxAct, s.count)
        }
        outputs = s.count / batchSize
        bufA = [Float](repeating: 0, count: maxAct)
        bufB = [Float](repeating: 0, count: maxAct)
        col = [Float](repeating: 0, count: max(1, maxCol))
        workspace = GEMMWorkspace(threads: self.threads)
    }

    /// Floats of column matrix per slice: 128 K floats (512 KB), so a slice's im2col output and its packed
    /// copy stay in L2.
    static let colBudget = 128 * 1024

    static func shape(after op: Op, _ s: Shape) -> (Shape, col: Int) {
        switch op {
        case .conv(_, _, let out, let k, let st, let p, let d, _, _):
            let g = Kernels.ConvGeometry(channels: s.channels, batch: s.batch, height: s.height, width: s.width,
                                         kernel: k, stride: st, padding: p, dilation: d)
            let hw = g.outHeight * g.outWidth
            let slice = max(1, min(s.batch, colBudget / max(1, g.colRows * hw)))
            return (Shape(channels: out, batch: s.batch, height: g.outHeight, width: g.outWidth), g.colRows * hw * slice)
        case .dense(_, _, let out, _): return (Shape(channels: out, batch: s.batch), 0)
        case .scaleShift, .activation: return (s, 0)
        case .pool(_, let k, let st):
            return (Shape(channels: s.channels, batch: s.batch, height: (s.height - k) / st + 1, width: (s.width - k) / st + 1), 0)
        case .globalAvgPool: return (Shape(channels: s.channels, batch: s.batch), 0)
        case .flatten: return (Shape(channels: s.channels * s.spatial, batch: s.batch), 0)
        }
    }

    /// Convolutions run fused, tile by tile (0 when the network starts with none that fit).
    public var fusedLayers: Int { interleaved?.layers.count ?? chain?.layers.count ?? 0 }

    /// The folded operations, one line each (for logs and tests).
    public var summary: [String] { ops.map { "\($0)".components(separatedBy: "(").first ?? "" } }

    /// Logits for `count` tiles.
    /// - Parameters:
    ///   - batch: `(input.channels, count, input.height, input.width)`, normalised as the model expects.
    ///   - count: 1...batchSize.
    /// - Returns: `(outputs, count)` logits, class-major: logit of class k for tile n at `k · count + n`.
    public func run(_ batch: [Float], count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: outputs * count)
        run(batch, count: count, into: &out)
        return out
    }

    /// Logits of one tile of a fully convolutional network when only `needed` of its output map is wanted: for a
    /// network that runs wholly fused as "same" convolutions (see `outputMargin` at init), only that region (in
    /// place of the init's margin) and what it depends on are computed; the rest of the map is unspecified. Any
    /// other network computes everything.
    public func run(_ tile: [Float], needed: OutputRegion) -> [Float] {
        var out = [Float](repeating: 0, count: outputs)
        run(tile, count: 1, into: &out, needed: needed)
        return out
    }

    /// As ``run(_:count:)`` but into a caller's buffer of at least `outputs × count` floats (no allocation).
    public func run(_ batch: [Float], count: Int, into out: inout [Float]) {
        run(batch, count: count, into: &out, needed: nil)
    }

    private func run(_ batch: [Float], count: Int, into out: inout [Float], needed: OutputRegion?) {
        precondition(count >= 1 && count <= batchSize, "count \(count) outside 1...\(batchSize)")
        var s = Shape(channels: input.channels, batch: count, height: input.height, width: input.width)
        precondition(batch.count >= s.count && out.count >= outputs * count, "buffer too small")
        var cur = 0  // 0: input array, 1: bufA, 2: bufB
        func source() -> [Float] { cur == 0 ? batch : (cur == 1 ? bufA : bufB) }
        if let interleaved {
            let h = input.height, w = input.width, m = max(0, min(interleavedMargin, (h - 1) / 2, (w - 1) / 2))
            let region = needed ?? OutputRegion(rows: m..<(h - m), columns: m..<(w - m))
            let plane = input.channels * h * w, outPlane = outputs
            unsafe batch.withUnsafeBufferPointer { xb in
                unsafe out.withUnsafeMutableBufferPointer { yb in
                    for n in 0..<count {
                        // One tile at a time; (C, N, H, W) tiles are gathered when count > 1.
                        if count == 1 {
                            unsafe interleaved.run(x: xb.baseAddress!, y: yb.baseAddress!, needed: region)
                        } else {
                            var tile = [Float](repeating: 0, count: plane)
                            for c in 0..<input.channels { for i in 0..<(h * w) { tile[c * h * w + i] = unsafe xb[(c * count + n) * h * w + i] } }
                            var y = [Float](repeating: 0, count: outPlane)
                            unsafe tile.withUnsafeBufferPointer { tb in
                                unsafe y.withUnsafeMutableBufferPointer { unsafe interleaved.run(x: tb.baseAddress!, y: $0.baseAddress!, needed: region) }
                            }
                            let oc = outPlane / (h * w)
                            for c in 0..<oc { for i in 0..<(h * w) { unsafe yb[(c * count + n) * h * w + i] = y[c * h * w + i] } }
                        }
                    }
                }
            }
            return
        }
        if let chain {
            chain.run(x: batch, batch: count, y: &bufA, needed: chainOps == ops.count && count == 1 ? needed : nil)
            for op in ops[0..<chainOps] { s = Self.shape(after: op, s).0 }
            cur = 1
        }
        for op in ops[chainOps...] {
            let (next, _) = Self.shape(after: op, s)
            // In-place ops work on the current buffer; the rest write to the other one.
            switch op {
            case .conv(let w, let b, let o, let k, let st, let p, let d, let groups, let act):
                let g = Kernels.ConvGeometry(channels: s.channels, batch: s.batch, height: s.height, width: s.width,
                                             kernel: k, stride: st, padding: p, dilation: d)
                let target = cur == 1 ? 2 : 1
                let src = source()
                if target == 1 {
                    Self.convolve(g, weight: w, bias: b, out: o, groups: groups, activation: act, x: src, y: &bufA,
                                  col: &col, workspace: workspace, threads: threads)
                } else {
                    Self.convolve(g, weight: w, bias: b, out: o, groups: groups, activation: act, x: src, y: &bufB,
                                  col: &col, workspace: workspace, threads: threads)
                }
                cur = target
            case .dense(let w, let b, let o, let act):
                let n = s.batch, target = cur == 1 ? 2 : 1
                let src = source()
                if target == 1 {
                    GEMM.multiply(m: o, n: n, k: s.channels, a: w, lda: s.channels, b: src, ldb: n, c: &bufA, ldc: n,
                                  threads: threads, workspace: workspace)
                    Kernels.biasActivate(&bufA, bias: b, planeCount: n, activation: act)
                } else {
                    GEMM.multiply(m: o, n: n, k: s.channels, a: w, lda: s.channels, b: src, ldb: n, c: &bufB, ldc: n,
                                  threads: threads, workspace: workspace)
                    Kernels.biasActivate(&bufB, bias: b, planeCount: n, activation: act)
                }
                cur = target
            case .pool(let mode, let k, let st):
                let target = cur == 1 ? 2 : 1
                let src = source()
                var none: [Int32]? = nil
                let planes = s.channels * s.batch
                if target == 1 {
                    if mode == .max { Kernels.maxPool(x: src, planes: planes, height: s.height, width: s.width, kernel: k, stride: st, y: &bufA, argmax: &none) }
                    else { Kernels.avgPool(x: src, planes: planes, height: s.height, width: s.width, kernel: k, stride: st, y: &bufA) }
                } else {
                    if mode == .max { Kernels.maxPool(x: src, planes: planes, height: s.height, width: s.width, kernel: k, stride: st, y: &bufB, argmax: &none) }
                    else { Kernels.avgPool(x: src, planes: planes, height: s.height, width: s.width, kernel: k, stride: st, y: &bufB) }
                }
                cur = target
            case .globalAvgPool:
                let target = cur == 1 ? 2 : 1
                let src = source()
                if target == 1 { Kernels.planeMeans(x: src, planes: s.channels * s.batch, length: s.spatial, y: &bufA) }
                else { Kernels.planeMeans(x: src, planes: s.channels * s.batch, length: s.spatial, y: &bufB) }
                cur = target
            case .flatten, .scaleShift, .activation:
                // Rare at inference: generic loops, copying into the other buffer.
                let target = cur == 1 ? 2 : 1
                let src = source()
                var dst = target == 1 ? bufA : bufB
                if target == 1 { bufA = [] } else { bufB = [] }  // keep dst uniquely referenced
                Self.generic(op, s, src, &dst)
                if target == 1 { bufA = dst } else { bufB = dst }
                cur = target
            }
            s = next
        }
        let res = source()
        for i in 0..<(outputs * count) { out[i] = res[i] }
    }

    /// Folds an inference-mode batch norm into the layer before it: each output's weights scaled by
    /// `γ / √(var + ε)`, its bias moved by the running mean and shifted by `β`.
    /// - Parameters: weight: `outputs × (inputs per output)`; bias: `outputs`.
    static func fold(_ bn: BatchNorm, weight w: inout [Float], bias b: inout [Float], outputs: Int) {
        let per = w.count / outputs
        for o in 0..<outputs {
            let s = bn.gamma.value[o] / (bn.runningVar.value[o] + bn.epsilon).squareRoot()
            for k in 0..<per { w[o * per + k] *= s }
            b[o] = (b[o] - bn.runningMean.value[o]) * s + bn.beta.value[o]
        }
    }

    /// One convolution over a `(C, N, H, W)` batch by im2col + ``GEMM`` (a direct GEMM for 1×1 stride-1
    /// convolutions), then bias and activation: the generic path of every convolution that does not run fused.
    /// - Parameters: g: the input's geometry and the convolution's; weight `(out, C / groups, k, k)`; x: the input;
    ///   y: at least `out × N × Ho × Wo` floats; col: scratch of at least ``shape(after:_:)``'s column size.
    static func convolve(_ g: Kernels.ConvGeometry, weight w: [Float], bias b: [Float], out o: Int, groups: Int,
                         activation act: Kernels.Activation, x src: [Float], y: inout [Float], col: inout [Float],
                         workspace: GEMMWorkspace, threads: Int) {
        let direct = g.kernel == 1 && g.stride == 1 && g.padding == 0
        let m = o / groups, kg = g.channels / groups * g.kernel * g.kernel, n = g.colCols
        // Column matrix per slice of the batch, sized to stay in L2 (see colBudget).
        let hw = g.outHeight * g.outWidth, plane = g.batch * g.height * g.width
        let slice = direct ? g.batch : max(1, min(g.batch, colBudget / max(1, g.colRows * hw)))
        var n0 = 0
        while n0 < g.batch {
            let ns = min(slice, g.batch - n0)
            var sg = g
            sg.batch = ns
            if !direct {
                Kernels.im2col(sg, x: src, xOffset: n0 * g.height * g.width, channelStride: plane, col: &col)
            }
            let bsrc = direct ? src : col
            let ldb = direct ? n : ns * hw, bBase = direct ? n0 * hw : 0
            for gi in 0..<groups {
                GEMM.multiply(m: m, n: ns * hw, k: kg, a: w, aOffset: gi * m * kg, lda: kg, b: bsrc,
                              bOffset: bBase + gi * kg * ldb, ldb: ldb, c: &y, cOffset: gi * m * n + n0 * hw,
                              ldc: n, threads: threads, workspace: workspace)
            }
            n0 += ns
        }
        Kernels.biasActivate(&y, bias: b, planeCount: n, activation: act)
    }

    private static func generic(_ op: Op, _ s: Shape, _ src: [Float], _ dst: inout [Float]) {
        switch op {
        case .flatten:
            for c in 0..<s.channels {
                for n in 0..<s.batch {
                    for p in 0..<s.spatial { dst[(c * s.spatial + p) * s.batch + n] = src[(c * s.batch + n) * s.spatial + p] }
                }
            }
        case .scaleShift(let scale, let shift):
            let len = s.planeCount
            for c in 0..<s.channels { for i in (c * len)..<((c + 1) * len) { dst[i] = src[i] * scale[c] + shift[c] } }
        case .activation(let kind):
            for i in 0..<s.count { dst[i] = kind.apply(src[i]) }
        default: preconditionFailure("not a generic op")
        }
    }
}
