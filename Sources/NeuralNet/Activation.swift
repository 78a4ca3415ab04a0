import Foundation

/// Element-wise activation: ReLU, leaky ReLU or SiLU (`x · σ(x)`).
public final class Activation: Layer {
    /// The function.
    public enum Kind: Sendable, Hashable {
        case relu
        case leakyReLU(Float)
        case silu

        /// The function at one value: the scalar reference of the layer's forward pass, and what the inference
        /// paths apply element by element.
        @inline(__always)
        func apply(_ v: Float) -> Float {
            switch self {
            case .relu: max(0, v)
            case .leakyReLU(let a): v < 0 ? v * a : v
            case .silu: v / (1 + exp(-v))
            }
        }
    }
    public let kind: Kind
    private var cachedInput: [Float] = []

    public init(_ kind: Kind) { self.kind = kind }

    public var spec: LayerSpec {
        switch kind {
        case .relu: LayerSpec(type: "relu")
        case .leakyReLU(let a): LayerSpec(type: "leakyrelu", alpha: a)
        case .silu: LayerSpec(type: "silu")
        }
    }

    public func outputShape(for input: Shape) -> Shape { input }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        if context.training { cachedInput = x.data }
        var y = Tensor(zeros: x.shape)
        switch kind {
        case .relu:
            Kernels.rectify(x.data, alpha: 0, y: &y.data)
        case .leakyReLU(let a):
            Kernels.rectify(x.data, alpha: a, y: &y.data)
        case .silu:
            y = x
            for i in y.data.indices { y.data[i] = kind.apply(y.data[i]) }
        }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        let x = cachedInput
        precondition(x.count == dy.data.count, "activation backward without a matching forward")
        var dx = Tensor(zeros: dy.shape)
        switch kind {
        case .relu:
            Kernels.rectifyBackward(x, dy.data, alpha: 0, dx: &dx.data)
        case .leakyReLU(let a):
            Kernels.rectifyBackward(x, dy.data, alpha: a, dx: &dx.data)
        case .silu:
            dx = dy
            for i in dx.data.indices {
                let s = 1 / (1 + exp(-x[i]))
                dx.data[i] *= s * (1 + x[i] * (1 - s))
            }
        }
        return dx
    }
}

/// Inverted dropout: in training, zeroes each element with probability `rate` and scales the rest by
/// `1 / (1 − rate)`; identity at inference. Masks come from a seeded ``RandomSource``.
public final class Dropout: Layer {
    public let rate: Float
    private var rng: RandomSource
    private var mask: [Float] = []

    /// - Parameters: rate in [0, 1); seed: the mask sequence.
    public init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
        self.rng = RandomSource(seed: seed)
    }

    public var spec: LayerSpec { LayerSpec(type: "dropout", rate: rate) }
    public func outputShape(for input: Shape) -> Shape { input }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        guard context.training, rate > 0 else { return x }
        let keep = 1 / (1 - rate)
        mask = (0..<x.data.count).map { _ in rng.uniform() < rate ? 0 : keep }
        var y = x
        for i in y.data.indices { y.data[i] *= mask[i] }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard rate > 0 else { return dy }
        var dx = dy
        for i in dx.data.indices { dx.data[i] *= mask[i] }
        return dx
    }
}
