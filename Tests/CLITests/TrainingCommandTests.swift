import Foundation
import NeuralNet
import Testing
import TestSupport

@Suite("pavewatch-train")
struct TrainingCommandTests {
    /// The `pavewatch-train` executable beside the tests' `pavewatch`, and a fresh folder to work in.
    static func tool() throws -> (URL, URL) {
        let pavewatch = try #require(CLIProcess.binary())
        return (pavewatch.deletingLastPathComponent().appendingPathComponent("pavewatch-train"), try CLIProcess.temporaryDirectory())
    }

    /// Fine-tuning a model of another shape stops before any data is read, naming the file and what to give.
    @Test("init= with a model of another shape: a clear error, exit 1, no data read")
    func initOfAnotherShape() async throws {
        let (train, work) = try Self.tool()
        defer { try? FileManager.default.removeItem(at: work) }
        let model = TestSupport.repositoryRoot.appendingPathComponent("models/crack-pixel-v2.1.nnw").path
        let log = work.appendingPathComponent("log")
        // An empty datasets folder: reading it would fail with another message.
        let p = try CLIProcess.start(train, ["detector", "--datasets", work.path, "--steps", "1", "hidden=12",
                                             "init=\(model)", "out=\(work.path)/m.nnw"], log: log)
        try await CLIProcess.wait(p, seconds: 60)
        let out = try String(contentsOf: log, encoding: .utf8)
        #expect(p.terminationStatus != 0)
        #expect(out.contains(model) && out.contains("needs") && out.contains("hidden=12"), "\(out)")
        #expect(!FileManager.default.fileExists(atPath: work.path + "/m.nnw"))
    }

    /// `models/crack-pixel-v2.1.arch.json` (what `compare --arch` gives onnxruntime) is the default model's own
    /// network: regenerated from the model file, it must match, so a retrained default cannot leave it stale.
    @Test("arch: the committed architecture JSON of the default model is the model's network, at 11,968 multiply-adds per pixel")
    func committedArchitectureMatchesTheModel() async throws {
        let (train, work) = try Self.tool()
        defer { try? FileManager.default.removeItem(at: work) }
        let models = TestSupport.repositoryRoot.appendingPathComponent("models")
        let out = work.appendingPathComponent("arch.json"), log = work.appendingPathComponent("log")
        let p = try CLIProcess.start(train, ["arch", models.appendingPathComponent("crack-pixel-v2.1.nnw").path,
                                             "--out", out.path], log: log)
        try await CLIProcess.wait(p, seconds: 60)
        let said = try String(contentsOf: log, encoding: .utf8)
        #expect(p.terminationStatus == 0, "\(said)")
        #expect(said.contains("11968 multiply-adds per input pixel") && said.contains("receptive radius 17"), "\(said)")
        let made = try JSONDecoder().decode(Architecture.self, from: Data(contentsOf: out))
        let committed = try JSONDecoder().decode(
            Architecture.self, from: Data(contentsOf: models.appendingPathComponent("crack-pixel-v2.1.arch.json")))
        #expect(made == committed)
        #expect(made.input == InputSpec(channels: 3, height: 256, width: 256))

        // A tile size out of range is refused with the option named.
        let bad = try CLIProcess.start(train, ["arch", models.appendingPathComponent("crack-pixel-v2.1.nnw").path,
                                               "--tile", "3"], log: log)
        try await CLIProcess.wait(bad, seconds: 60)
        #expect(bad.terminationStatus != 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("--tile 3"))
    }
}
