/// A learnable (or stored) array of a layer: weights, biases, batch-norm statistics.
public final class Parameter {
    /// Name unique within its layer (`weight`, `bias`, `runningMean`, …).
    public let name: String
    /// Logical shape (for model files and checks).
    public let shape: [Int]
    /// The values.
    public var value: [Float]
    /// The gradient of the loss, accumulated by `backward` (zeroed by ``Sequential/zeroGradients()``).
    public var grad: [Float]
    /// False for state that the optimiser must not touch (running statistics).
    public let trainable: Bool
    /// Whether weight decay applies (weights yes; biases and norm parameters no).
    public let decays: Bool

    /// - Parameters: value: `shape.reduce(1, *)` elements.
    public init(name: String, shape: [Int], value: [Float], trainable: Bool = true, decays: Bool = true) {
        precondition(value.count == shape.reduce(1, *), "parameter \(name) value does not fill \(shape)")
        self.name = name
        self.shape = shape
        self.value = value
        self.grad = [Float](repeating: 0, count: value.count)
        self.trainable = trainable
        self.decays = decays
    }
}

/// How a forward or backward pass runs.
public struct PassContext {
    /// Training mode: batch statistics in batch norm, dropout active, activations cached for `backward`.
    public var training: Bool
    /// Threads for the matrix multiplies (results do not depend on it).
    public var threads: Int
    /// Packing buffers shared by the layers of one model (not across concurrent passes).
    public let workspace: GEMMWorkspace

    /// - Parameters: threads ≥ 1.
    public init(training: Bool, threads: Int = 1, workspace: GEMMWorkspace? = nil) {
        self.training = training
        self.threads = max(1, threads)
        self.workspace = workspace ?? GEMMWorkspace(threads: threads)
    }
}

/// One layer: a forward pass and its backward pass (llm.c style pairs).
///
/// `forward` in training mode caches what `backward` needs; `backward` takes the gradient of the loss with
/// respect to the output and returns it with respect to the input, adding parameter gradients to
/// ``Parameter/grad``. Tensors are `(C, N, H, W)` (see ``Shape``).
public protocol Layer: ParameterHolder {
    /// The layer's entry in the architecture description.
    var spec: LayerSpec { get }
    /// The output shape for an input shape. - Precondition: the input fits the layer.
    func outputShape(for input: Shape) -> Shape
    /// Forward pass.
    func forward(_ x: Tensor, context: PassContext) -> Tensor
    /// Backward pass; call after a training-mode `forward`.
    func backward(_ dy: Tensor, context: PassContext) -> Tensor
    /// Parameters and stored state, in a fixed order (the model-file order).
    var parameters: [Parameter] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
}

/// Anything holding parameters in model-file order (layers, sequences, graphs): flattening and loading the weights
/// a model file stores.
public protocol ParameterHolder: AnyObject {
    /// Parameters and stored state, in model-file order.
    var parameters: [Parameter] { get }
}

extension ParameterHolder {

    /// Every parameter's values in model-file order, flattened (what a model file stores).
    public func flatWeights() -> [Float] { parameters.flatMap(\.value) }

    /// Replaces all parameter values. - Precondition: `weights.count` equals the total parameter count.
    public func load(flatWeights weights: [Float]) {
        let ps = parameters
        precondition(weights.count == ps.reduce(0) { $0 + $1.value.count }, "weight count mismatch")
        var o = 0
        for p in ps {
            p.value = Array(weights[o..<(o + p.value.count)])
            o += p.value.count
        }
    }
}
