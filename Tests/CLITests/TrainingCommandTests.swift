import Foundation
import Testing
import TestSupport

@Suite("pavewatch-train")
struct TrainingCommandTests {
    /// Fine-tuning a model of another shape stops before any data is read, naming the file and what to give.
    @Test("init= with a model of another shape: a clear error, exit 1, no data read")
    func initOfAnotherShape() async throws {
        let pavewatch = try #require(CLIProcess.binary())
        let train = pavewatch.deletingLastPathComponent().appendingPathComponent("pavewatch-train")
        let work = try CLIProcess.temporaryDirectory()
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
}
