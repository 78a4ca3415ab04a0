/// Batch normalisation per channel. Training uses the batch's mean and (biased) variance and updates the
/// running statistics; inference uses the running statistics (and is folded into the preceding
/// convolution by ``InferenceModel``).
public final class BatchNorm: Layer {
    public let channels: Int
    /// Running-average factor for the statistics.
    public let momentum: Float
    /// Added to the variance.
    public let epsilon: Float
    /// Scale γ.
    public let gamma: Parameter
    /// Shift β.
    public let beta: Parameter
    /// Running mean (state, not trained).
    public let runningMean: Parameter
    /// Running variance (state, not trained).
    public let runningVar: Parameter
    private var cachedXHat: [Float] = []
    private var cachedInvStd: [Float] = []
    private var cachedShape: Shape?

    /// γ = 1, β = 0, running mean 0, variance 1.
    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(name: "gamma", shape: [channels], value: [Float](repeating: 1, count: channels), decays: false)
        beta = Parameter(name: "beta", shape: [channels], value: [Float](repeating: 0, count: channels), decays: false)
        runningMean = Parameter(name: "runningMean", shape: [channels], value: [Float](repeating: 0, count: channels),
                                trainable: false, decays: false)
        runningVar = Parameter(name: "runningVar", shape: [channels], value: [Float](repeating: 1, count: channels),
                               trainable: false, decays: false)
    }

    public var spec: LayerSpec { LayerSpec(type: "batchnorm") }
    public var parameters: [Parameter] { [gamma, beta, runningMean, runningVar] }

    public func outputShape(for input: Shape) -> Shape {
        precondition(input.channels == channels, "batchnorm expects \(channels) channels, got \(input)")
        return input
    }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        _ = outputShape(for: x.shape)
        let len = x.shape.planeCount
        var y = Tensor(zeros: x.shape)
        if !context.training {
            for c in 0..<channels {
                let inv = 1 / (runningVar.value[c] + epsilon).squareRoot()
                let scale = gamma.value[c] * inv, shift = beta.value[c] - runningMean.value[c] * scale
                Kernels.scaleShift(x.data, offset: c * len, count: len, scale: scale, shift: shift, y: &y.data)
            }
            return y
        }
        cachedXHat = [Float](repeating: 0, count: x.data.count)
        cachedInvStd = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let (sum, sq) = Kernels.sums(x.data, offset: c * len, count: len)
            let mean = sum / Double(len), variance = max(0, sq / Double(len) - mean * mean)
            let inv = Float(1 / (variance + Double(epsilon)).squareRoot())
            cachedInvStd[c] = inv
            let m = Float(mean)
            Kernels.normalize(x.data, offset: c * len, count: len, mean: m, inv: inv, gamma: gamma.value[c],
                              beta: beta.value[c], xhat: &cachedXHat, y: &y.data)
            let unbiased = len > 1 ? variance * Double(len) / Double(len - 1) : variance
            runningMean.value[c] = (1 - momentum) * runningMean.value[c] + momentum * m
            runningVar.value[c] = (1 - momentum) * runningVar.value[c] + momentum * Float(unbiased)
        }
        cachedShape = x.shape
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let s = cachedShape else { preconditionFailure("BatchNorm.backward before a training forward") }
        let len = s.planeCount
        var dx = Tensor(zeros: s)
        for c in 0..<channels {
            let (sumDy, sumDyXHat) = Kernels.dotSums(dy.data, cachedXHat, offset: c * len, count: len)
            gamma.grad[c] += sumDyXHat
            beta.grad[c] += sumDy
            let k = gamma.value[c] * cachedInvStd[c] / Float(len)
            Kernels.batchNormBackward(dy.data, cachedXHat, offset: c * len, count: len, k: k, sumDy: sumDy,
                                      sumDyXHat: sumDyXHat, dx: &dx.data)
        }
        return dx
    }
}
