import Testing
@testable import NeuralNet

/// Checks a layer's backward pass against central finite differences of `L = Σ g ⊙ forward(x)`
/// for the input and every trainable parameter (computed in Float with a relative tolerance).
func checkGradients(_ layer: any Layer, input: Shape, seed: UInt64, tolerance: Float = 2e-2,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    var rng = RandomSource(seed: seed)
    let x = Tensor(shape: input, data: randomArray(input.count, &rng))
    let ctx = PassContext(training: true)
    let y0 = layer.forward(x, context: ctx)
    let g = Tensor(shape: y0.shape, data: randomArray(y0.shape.count, &rng))
    for p in layer.parameters { for i in p.grad.indices { p.grad[i] = 0 } }
    _ = layer.forward(x, context: ctx)
    let dx = layer.backward(g, context: ctx)
    #expect(dx.shape == input, sourceLocation: sourceLocation)

    func loss(_ t: Tensor) -> Double {
        let y = layer.forward(t, context: ctx)
        var s: Double = 0
        for i in y.data.indices { s += Double(y.data[i]) * Double(g.data[i]) }
        return s
    }
    let eps: Float = 1e-2
    func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
        let err = abs(Double(analytic) - numeric) / max(1, abs(numeric))
        #expect(err < Double(tolerance), "\(what): analytic \(analytic) numeric \(numeric)", sourceLocation: sourceLocation)
    }
    // Input gradient at a sample of positions.
    let probes = Swift.stride(from: 0, to: input.count, by: max(1, input.count / 23))
    for i in probes {
        var xp = x, xm = x
        xp.data[i] += eps; xm.data[i] -= eps
        compare(dx.data[i], (loss(xp) - loss(xm)) / Double(2 * eps), "dx[\(i)]")
    }
    for p in layer.parameters where p.trainable {
        let analytic = p.grad
        for i in Swift.stride(from: 0, to: p.value.count, by: max(1, p.value.count / 17)) {
            let v = p.value[i]
            p.value[i] = v + eps; let lp = loss(x)
            p.value[i] = v - eps; let lm = loss(x)
            p.value[i] = v
            compare(analytic[i], (lp - lm) / Double(2 * eps), "\(p.name)[\(i)]")
        }
    }
}

@Suite("Backward passes against finite differences")
struct GradientTests {
    @Test("Conv2D", arguments: [
        (3, 1, 1, 1, 1), (3, 2, 1, 1, 1), (3, 1, 2, 2, 1), (1, 1, 0, 1, 1), (3, 1, 1, 1, 3), (5, 2, 2, 1, 1),
    ])
    func conv(kernel: Int, stride: Int, padding: Int, dilation: Int, groups: Int) {
        var rng = RandomSource(seed: 1)
        let layer = Conv2D(inChannels: 3, outChannels: 6, kernel: kernel, stride: stride, padding: padding,
                           dilation: dilation, groups: groups, rng: &rng)
        for i in layer.bias.value.indices { layer.bias.value[i] = rng.uniform() - 0.5 }
        checkGradients(layer, input: Shape(channels: 3, batch: 2, height: 7, width: 6), seed: 2)
    }

    @Test("depthwise Conv2D")
    func depthwise() {
        var rng = RandomSource(seed: 3)
        let layer = Conv2D(inChannels: 4, outChannels: 4, kernel: 3, padding: 1, groups: 4, rng: &rng)
        checkGradients(layer, input: Shape(channels: 4, batch: 2, height: 5, width: 5), seed: 4)
    }

    @Test("Dense")
    func dense() {
        var rng = RandomSource(seed: 5)
        checkGradients(Dense(inFeatures: 7, outFeatures: 5, rng: &rng), input: Shape(channels: 7, batch: 3), seed: 6)
    }

    @Test("BatchNorm (training statistics)")
    func batchNorm() {
        let bn = BatchNorm(channels: 3)
        for i in 0..<3 { bn.gamma.value[i] = 0.5 + Float(i); bn.beta.value[i] = Float(i) * 0.1 }
        checkGradients(bn, input: Shape(channels: 3, batch: 4, height: 3, width: 2), seed: 7)
    }

    @Test("activations", arguments: [Activation.Kind.relu, .leakyReLU(0.1), .silu])
    func activation(kind: Activation.Kind) {
        checkGradients(Activation(kind), input: Shape(channels: 2, batch: 3, height: 4, width: 4), seed: 8)
    }

    @Test("pooling", arguments: [(Pool.Mode.max, 2, 2), (.max, 3, 2), (.average, 2, 2), (.average, 3, 1)])
    func pool(mode: Pool.Mode, kernel: Int, stride: Int) {
        checkGradients(Pool(mode, kernel: kernel, stride: stride), input: Shape(channels: 2, batch: 2, height: 6, width: 7), seed: 9)
    }

    @Test("global average pool and flatten")
    func globalAndFlatten() {
        checkGradients(GlobalAvgPool(), input: Shape(channels: 3, batch: 2, height: 4, width: 5), seed: 10)
        checkGradients(Flatten(), input: Shape(channels: 3, batch: 2, height: 2, width: 3), seed: 11)
    }

    @Test("softmax cross-entropy with class weights, per sample and per pixel")
    func crossEntropy() {
        var rng = RandomSource(seed: 12)
        let shape = Shape(channels: 3, batch: 2, height: 2, width: 2)
        let logits = Tensor(shape: shape, data: randomArray(shape.count, &rng))
        let labels = [0, 1, 2, -1, 2, 2, 1, 0]
        let loss = SoftmaxCrossEntropy(classWeights: [1, 2, 0.5])
        let (_, grad) = loss.evaluate(logits: logits, labels: labels)
        let eps: Float = 1e-2
        for i in logits.data.indices {
            var p = logits, m = logits
            p.data[i] += eps; m.data[i] -= eps
            let num = (Double(loss.evaluate(logits: p, labels: labels).loss) - Double(loss.evaluate(logits: m, labels: labels).loss)) / Double(2 * eps)
            #expect(abs(Double(grad.data[i]) - num) < 1e-3)
        }
    }

    @Test("Dropout is identity at inference and scales kept units in training")
    func dropout() {
        let d = Dropout(rate: 0.5, seed: 1)
        let x = Tensor(shape: Shape(channels: 1, batch: 1000), data: [Float](repeating: 1, count: 1000))
        #expect(d.forward(x, context: PassContext(training: false)) == x)
        let y = d.forward(x, context: PassContext(training: true))
        #expect(Set(y.data) == [0, 2])
        let dx = d.backward(x, context: PassContext(training: true))
        #expect(dx == y)
    }
}
