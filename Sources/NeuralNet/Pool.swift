/// Max or average pooling, window `kernel`, stride `stride`, no padding.
public final class Pool: Layer {
    /// Pooling function.
    public enum Mode: Sendable, Hashable { case max, average }
    public let mode: Mode, kernel: Int, stride: Int
    private var argmax: [Int32]? = nil
    private var cachedInput: Shape?

    public init(_ mode: Mode, kernel: Int, stride: Int? = nil) {
        self.mode = mode
        self.kernel = kernel
        self.stride = stride ?? kernel
    }

    public var spec: LayerSpec { LayerSpec(type: mode == .max ? "maxpool" : "avgpool", kernel: kernel, stride: stride) }

    public func outputShape(for input: Shape) -> Shape {
        precondition(input.height >= kernel && input.width >= kernel, "pooling window larger than \(input)")
        return Shape(channels: input.channels, batch: input.batch,
                     height: (input.height - kernel) / stride + 1, width: (input.width - kernel) / stride + 1)
    }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        var y = Tensor(zeros: outputShape(for: x.shape))
        let planes = x.shape.channels * x.shape.batch
        switch mode {
        case .max:
            var idx: [Int32]? = context.training ? [] : nil
            Kernels.maxPool(x: x.data, planes: planes, height: x.shape.height, width: x.shape.width,
                            kernel: kernel, stride: stride, y: &y.data, argmax: &idx)
            if context.training { argmax = idx }
        case .average:
            Kernels.avgPool(x: x.data, planes: planes, height: x.shape.height, width: x.shape.width,
                            kernel: kernel, stride: stride, y: &y.data)
        }
        if context.training { cachedInput = x.shape }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let xs = cachedInput else { preconditionFailure("Pool.backward before a training forward") }
        var dx = Tensor(zeros: xs)
        switch mode {
        case .max:
            guard let idx = argmax else { preconditionFailure("no argmax") }
            Kernels.scatterAdd(dy.data, indices: idx, dx: &dx.data)
        case .average:
            let ho = dy.shape.height, wo = dy.shape.width, scale = 1 / Float(kernel * kernel)
            for pl in 0..<(xs.channels * xs.batch) {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let g = dy.data[(pl * ho + oy) * wo + ox] * scale
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                dx.data[(pl * xs.height + oy * stride + ky) * xs.width + ox * stride + kx] += g
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// Global average pooling: `(C, N, H, W)` → `(C, N, 1, 1)`.
public final class GlobalAvgPool: Layer {
    private var cachedInput: Shape?
    public init() {}
    public var spec: LayerSpec { LayerSpec(type: "globalavgpool") }
    public func outputShape(for input: Shape) -> Shape { Shape(channels: input.channels, batch: input.batch) }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        var y = Tensor(zeros: outputShape(for: x.shape))
        Kernels.planeMeans(x: x.data, planes: x.shape.channels * x.shape.batch, length: x.shape.spatial, y: &y.data)
        if context.training { cachedInput = x.shape }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let xs = cachedInput else { preconditionFailure("GlobalAvgPool.backward before a training forward") }
        var dx = Tensor(zeros: xs)
        let len = xs.spatial, scale = 1 / Float(len)
        for pl in 0..<(xs.channels * xs.batch) {
            let g = dy.data[pl] * scale
            for i in (pl * len)..<((pl + 1) * len) { dx.data[i] = g }
        }
        return dx
    }
}

/// Flattens `(C, N, H, W)` to `(C·H·W, N, 1, 1)`, feature index `(c · H + y) · W + x`.
public final class Flatten: Layer {
    private var cachedInput: Shape?
    public init() {}
    public var spec: LayerSpec { LayerSpec(type: "flatten") }
    public func outputShape(for input: Shape) -> Shape { Shape(channels: input.channels * input.spatial, batch: input.batch) }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        let s = x.shape
        var y = Tensor(zeros: outputShape(for: s))
        for c in 0..<s.channels {
            for n in 0..<s.batch {
                for p in 0..<s.spatial { y.data[(c * s.spatial + p) * s.batch + n] = x.data[(c * s.batch + n) * s.spatial + p] }
            }
        }
        if context.training { cachedInput = s }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let s = cachedInput else { preconditionFailure("Flatten.backward before a training forward") }
        var dx = Tensor(zeros: s)
        for c in 0..<s.channels {
            for n in 0..<s.batch {
                for p in 0..<s.spatial { dx.data[(c * s.batch + n) * s.spatial + p] = dy.data[(c * s.spatial + p) * s.batch + n] }
            }
        }
        return dx
    }
}
