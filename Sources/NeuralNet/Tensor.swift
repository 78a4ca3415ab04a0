/// The shape of a ``Tensor``: channels, batch, height, width.
///
/// Tensors are stored channel-major, `(C, N, H, W)`: each channel holds the whole batch, so a convolution
/// over a batch is one matrix multiply (`Cout × N·H·W`) and batch norm reads one contiguous run per channel.
public struct Shape: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Channels (features for dense layers, classes for logits).
    public var channels: Int
    /// Samples in the batch.
    public var batch: Int
    /// Rows per sample (1 after global pooling).
    public var height: Int
    /// Columns per sample (1 after global pooling).
    public var width: Int

    /// - Parameters: all ≥ 0.
    public init(channels: Int, batch: Int, height: Int = 1, width: Int = 1) {
        precondition(channels >= 0 && batch >= 0 && height >= 0 && width >= 0, "negative shape")
        self.channels = channels
        self.batch = batch
        self.height = height
        self.width = width
    }

    /// Elements in the tensor.
    public var count: Int { channels * batch * height * width }
    /// Elements per channel (`batch × height × width`).
    public var planeCount: Int { batch * height * width }
    /// Pixels per sample and channel.
    public var spatial: Int { height * width }
    /// The same shape with another batch size.
    public func with(batch n: Int) -> Shape { Shape(channels: channels, batch: n, height: height, width: width) }

    public var description: String { "(\(channels), \(batch), \(height), \(width))" }
}

/// A float32 tensor in `(C, N, H, W)` order (see ``Shape``). Value type; copies share storage until written.
public struct Tensor: Sendable, Equatable {
    /// The shape.
    public var shape: Shape
    /// The elements, `shape.count` long, index `((c · N + n) · H + y) · W + x`.
    public var data: [Float]

    /// A tensor of zeros.
    public init(zeros shape: Shape) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.count)
    }

    /// Wraps elements. - Precondition: `data.count == shape.count`.
    public init(shape: Shape, data: [Float]) {
        precondition(data.count == shape.count, "tensor data \(data.count) does not fill \(shape)")
        self.shape = shape
        self.data = data
    }

    /// Element `(c, n, y, x)`.
    public subscript(c: Int, n: Int, y: Int, x: Int) -> Float {
        get { data[((c * shape.batch + n) * shape.height + y) * shape.width + x] }
        set { data[((c * shape.batch + n) * shape.height + y) * shape.width + x] = newValue }
    }
}
