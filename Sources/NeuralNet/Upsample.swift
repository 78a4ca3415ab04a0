/// Nearest-neighbour upsampling by an integer factor: each input pixel becomes a `scale × scale` block. The
/// decoder half of an encoder-decoder (``Graph``) uses it to return to the input's resolution.
public final class Upsample: Layer {
    /// Pixels per input pixel along each axis (≥ 1).
    public let scale: Int

    /// - Parameters: scale: ≥ 1.
    public init(scale: Int) {
        precondition(scale >= 1, "upsample scale must be at least 1")
        self.scale = scale
    }

    public var spec: LayerSpec { LayerSpec(type: "upsample", scale: scale, mode: "nearest") }

    public func outputShape(for input: Shape) -> Shape {
        Shape(channels: input.channels, batch: input.batch, height: input.height * scale, width: input.width * scale)
    }

    /// `y[c, n, y, x] = x[c, n, y / scale, x / scale]`.
    public func forward(_ x: Tensor, context: PassContext) -> Tensor {
        let os = outputShape(for: x.shape), s = scale
        var out = Tensor(zeros: os)
        let planes = x.shape.channels * x.shape.batch, h = x.shape.height, w = x.shape.width
        for p in 0..<planes {
            let src = p * h * w, dst = p * os.height * os.width
            for oy in 0..<os.height {
                let sr = src + (oy / s) * w, dr = dst + oy * os.width
                for ox in 0..<os.width { out.data[dr + ox] = x.data[sr + ox / s] }
            }
        }
        return out
    }

    /// Each input pixel's gradient is the sum of its block's.
    public func backward(_ dy: Tensor, context: PassContext) -> Tensor {
        let s = scale
        let ins = Shape(channels: dy.shape.channels, batch: dy.shape.batch, height: dy.shape.height / s,
                        width: dy.shape.width / s)
        var dx = Tensor(zeros: ins)
        let planes = ins.channels * ins.batch, h = ins.height, w = ins.width
        for p in 0..<planes {
            let dst = p * h * w, src = p * dy.shape.height * dy.shape.width
            for oy in 0..<dy.shape.height {
                let dr = dst + (oy / s) * w, sr = src + oy * dy.shape.width
                for ox in 0..<dy.shape.width { dx.data[dr + ox / s] += dy.data[sr + ox] }
            }
        }
        return dx
    }
}
