import Foundation
import Testing
@testable import NeuralNet

/// ``GraphInference`` (folded batch norm, fused activations, fused stride-1 convolutions, im2col strided ones,
/// upsampling, concat and add) against ``Graph/forward(_:context:)`` in inference mode, the reference.
@Suite("Graph inference")
struct GraphInferenceTests {
    /// An encoder-decoder touching every step: batch norm after a convolution (folded) and a standalone one,
    /// ReLU and leaky ReLU (fused), SiLU (not fused), a grouped and a dilated convolution, two stride-2 stages,
    /// nearest upsampling by 2 and 4, a concat of three inputs, an add, and a node read by two later nodes.
    static func architecture(height: Int, width: Int) -> Architecture {
        Architecture(input: InputSpec(channels: 3, height: height, width: width), layers: [
            LayerSpec(type: "conv", out: 8, kernel: 3, padding: 1), LayerSpec(type: "batchnorm"),
            LayerSpec(type: "relu", id: "e1"),
            LayerSpec(type: "conv", out: 16, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "leakyrelu", alpha: 0.1),
            LayerSpec(type: "conv", out: 16, kernel: 3, padding: 1, groups: 2), LayerSpec(type: "relu", id: "e2"),
            LayerSpec(type: "conv", out: 12, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "silu"),
            LayerSpec(type: "conv", out: 12, kernel: 3, padding: 2, dilation: 2, id: "b"),
            LayerSpec(type: "batchnorm"),
            LayerSpec(type: "upsample", scale: 2, mode: "nearest"), LayerSpec(type: "concat", inputs: ["e2"]),
            LayerSpec(type: "conv", out: 8, kernel: 3, padding: 1), LayerSpec(type: "relu"),
            LayerSpec(type: "upsample", id: "d1", scale: 2, mode: "nearest"),
            LayerSpec(type: "upsample", id: "b4", inputs: ["b"], scale: 4, mode: "nearest"),
            LayerSpec(type: "concat", inputs: ["d1", "e1", "b4"]),
            LayerSpec(type: "conv", out: 8, kernel: 1), LayerSpec(type: "relu", id: "h"),
            LayerSpec(type: "add", inputs: ["h", "e1"]),
            LayerSpec(type: "conv", out: 5, kernel: 1),
        ])
    }

    /// A graph with non-trivial batch-norm statistics (so folding is exercised).
    static func graph(height: Int, width: Int, seed: UInt64) throws -> Graph {
        let g = try Graph(architecture: architecture(height: height, width: width), seed: seed)
        var rng = RandomSource(seed: seed + 1)
        for p in g.parameters where ["runningMean", "runningVar", "gamma", "beta"].contains(p.name) {
            p.value = p.value.map { _ in p.name == "runningVar" ? 0.5 + abs(rng.normal()) : rng.normal() * 0.5 }
        }
        return g
    }

    @Test("equals the graph's own forward pass", arguments: [(32, 48, 1), (20, 36, 3), (16, 64, 2), (4, 4, 1)])
    func matchesReference(height: Int, width: Int, count: Int) throws {
        let g = try Self.graph(height: height, width: width, seed: 31)
        let engine = try GraphInference(graph: g, batchSize: count + 1)
        var rng = RandomSource(seed: 32)
        let shape = Shape(channels: 3, batch: count, height: height, width: width)
        let x = (0..<shape.count).map { _ in rng.normal() }
        let reference = g.forward(Tensor(shape: shape, data: x), context: PassContext(training: false)).data
        let fast = engine.run(x, count: count)
        #expect(fast.count == reference.count)
        #expect(engine.output == Shape(channels: 5, batch: 1, height: height, width: width))
        let scale = reference.map(abs).max() ?? 1
        let worst = zip(fast, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4 * max(1, scale), "largest difference \(worst) (values up to \(scale))")
    }

    @Test("batch norm and activations fold into the convolutions; widths of a multiple of 8 run fused")
    func compiles() throws {
        let g = try Self.graph(height: 32, width: 48, seed: 33)
        let engine = try GraphInference(graph: g)
        // 22 nodes; conv+bn+relu, conv+leaky, conv+relu (grouped), the decoder's conv+relu and the 1×1 conv+relu
        // fold to one step each (−7); the SiLU stays apart, and so does the batch norm after the dilated
        // convolution, whose output a second node reads: 16 steps.
        #expect(engine.stepCount == 16)
        // Stride-1 one-group convolutions at a width with a multiple of 8 run fused: the first (48), the decoder's
        // (24) and the two 1×1 heads (48); the dilated one at width 12 and the grouped one run im2col + GEMM.
        #expect(engine.fusedConvolutions == 4)
    }

    @Test("same results with one or several threads and with one tile or a batch")
    func threadsAndBatches() throws {
        let g = try Self.graph(height: 32, width: 32, seed: 34)
        var rng = RandomSource(seed: 35)
        let x = (0..<(3 * 3 * 32 * 32)).map { _ in rng.normal() }
        let one = try GraphInference(graph: g, batchSize: 3).run(x, count: 3)
        let two = try GraphInference(graph: g, batchSize: 3, threads: 2).run(x, count: 3)
        #expect(one == two)
        let single = try GraphInference(graph: g, batchSize: 1)
        let plane = 32 * 32, out = 5 * plane
        for n in 0..<3 {
            var tile = [Float]()
            for c in 0..<3 { tile += x[((c * 3 + n) * plane)..<((c * 3 + n + 1) * plane)] }
            let y = single.run(tile, count: 1)
            for c in 0..<5 {
                let a = Array(y[(c * plane)..<((c + 1) * plane)]), b = Array(one[((c * 3 + n) * plane)..<((c * 3 + n + 1) * plane)])
                #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
            }
            _ = out
        }
    }

    @Test("a graph with a dense layer is refused with the layer named")
    func refusesDense() throws {
        let a = Architecture(input: InputSpec(channels: 1, height: 4, width: 4), layers: [
            LayerSpec(type: "conv", out: 2, kernel: 3, padding: 1), LayerSpec(type: "globalavgpool"),
            LayerSpec(type: "dense", out: 2),
        ])
        #expect(throws: ArchitectureError.self) { _ = try GraphInference(graph: try Graph(architecture: a, seed: 1)) }
    }
}
