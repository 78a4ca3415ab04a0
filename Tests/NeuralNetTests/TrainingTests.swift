import Testing
@testable import NeuralNet

/// 64 samples of two separable patterns (bright vertical stripe vs. dark blob) plus noise.
func toyBatch(seed: UInt64) -> (Tensor, [Int]) {
    var rng = RandomSource(seed: seed)
    var x = Tensor(zeros: Shape(channels: 1, batch: 64, height: 8, width: 8))
    var labels: [Int] = []
    for n in 0..<64 {
        let label = n % 3
        labels.append(label)
        for y in 0..<8 {
            for c in 0..<8 {
                var v = (rng.uniform() - 0.5) * 0.4
                if label == 0 && c == 3 { v += 1.5 }
                if label == 1 && abs(y - 4) < 2 && abs(c - 4) < 2 { v -= 1.5 }
                x[0, n, y, c] = v
            }
        }
    }
    return (x, labels)
}

func train(seed: UInt64, steps: Int, optimizer: inout some Optimizer) throws -> (Sequential, first: Float, last: Float) {
    let net = try Sequential(architecture: tinyArchitecture, seed: seed)
    let (x, labels) = toyBatch(seed: 99)
    let ctx = PassContext(training: true, threads: 1)
    let loss = SoftmaxCrossEntropy()
    let schedule = CosineSchedule(maxRate: 0.02, warmupSteps: 2, totalSteps: steps)
    var first: Float = 0, last: Float = 0
    for step in 0..<steps {
        net.zeroGradients()
        let (l, g) = loss.evaluate(logits: net.forward(x, context: ctx), labels: labels)
        if step == 0 { first = l }
        last = l
        net.backward(g, context: ctx)
        optimizer.step(net.parameters, learningRate: schedule.rate(at: step))
    }
    return (net, first, last)
}

@Suite("Training")
struct TrainingTests {
    // How long training takes is a benchmark's question, not a test's: a wall-clock bound here would fail on a loaded
    // CI machine without saying anything about training.
    @Test("AdamW lowers the loss on 64 samples in 25 steps")
    func adamLowersLoss() throws {
        var opt = AdamW(weightDecay: 1e-4)
        let (_, first, last) = try train(seed: 1, steps: 25, optimizer: &opt)
        #expect(last < first * 0.5, "loss \(first) → \(last)")
    }

    @Test("SGD with momentum lowers the loss")
    func sgdLowersLoss() throws {
        var opt = SGD(momentum: 0.9, weightDecay: 1e-4)
        let (_, first, last) = try train(seed: 2, steps: 40, optimizer: &opt)
        #expect(last < first * 0.7, "loss \(first) → \(last)")
    }

    @Test("same seed gives bit-identical weights; another seed does not")
    func determinism() throws {
        var o1 = AdamW(), o2 = AdamW(), o3 = AdamW()
        let a = try train(seed: 7, steps: 5, optimizer: &o1).0.flatWeights()
        let b = try train(seed: 7, steps: 5, optimizer: &o2).0.flatWeights()
        let c = try train(seed: 8, steps: 5, optimizer: &o3).0.flatWeights()
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a != c)
        var r1 = RandomSource(seed: 5), r2 = RandomSource(seed: 5)
        var x = Array(0..<50), y = Array(0..<50)
        r1.shuffle(&x); r2.shuffle(&y)
        #expect(x == y && x != Array(0..<50))
    }

    @Test("AdamW state survives a checkpoint round trip")
    func optimizerState() throws {
        var opt = AdamW()
        let (net, _, _) = try train(seed: 3, steps: 3, optimizer: &opt)
        let state = opt.state(for: net.parameters)
        #expect(state.count == AdamW.stateCount(for: net.parameters))
        var restored = AdamW()
        restored.restore(state, for: net.parameters)
        #expect(restored.state(for: net.parameters) == state)
        #expect(restored.t == 3)
    }

    @Test("cosine schedule: warm-up, peak, floor")
    func schedule() {
        let s = CosineSchedule(maxRate: 1, minRate: 0.1, warmupSteps: 10, totalSteps: 110)
        #expect(s.rate(at: 0) == 0.1)
        #expect(s.rate(at: 9) == 1)
        #expect(abs(s.rate(at: 60) - 0.55) < 1e-6)
        #expect(abs(s.rate(at: 110) - 0.1) < 1e-6)
    }

    @Test("inference model (batch norm folded) matches the network's inference pass")
    func inferenceMatches() throws {
        var opt = AdamW()
        let (net, _, _) = try train(seed: 4, steps: 5, optimizer: &opt)
        let (x, _) = toyBatch(seed: 11)
        let want = net.forward(x, context: PassContext(training: false))
        let model = InferenceModel(network: net, batchSize: 64)
        #expect(model.summary.count < net.layers.count)  // batch norm and activations were fused
        let got = model.run(x.data, count: 64)
        for i in want.data.indices { #expect(abs(got[i] - want.data[i]) < 1e-4 * (1 + abs(want.data[i]))) }
        // A partial batch gives the same logits for its tiles.
        let part = model.run(Array(x.data[0..<(10 * 64)]), count: 10)
        let ref = net.forward(Tensor(shape: x.shape.with(batch: 10), data: Array(x.data[0..<(10 * 64)])),
                              context: PassContext(training: false))
        for i in part.indices { #expect(abs(part[i] - ref.data[i]) < 1e-4 * (1 + abs(ref.data[i]))) }
    }

    @Test("inference model slices big batches for im2col and still matches")
    func inferenceSlices() throws {
        let arch = Architecture(input: InputSpec(channels: 1, height: 64, width: 64), layers: [
            LayerSpec(type: "conv", out: 8, kernel: 3, padding: 1), LayerSpec(type: "batchnorm"), LayerSpec(type: "relu"),
            LayerSpec(type: "maxpool", kernel: 2), LayerSpec(type: "conv", out: 8, kernel: 1),
            LayerSpec(type: "globalavgpool"), LayerSpec(type: "dense", out: 3)])
        let net = try Sequential(architecture: arch, seed: 5)
        var rng = RandomSource(seed: 6)
        let x = Tensor(shape: Shape(channels: 1, batch: 7, height: 64, width: 64), data: randomArray(7 * 4096, &rng))
        _ = net.forward(x, context: PassContext(training: true))  // move the running statistics off 0 / 1
        let want = net.forward(x, context: PassContext(training: false))
        let got = InferenceModel(network: net, batchSize: 7).run(x.data, count: 7)
        #expect(InferenceModel.colBudget / (9 * 4096) < 7)  // the first conv really is sliced
        for i in want.data.indices { #expect(abs(got[i] - want.data[i]) < 1e-4 * (1 + abs(want.data[i]))) }
    }

    @Test("architecture errors name the layer")
    func architectureErrors() {
        var a = tinyArchitecture
        a.layers[3] = LayerSpec(type: "frobnicate")
        #expect(throws: ArchitectureError.self) { try Sequential(architecture: a, seed: 0) }
        var b = tinyArchitecture
        b.layers.remove(at: 7)  // dense straight after a spatial tensor
        #expect(throws: ArchitectureError.self) { try Sequential(architecture: b, seed: 0) }
    }
}
