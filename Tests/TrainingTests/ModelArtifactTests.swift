import Foundation
import NeuralNet
import Testing
@testable import Training

/// The repository's `models/` folder.
let modelsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("models").path

@Suite("Committed model")
struct ModelArtifactTests {
    @Test("crack-v1.0: file reads, matches its arch.json, under 2 MB, has a model card")
    func committedModel() throws {
        let path = "\(modelsFolder)/crack-v1.0.nnw"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 2_000_000)
        let arch = try JSONDecoder().decode(Architecture.self,
                                            from: Data(contentsOf: URL(fileURLWithPath: "\(modelsFolder)/crack-v1.0.arch.json")))
        let model = try ModelFile(path: path, expecting: arch)
        #expect(model.metadata.classNames == TileClass.names)
        #expect(model.metadata.architecture.input == InputSpec(channels: 1, height: 64, width: 64))
        #expect((model.metadata.metrics["crack.f1"] ?? 0) > 0.5)
        #expect(FileManager.default.fileExists(atPath: "\(modelsFolder)/MODEL.md"))
        // It separates an obvious crack tile from a plain one.
        let (img, _) = crackPhoto(seed: 3)
        let classifier = TileClassifier(network: model.makeNetwork(), normalization: model.metadata.normalization)
        let p = classifier.probabilities([img.crop(x: 0, y: 0, size: 64), img.crop(x: 64, y: 0, size: 64)])
        #expect(p[0][0] > p[1][0])
    }
}
