import NeuralNet
import Testing
@testable import Training

@Suite("Test-time views")
struct TestTimeViewTests {
    /// A 4×4 tile with 16 distinct pixels.
    static let tile: [UInt8] = (0..<16).map { UInt8($0 * 10) }

    @Test("the 8 views are the 8 distinct flips / rotations; view 1 is the transpose")
    func views() {
        let all = (0..<8).map { TileClassifier.view(Self.tile, size: 4, $0) }
        #expect(Set(all.map { $0.map(String.init).joined(separator: ",") }).count == 8)
        #expect(all[0] == Self.tile)
        for y in 0..<4 { for x in 0..<4 { #expect(all[1][y * 4 + x] == Self.tile[x * 4 + y]) } }
        // 180° rotation.
        #expect(all[2] == Array(Self.tile.reversed()))
    }

    @Test("probabilities average the views; the model file's note picks the count")
    func averaging() throws {
        let arch = Architecture(input: InputSpec(channels: 1, height: 4, width: 4), layers: [
            LayerSpec(type: "conv", out: 4, kernel: 3, padding: 1), LayerSpec(type: "relu"),
            LayerSpec(type: "flatten"), LayerSpec(type: "dense", out: 3)])
        let net = try Sequential(architecture: arch, seed: 2)
        let norm = Normalization(mean: 0.5, std: 0.25)
        let one = TileClassifier(network: net, normalization: norm)
        let four = TileClassifier(network: net, normalization: norm, views: 4)
        let got = four.probabilities([Self.tile])[0]
        var want = [Float](repeating: 0, count: 3)
        for v in 0..<4 {
            let p = one.probabilities([TileClassifier.view(Self.tile, size: 4, v)])[0]
            for k in 0..<3 { want[k] += p[k] / 4 }
        }
        for k in 0..<3 { #expect(abs(got[k] - want[k]) < 1e-6) }
        var md = ModelMetadata(name: "t", architecture: arch, classNames: TileClass.names)
        #expect(TileClassifier.views(of: md) == 1)
        md.notes["testTimeViews"] = "8"
        #expect(TileClassifier.views(of: md) == 8)
        md.notes["testTimeViews"] = "3"
        #expect(TileClassifier.views(of: md) == 1)
    }
}
