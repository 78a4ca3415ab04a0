/// A network whose layers may read any earlier output: encoder-decoders with skip connections (U-Net style).
///
/// Built from an ``Architecture`` in the schema of `shared/bench/README.md`: a layer may carry an `id`, and a later
/// layer may name its `inputs` (ids, or `input` for the network's input); without `inputs` a layer reads the
/// previous layer's output. `concat` joins channels (of the previous output and its `inputs`, or of its `inputs`
/// alone when it names two or more), `add` sums them (same shape), `upsample` enlarges by an integer scale
/// (nearest). Every other type is a layer of ``Sequential/init(architecture:seed:)`` with the same seeded
/// initialisation, so a graph without skips equals the sequence of its layers.
///
/// A graph is itself a ``Layer``: its backward pass routes gradients back along every edge (a split output's
/// gradients add up) and is checked against finite differences like any layer.
public final class Graph: Layer {
    /// What a node does.
    enum Operation {
        case layer(any Layer)
        case concat
        case add
    }

    /// One node: its operation, the nodes it reads (−1 is the network's input) and its architecture entry.
    struct Node {
        let operation: Operation
        let inputs: [Int]
        let spec: LayerSpec
    }

    /// Input channels and tile size.
    public let input: InputSpec
    let nodes: [Node]
    /// Forward outputs of the last training-mode pass, for `backward`.
    private var cached: [Tensor] = []
    private var cachedInput: Shape?

    /// Builds the nodes of `architecture` with seeded initial weights (same seed → identical weights).
    /// - Throws: ``ArchitectureError`` for an unknown type or input name, a missing field, or shapes that do not fit
    ///   (channels of a convolution, sizes of a `concat` or `add`).
    public init(architecture: Architecture, seed: UInt64) throws(ArchitectureError) {
        var rng = RandomSource(seed: seed)
        input = architecture.input
        var shapes: [Shape] = []
        let inputShape = try architecture.inputShape()
        var ids: [String: Int] = ["input": -1]
        var built: [Node] = []
        for (i, s) in architecture.layers.enumerated() {
            func fail(_ m: String) -> ArchitectureError { ArchitectureError(layer: i, message: m) }
            func shape(_ k: Int) -> Shape { k < 0 ? inputShape : shapes[k] }
            var reads: [Int] = []
            for name in s.inputs ?? [] {
                guard let k = ids[name] else { throw fail("unknown input \(name)") }
                reads.append(k)
            }
            let type = s.type.lowercased()
            if type == "concat" || type == "add" {
                if reads.count < 2 { reads.insert(i - 1, at: 0) }
                let first = shape(reads[0])
                for k in reads {
                    let t = shape(k)
                    guard t.height == first.height && t.width == first.width else {
                        throw fail("\(type) of \(first) and \(t): sizes differ")
                    }
                    guard type == "concat" || t.channels == first.channels else {
                        throw fail("add of \(first) and \(t): channels differ")
                    }
                }
                let channels = type == "concat" ? reads.reduce(0) { $0 + shape($1).channels } : first.channels
                shapes.append(Shape(channels: channels, batch: 1, height: first.height, width: first.width))
                built.append(Node(operation: type == "concat" ? .concat : .add, inputs: reads, spec: s))
            } else {
                guard reads.count <= 1 else { throw fail("\(type) reads one input, not \(reads.count)") }
                let source = reads.first ?? i - 1
                let layer = try buildLayer(s, input: shape(source), index: i, rng: &rng)
                shapes.append(layer.outputShape(for: shape(source)))
                built.append(Node(operation: .layer(layer), inputs: [source], spec: s))
            }
            if let id = s.id {
                guard ids[id] == nil else { throw fail("id \(id) used twice") }
                ids[id] = i
            }
        }
        guard !built.isEmpty else { throw ArchitectureError(layer: 0, message: "a graph needs at least one layer") }
        nodes = built
    }

    /// The architecture this graph was built from (ids and inputs kept).
    public var architecture: Architecture { Architecture(input: input, layers: nodes.map(\.spec)) }

    public var spec: LayerSpec { LayerSpec(type: "graph") }

    /// All parameters and state, node by node, in model-file order.
    public var parameters: [Parameter] {
        nodes.flatMap { n -> [Parameter] in
            if case .layer(let l) = n.operation { return l.parameters }
            return []
        }
    }

    /// Shapes of every node's output for an input shape.
    func shapes(for x: Shape) -> [Shape] {
        var out: [Shape] = []
        for n in nodes {
            func shape(_ k: Int) -> Shape { k < 0 ? x : out[k] }
            switch n.operation {
            case .layer(let l): out.append(l.outputShape(for: shape(n.inputs[0])))
            case .concat:
                let first = shape(n.inputs[0])
                out.append(Shape(channels: n.inputs.reduce(0) { $0 + shape($1).channels }, batch: first.batch,
                                 height: first.height, width: first.width))
            case .add: out.append(shape(n.inputs[0]))
            }
        }
        return out
    }

    public func outputShape(for input: Shape) -> Shape { shapes(for: input).last! }

    /// Multiply-adds of the convolutions and dense layers per pixel of the input, the network's cost measure.
    public var multiplyAddsPerPixel: Double {
        let x = Shape(channels: input.channels, batch: 1, height: input.height, width: input.width)
        let all = shapes(for: x)
        var total = 0.0
        for (i, n) in nodes.enumerated() {
            guard case .layer(let l) = n.operation else { continue }
            if let c = l as? Conv2D {
                let out = all[i]
                total += Double(out.count) * Double(c.inChannels / c.groups * c.kernel * c.kernel)
            } else if let d = l as? Dense {
                total += Double(d.inFeatures * d.outFeatures)
            }
        }
        return total / Double(max(1, input.height * input.width))
    }

    /// Pixels of context an output pixel needs on each side (at the input's resolution), and the input pixels per
    /// pixel of the coarsest node (tiles must start on multiples of it for a tiled map to have no seams): each
    /// convolution adds its half-width times the stride so far, an upsampling adds one pixel of the coarser grid.
    public var receptiveField: (radius: Int, alignment: Int) {
        var radius: [Double] = [], step: [Double] = []
        var coarsest = 1.0
        for n in nodes {
            let r0 = n.inputs.map { $0 < 0 ? 0 : radius[$0] }.max() ?? 0
            let j0 = n.inputs.map { $0 < 0 ? 1 : step[$0] }.min() ?? 1
            var r = r0, j = j0
            if case .layer(let l) = n.operation {
                if let c = l as? Conv2D {
                    r += Double(c.dilation * (c.kernel - 1) / 2) * j0 + Double(c.stride - 1) * j0
                    j = j0 * Double(c.stride)
                } else if let p = l as? Pool {
                    r += Double(p.kernel - 1) * j0
                    j = j0 * Double(p.stride)
                } else if let u = l as? Upsample {
                    r += j0
                    j = j0 / Double(u.scale)
                }
            }
            coarsest = max(coarsest, j)
            radius.append(r); step.append(j)
        }
        return (Int((radius.last ?? 0).rounded(.up)), Int(coarsest))
    }

    /// Runs every node. - Parameters: x: `(input.channels, N, H, W)`; training mode keeps the outputs for backward.
    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        var outputs: [Tensor] = []
        outputs.reserveCapacity(nodes.count)
        for n in nodes {
            func value(_ k: Int) -> Tensor { k < 0 ? x : outputs[k] }
            switch n.operation {
            case .layer(let l):
                outputs.append(l.forward(value(n.inputs[0]), context: context))
            case .concat:
                // Channel-major (C, N, H, W): joining channels is joining the element arrays.
                let parts = n.inputs.map(value)
                let first = parts[0].shape
                let shape = Shape(channels: parts.reduce(0) { $0 + $1.shape.channels }, batch: first.batch,
                                  height: first.height, width: first.width)
                outputs.append(Tensor(shape: shape, data: parts.flatMap(\.data)))
            case .add:
                var sum = value(n.inputs[0])
                for k in n.inputs.dropFirst() {
                    let t = value(k)
                    for i in sum.data.indices { sum.data[i] += t.data[i] }
                }
                outputs.append(sum)
            }
        }
        if context.training {
            cached = outputs
            cachedInput = x.shape
        }
        return outputs[outputs.count - 1]
    }

    /// Back-propagates `dy` along every edge, accumulating parameter gradients; returns the input's gradient.
    /// Call after a training-mode ``forward(_:context:)``.
    @discardableResult
    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let inputShape = cachedInput, cached.count == nodes.count else {
            preconditionFailure("Graph.backward needs a training-mode forward first")
        }
        var grads = [Tensor?](repeating: nil, count: nodes.count)
        var inputGrad = Tensor(zeros: inputShape)
        grads[nodes.count - 1] = dy
        func accumulate(_ k: Int, _ g: Tensor) {
            if k < 0 {
                for i in inputGrad.data.indices { inputGrad.data[i] += g.data[i] }
            } else if var have = grads[k] {
                for i in have.data.indices { have.data[i] += g.data[i] }
                grads[k] = have
            } else {
                grads[k] = g
            }
        }
        for i in nodes.indices.reversed() {
            // A node whose output reaches nothing still runs its layer's backward with zeros, so that every
            // layer's cached state is consumed alike.
            let g = grads[i] ?? Tensor(zeros: cached[i].shape)
            let n = nodes[i]
            switch n.operation {
            case .layer(let l):
                accumulate(n.inputs[0], l.backward(g, context: context))
            case .concat:
                var offset = 0
                for k in n.inputs {
                    let s = k < 0 ? inputShape : cached[k].shape
                    accumulate(k, Tensor(shape: s, data: Array(g.data[offset..<(offset + s.count)])))
                    offset += s.count
                }
            case .add:
                for k in n.inputs { accumulate(k, g) }
            }
        }
        return inputGrad
    }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        for p in parameters { for i in p.grad.indices { p.grad[i] = 0 } }
    }
}
