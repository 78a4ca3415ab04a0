import ArgumentParser
import Testing
@testable import PavewatchCLI

@Suite("train and evaluate commands")
struct TrainEvaluateCommandTests {
    @Test("train parses its options")
    func train() throws {
        let c = try #require(try Pavewatch.parseAsRoot(["train", "--config", "c.json", "--out", "models/x-v1.0", "--resume"]) as? TrainCommand)
        #expect(c.config == "c.json" && c.out == "models/x-v1.0" && c.resume && !c.printSplit)
        #expect(throws: (any Error).self) { try Pavewatch.parseAsRoot(["train", "--config", "c.json"]) }
    }

    @Test("evaluate takes --tiles or --images with --masks, not both, not neither")
    func evaluate() throws {
        let c = try #require(try Pavewatch.parseAsRoot(["evaluate", "--model", "m.nnw", "--tiles", "t", "--json"]) as? EvaluateCommand)
        #expect(c.json && c.tiles == "t")
        _ = try Pavewatch.parseAsRoot(["evaluate", "--model", "m.nnw", "--images", "i", "--masks", "m"])
        let exact = try #require(try Pavewatch.parseAsRoot(["evaluate", "--images", "i", "--masks", "m", "--tolerance", "0"])
                                 as? EvaluateCommand)
        #expect(exact.tolerance == 0)
        #expect(throws: (any Error).self) { try Pavewatch.parseAsRoot(["evaluate", "--images", "i", "--masks", "m", "--tolerance", "-1"]) }
        for bad in [["evaluate", "--model", "m.nnw"],
                    ["evaluate", "--model", "m.nnw", "--tiles", "t", "--images", "i", "--masks", "m"],
                    ["evaluate", "--model", "m.nnw", "--images", "i"],
                    ["evaluate", "--model", "m.nnw", "--tiles", "t", "--label", "puddle"]] {
            #expect(throws: (any Error).self, "\(bad)") { try Pavewatch.parseAsRoot(bad) }
        }
    }
}

@Suite("inspect command options")
struct InspectOptionTests {
    @Test("--gsd takes millimetres per pixel above 0 and up to 1000; --threshold within 0...1")
    func gsd() throws {
        let c = try #require(try Pavewatch.parseAsRoot(["inspect", "f.jpg", "--gsd", "0.4", "--map", "m.png"]) as? InspectCommand)
        #expect(c.gsd == 0.4 && c.map == "m.png")
        for bad in [["inspect", "f.jpg", "--gsd", "0"], ["inspect", "f.jpg", "--gsd", "-1"], ["inspect", "f.jpg", "--gsd", "5000"],
                    ["inspect", "f.jpg", "--threshold", "1.5"]] {
            #expect(throws: (any Error).self, "\(bad)") { try Pavewatch.parseAsRoot(bad) }
        }
    }
}
