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
public protocol Layer: AnyObject {
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
