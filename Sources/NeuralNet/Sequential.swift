/// A chain of layers: the trainable network.
public final class Sequential: ParameterHolder {
    /// Input channels and tile size.
    public let input: InputSpec
    /// The layers, first to last.
    public let layers: [any Layer]

    /// - Precondition: the layers fit the input shape one after another.
    public init(input: InputSpec, layers: [any Layer]) {
        self.input = input
        self.layers = layers
        var s = Shape(channels: input.channels, batch: 1, height: input.height, width: input.width)
        for l in layers { s = l.outputShape(for: s) }
    }

    /// The architecture description (for `NAME.arch.json` and model files).
    public var architecture: Architecture { Architecture(input: input, layers: layers.map(\.spec)) }

    /// All parameters and state, layer by layer, in model-file order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Output shape for a batch of `n`.
    public func outputShape(batch n: Int) -> Shape {
        var s = Shape(channels: input.channels, batch: n, height: input.height, width: input.width)
        for l in layers { s = l.outputShape(for: s) }
        return s
    }

    /// Runs every layer. - Parameters: x: `(input.channels, N, input.height, input.width)`.
    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        precondition(x.shape.channels == input.channels && x.shape.height == input.height
                     && x.shape.width == input.width, "input \(x.shape) does not fit \(input)")
        var t = x
        for l in layers { t = l.forward(t, context: context) }
        return t
    }

    /// Back-propagates `dy` (gradient of the loss w.r.t. the output) through every layer, accumulating
    /// parameter gradients; returns the gradient w.r.t. the input.
    @discardableResult
    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        var g = dy
        for l in layers.reversed() { g = l.backward(g, context: context) }
        return g
    }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        for p in parameters { for i in p.grad.indices { p.grad[i] = 0 } }
    }
}
