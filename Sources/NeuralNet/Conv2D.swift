/// 2-D convolution with stride, zero padding, dilation and groups (groups = channels is depthwise; a 1×1
/// kernel is pointwise), computed as im2col + one matrix multiply per group over the whole batch.
///
/// Weight `(out, in/groups, k, k)`, bias `(out)`.
public final class Conv2D: Layer {
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, groups: Int
    /// Weight `(out, in/groups, k, k)`.
    public let weight: Parameter
    /// Bias `(out)`.
    public let bias: Parameter
    private var cachedCol: [Float] = []
    private var cachedInput: Shape?

    /// He-normal initialisation from `rng`; zero bias.
    /// - Parameters: inChannels and outChannels divisible by groups; kernel, stride, dilation ≥ 1; padding ≥ 0.
    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, rng: inout RandomSource) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, "bad groups")
        precondition(kernel >= 1 && stride >= 1 && dilation >= 1 && padding >= 0, "bad convolution geometry")
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        let fanIn = inChannels / groups * kernel * kernel
        let std = (2 / Float(fanIn)).squareRoot()
        let w = (0..<(outChannels * fanIn)).map { _ in rng.normal() * std }
        weight = Parameter(name: "weight", shape: [outChannels, inChannels / groups, kernel, kernel], value: w)
        bias = Parameter(name: "bias", shape: [outChannels], value: [Float](repeating: 0, count: outChannels),
                         decays: false)
    }

    public var spec: LayerSpec {
        LayerSpec(type: "conv", out: outChannels, kernel: kernel, stride: stride, padding: padding,
                  groups: groups, dilation: dilation)
    }
    public var parameters: [Parameter] { [weight, bias] }

    func geometry(_ s: Shape) -> Kernels.ConvGeometry {
        Kernels.ConvGeometry(channels: s.channels, batch: s.batch, height: s.height, width: s.width,
                             kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    public func outputShape(for input: Shape) -> Shape {
        precondition(input.channels == inChannels, "conv expects \(inChannels) channels, got \(input)")
        let g = geometry(input)
        return Shape(channels: outChannels, batch: input.batch, height: g.outHeight, width: g.outWidth)
    }

    /// True when the column matrix is the input itself (1×1, stride 1, no padding).
    private var isPointwiseIdentity: Bool { kernel == 1 && stride == 1 && padding == 0 }

    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        let os = outputShape(for: x.shape), g = geometry(x.shape)
        var col: [Float]
        if isPointwiseIdentity {
            col = x.data
        } else {
            col = [Float](repeating: 0, count: g.colRows * g.colCols)
            Kernels.im2col(g, x: x.data, col: &col)
        }
        var y = Tensor(zeros: os)
        let m = outChannels / groups, kg = inChannels / groups * kernel * kernel, n = g.colCols
        for gi in 0..<groups {
            GEMM.multiply(m: m, n: n, k: kg, a: weight.value, aOffset: gi * m * kg, lda: kg,
                          b: col, bOffset: gi * kg * n, ldb: n, c: &y.data, cOffset: gi * m * n, ldc: n,
                          threads: context.threads, workspace: context.workspace)
        }
        Kernels.biasActivate(&y.data, bias: bias.value, planeCount: n, activation: .identity)
        if context.training {
            cachedCol = col
            cachedInput = x.shape
        }
        return y
    }

    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        guard let xs = cachedInput else { preconditionFailure("Conv2D.backward before a training forward") }
        let g = geometry(xs)
        let m = outChannels / groups, kg = inChannels / groups * kernel * kernel, n = g.colCols
        precondition(dy.shape == outputShape(for: xs), "gradient shape \(dy.shape) does not match output")
        for c in 0..<outChannels { bias.grad[c] += Kernels.dotSums(dy.data, dy.data, offset: c * n, count: n).0 }
        var dcol = [Float](repeating: 0, count: g.colRows * n)
        for gi in 0..<groups {
            // dW_g += dY_g · col_gᵀ
            GEMM.multiply(m: m, n: kg, k: n, a: dy.data, aOffset: gi * m * n, lda: n,
                          b: cachedCol, bOffset: gi * kg * n, ldb: n, transB: true,
                          c: &weight.grad, cOffset: gi * m * kg, ldc: kg, accumulate: true,
                          threads: context.threads, workspace: context.workspace)
            // dcol_g = W_gᵀ · dY_g
            GEMM.multiply(m: kg, n: n, k: m, a: weight.value, aOffset: gi * m * kg, lda: kg, transA: true,
                          b: dy.data, bOffset: gi * m * n, ldb: n, c: &dcol, cOffset: gi * kg * n, ldc: n,
                          threads: context.threads, workspace: context.workspace)
        }
        if isPointwiseIdentity { return Tensor(shape: xs, data: dcol) }
        var dx = Tensor(zeros: xs)
        Kernels.col2im(g, col: dcol, dx: &dx.data)
        return dx
    }
}
