import Foundation

/// A trained ``Graph`` (an encoder-decoder with skip connections) compiled for inference, as ``InferenceModel``
/// does for a ``Sequential``: batch norm folded into the convolution before it, ReLU / leaky ReLU fused into the
/// convolution's store, stride-1 convolutions run by the fused gather + micro-kernel path (``FusedChain``, one layer
/// at a time), strided ones by im2col + ``GEMM`` (``InferenceModel/convolve(_:weight:bias:out:groups:activation:x:y:col:workspace:threads:)``),
/// and every node's output buffer allocated once for `batchSize` tiles, so a run allocates nothing but its result.
///
/// The reference is ``Graph/forward(_:context:)`` in inference mode; tests compare the two at awkward shapes.
/// One instance is one worker: not for concurrent use.
public final class GraphInference {
    enum Step {
        case conv(weight: [Float], bias: [Float], out: Int, kernel: Int, stride: Int, padding: Int, dilation: Int,
                  groups: Int, activation: Kernels.Activation, fused: FusedChain?)
        case upsample(scale: Int)
        case concat
        case add
        case activation(Activation.Kind)
        case scaleShift(scale: [Float], shift: [Float])
    }

    /// One compiled step: what it does, the steps it reads (−1: the input) and its output per tile.
    struct Compiled {
        let step: Step
        let inputs: [Int]
        let shape: Shape
    }

    /// Input channels and tile size.
    public let input: InputSpec
    /// Most tiles per ``run(_:count:)`` call.
    public let batchSize: Int
    /// The output per tile: channels (e.g. class logits) × height × width.
    public let output: Shape
    let steps: [Compiled]
    private var values: [[Float]]
    private var col: [Float]
    private let workspace: GEMMWorkspace
    private let threads: Int

    /// Compiles `graph` for tiles of its input size.
    /// - Parameters: batchSize: ≥ 1; threads: of the matrix multiplies and fused convolutions (results do not
    ///   depend on it).
    /// - Throws: ``ArchitectureError`` for a node inference does not run (dense, pooling or dropout in a
    ///   per-pixel graph).
    public init(graph: Graph, batchSize: Int = 1, threads: Int = 1) throws(ArchitectureError) {
        precondition(batchSize >= 1, "batch size must be positive")
        input = graph.input
        self.batchSize = batchSize
        self.threads = max(1, threads)
        let nodes = graph.nodes
        let inputShape = Shape(channels: input.channels, batch: 1, height: input.height, width: input.width)
        let shapes = graph.shapes(for: inputShape)
        // How many nodes read each node's output (the last node is read by the caller).
        var readers = [Int](repeating: 0, count: nodes.count)
        for n in nodes { for k in n.inputs where k >= 0 { readers[k] += 1 } }
        readers[nodes.count - 1] += 1
        var slot = [Int](repeating: -1, count: nodes.count)  // node → compiled step
        var compiled: [Compiled] = []
        var i = 0
        func shapeOf(_ k: Int) -> Shape { k < 0 ? inputShape : compiled[k].shape }
        while i < nodes.count {
            let n = nodes[i]
            let reads = n.inputs.map { $0 < 0 ? -1 : slot[$0] }
            /// Whether node `j` reads only node `j − 1`, which nothing else reads (so the two can fuse).
            func fusable(_ j: Int) -> Bool { j < nodes.count && nodes[j].inputs == [j - 1] && readers[j - 1] == 1 }
            switch n.operation {
            case .concat:
                compiled.append(Compiled(step: .concat, inputs: reads, shape: shapes[i])); slot[i] = compiled.count - 1
                i += 1
            case .add:
                compiled.append(Compiled(step: .add, inputs: reads, shape: shapes[i])); slot[i] = compiled.count - 1
                i += 1
            case .layer(let l):
                var last = i
                let step: Step
                if let c = l as? Conv2D {
                    var w = c.weight.value, b = c.bias.value
                    if fusable(last + 1), case .layer(let nl) = nodes[last + 1].operation, let bn = nl as? BatchNorm {
                        InferenceModel.fold(bn, weight: &w, bias: &b, outputs: c.outChannels)
                        last += 1
                    }
                    var act = Kernels.Activation.identity
                    if fusable(last + 1), case .layer(let nl) = nodes[last + 1].operation, let a = nl as? Activation {
                        switch a.kind {
                        case .relu: act = .relu; last += 1
                        case .leakyReLU(let alpha): act = .leaky(alpha); last += 1
                        case .silu: break
                        }
                    }
                    let from = shapeOf(reads[0])
                    let fused = c.stride == 1 && c.groups == 1
                        ? FusedConv(weight: w, bias: b, inChannels: c.inChannels, outChannels: c.outChannels,
                                    kernel: c.kernel, dilation: c.dilation, padding: c.padding, inHeight: from.height,
                                    inWidth: from.width, pool: false, activation: act)
                            .map { FusedChain(layers: [$0], workers: max(1, threads)) }
                        : nil
                    step = .conv(weight: w, bias: b, out: c.outChannels, kernel: c.kernel, stride: c.stride,
                                 padding: c.padding, dilation: c.dilation, groups: c.groups, activation: act, fused: fused)
                } else if let u = l as? Upsample {
                    step = .upsample(scale: u.scale)
                } else if let a = l as? Activation {
                    step = .activation(a.kind)
                } else if let bn = l as? BatchNorm {
                    let s = (0..<bn.channels).map { bn.gamma.value[$0] / (bn.runningVar.value[$0] + bn.epsilon).squareRoot() }
                    step = .scaleShift(scale: s, shift: (0..<bn.channels).map { bn.beta.value[$0] - bn.runningMean.value[$0] * s[$0] })
                } else {
                    throw ArchitectureError(layer: i, message: "\(n.spec.type) is not run by graph inference")
                }
                compiled.append(Compiled(step: step, inputs: reads, shape: shapes[last]))
                for k in i...last { slot[k] = compiled.count - 1 }
                i = last + 1
            }
        }
        steps = compiled
        output = compiled[compiled.count - 1].shape
        values = compiled.map { [Float](repeating: 0, count: $0.shape.count * batchSize) }
        var maxCol = 1
        for c in compiled {
            guard case .conv(_, _, _, let k, let st, let p, let d, _, _, let fused) = c.step, fused == nil else { continue }
            let from = shapeOf(c.inputs[0])
            let g = Kernels.ConvGeometry(channels: from.channels, batch: batchSize, height: from.height, width: from.width,
                                         kernel: k, stride: st, padding: p, dilation: d)
            let hw = g.outHeight * g.outWidth
            let slice = max(1, min(batchSize, InferenceModel.colBudget / max(1, g.colRows * hw)))
            maxCol = max(maxCol, g.colRows * hw * slice)
        }
        col = [Float](repeating: 0, count: maxCol)
        workspace = GEMMWorkspace(threads: self.threads)
    }

    /// Steps after compilation (convolutions with their folded batch norm and activation count once).
    public var stepCount: Int { steps.count }
    /// Convolutions that run fused.
    public var fusedConvolutions: Int {
        steps.reduce(0) { n, c in
            if case .conv(_, _, _, _, _, _, _, _, _, let f) = c.step, f != nil { return n + 1 }
            return n
        }
    }

    /// Runs `count` tiles.
    /// - Parameters: batch: `(input.channels, count, input.height, input.width)`; count: 1...batchSize.
    /// - Returns: `(output.channels, count, output.height, output.width)`.
    public func run(_ batch: [Float], count: Int) -> [Float] {
        precondition(count >= 1 && count <= batchSize, "count \(count) outside 1...\(batchSize)")
        precondition(batch.count >= input.channels * count * input.height * input.width, "input too small")
        let inShape = Shape(channels: input.channels, batch: count, height: input.height, width: input.width)
        for (index, c) in steps.enumerated() {
            func shape(_ k: Int) -> Shape {
                let s = k < 0 ? inShape : steps[k].shape
                return Shape(channels: s.channels, batch: count, height: s.height, width: s.width)
            }
            func value(_ k: Int) -> [Float] { k < 0 ? batch : values[k] }
            var y = values[index]
            values[index] = []  // y uniquely referenced while written
            let from = shape(c.inputs[0])
            switch c.step {
            case .conv(let w, let b, let o, let k, let st, let p, let d, let groups, let act, let fused):
                if let fused {
                    fused.run(x: value(c.inputs[0]), batch: count, y: &y)
                } else {
                    let g = Kernels.ConvGeometry(channels: from.channels, batch: count, height: from.height,
                                                 width: from.width, kernel: k, stride: st, padding: p, dilation: d)
                    InferenceModel.convolve(g, weight: w, bias: b, out: o, groups: groups, activation: act,
                                            x: value(c.inputs[0]), y: &y, col: &col, workspace: workspace, threads: threads)
                }
            case .upsample(let s):
                Self.upsample(value(c.inputs[0]), planes: from.channels * count, height: from.height, width: from.width,
                              scale: s, into: &y)
            case .concat:
                var offset = 0
                for k in c.inputs {
                    let part = value(k), n = shape(k).count
                    for j in 0..<n { y[offset + j] = part[j] }
                    offset += n
                }
            case .add:
                let n = from.count
                let first = value(c.inputs[0])
                for j in 0..<n { y[j] = first[j] }
                for k in c.inputs.dropFirst() {
                    let part = value(k)
                    for j in 0..<n { y[j] += part[j] }
                }
            case .activation(let kind):
                let x = value(c.inputs[0])
                for j in 0..<from.count { y[j] = kind.apply(x[j]) }
            case .scaleShift(let scale, let shift):
                let x = value(c.inputs[0]), len = from.planeCount
                for ch in 0..<from.channels {
                    for j in (ch * len)..<((ch + 1) * len) { y[j] = x[j] * scale[ch] + shift[ch] }
                }
            }
            values[index] = y
        }
        let outCount = output.channels * count * output.height * output.width
        return Array(values[steps.count - 1][0..<outCount])
    }

    /// Nearest-neighbour enlargement of `planes` planes of `height × width` by `scale` into `y`.
    static func upsample(_ x: [Float], planes: Int, height: Int, width: Int, scale s: Int, into y: inout [Float]) {
        let ow = width * s, oh = height * s
        for p in 0..<planes {
            let src = p * height * width, dst = p * oh * ow
            for iy in 0..<height {
                let sr = src + iy * width, first = dst + iy * s * ow
                // Widen one row, then copy it to the block's other rows.
                for ix in 0..<width {
                    let v = x[sr + ix], o = first + ix * s
                    for k in 0..<s { y[o + k] = v }
                }
                for r in 1..<max(1, s) {
                    let o = first + r * ow
                    for j in 0..<ow { y[o + j] = y[first + j] }
                }
            }
        }
    }
}
