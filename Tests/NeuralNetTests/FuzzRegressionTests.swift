import Foundation
import Testing

@testable import NeuralNet

/// Model files the fuzzer found (Fuzz/README.md), each kept in Fuzz/corpus/model too: descriptions that trapped or
/// asked for huge allocations while the network was built are errors now.
@Suite("Fuzz regressions: model files")
struct ModelFuzzRegressionTests {
    static func architecture(_ layers: [LayerSpec], input: InputSpec = InputSpec(channels: 1, height: 2, width: 2))
        -> Architecture {
        Architecture(input: input, layers: layers)
    }

    static func rejected(_ a: Architecture) -> Bool {
        let sequential = (try? Sequential(architecture: a, seed: 0)) == nil
        let graph = (try? Graph(architecture: a, seed: 0)) == nil
        return sequential && graph
    }

    /// Fuzz/corpus/model/dropout-rate: `"rate": 5.5` reached `Dropout`'s precondition.
    @Test("A dropout rate outside [0, 1) is an architecture error, not a trap")
    func dropoutRate() {
        for rate: Float in [5.5, 1, -0.1, .nan] {
            #expect(Self.rejected(Self.architecture([LayerSpec(type: "flatten"), LayerSpec(type: "dropout", rate: rate)])))
        }
        #expect(!Self.rejected(Self.architecture([LayerSpec(type: "flatten"), LayerSpec(type: "dropout", rate: 0.5)])))
    }

    @Test("Input sizes that are empty, negative or huge are architecture errors, not traps")
    func inputSizes() {
        for (c, h, w) in [(1, -2, 2), (0, 2, 2), (1, 2, 1 << 40), (Int.max, 1, 1)] {
            #expect(Self.rejected(Self.architecture([LayerSpec(type: "relu")], input: InputSpec(channels: c, height: h, width: w))))
        }
    }

    @Test("Layers too large to allocate, and geometry that would overflow, are architecture errors")
    func hugeLayers() {
        let big = InputSpec(channels: 60_000, height: 8, width: 8)
        #expect(Self.rejected(Self.architecture([LayerSpec(type: "conv", out: 60_000, kernel: 3, padding: 1)], input: big)))
        #expect(Self.rejected(Self.architecture([LayerSpec(type: "conv", out: 1, kernel: 3, padding: 1, dilation: Int.max)])))
        #expect(Self.rejected(Self.architecture([LayerSpec(type: "conv", out: 1, kernel: 3, padding: Int.max)])))
        #expect(Self.rejected(Self.architecture([LayerSpec(type: "flatten"), LayerSpec(type: "dense", out: 60_000)], input: big)))
        #expect(Self.rejected(Self.architecture([LayerSpec(type: "upsample", scale: 1 << 40)])))
        #expect(Self.rejected(Self.architecture([LayerSpec(type: "leakyrelu", alpha: .infinity)])))
    }
}
