/// Fully connected layer: `y = W · x + b` on `(in, N, 1, 1)` → `(out, N, 1, 1)`. Weight `(out, in)`.
public final class Dense: Layer {
    public let inFeatures: Int, outFeatures: Int
    /// Weight `(out, in)`.
    public let weight: Parameter
    /// Bias `(out)`.
    public let bias: Parameter
    private var cachedInput: Tensor?

    /// He-normal weights from `rng`, zero bias. - Parameters: sizes ≥ 1.
    public init(inFeatures: Int, outFeatures: Int, rng: inout RandomSource) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let std = (2 / Float(inFeatures)).squareRoot()
        weight = Parameter(name: "weight", shape: [outFeatures, inFeatures],
                           value: (0..<(inFeatures * outFeatures)).map { _ in rng.normal() * std })
        bias = Parameter(name: "bias", shape: [outFeatures], value: [Float](repeating: 0, count: outFeatures),
                         decays: false)
    }

    public var spec: LayerSpec { LayerSpec(type: "dense", out: outFeatures) }
    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(for input: Shape) -> Shape {
        precondition(input.channels == inFeatures && input.spatial == 1,
                     "dense expects (\(inFeatures), N, 1, 1), got \(input)")
        return Shape(channels: outFeatures, batch: input.batch)
    }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        var y = Tensor(zeros: outputShape(for: x.shape))
        let n = x.shape.batch
        GEMM.multiply(m: outFeatures, n: n, k: inFeatures, a: weight.value, lda: inFeatures, b: x.data, ldb: n,
                      c: &y.data, ldc: n, threads: context.threads, workspace: context.workspace)
        Kernels.biasActivate(&y.data, bias: bias.value, planeCount: n, activation: .identity)
        if context.training { cachedInput = x }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let x = cachedInput else { preconditionFailure("Dense.backward before a training forward") }
        let n = x.shape.batch
        for o in 0..<outFeatures {
            var s: Float = 0
            for i in 0..<n { s += dy.data[o * n + i] }
            bias.grad[o] += s
        }
        GEMM.multiply(m: outFeatures, n: inFeatures, k: n, a: dy.data, lda: n, b: x.data, ldb: n, transB: true,
                      c: &weight.grad, ldc: inFeatures, accumulate: true,
                      threads: context.threads, workspace: context.workspace)
        var dx = Tensor(zeros: x.shape)
        GEMM.multiply(m: inFeatures, n: n, k: outFeatures, a: weight.value, lda: inFeatures, transA: true,
                      b: dy.data, ldb: n, c: &dx.data, ldc: n, threads: context.threads, workspace: context.workspace)
        return dx
    }
}
