import ArgumentParser
import Testing
@testable import PavewatchCLI

/// `pavewatch serve` options (parsed only; the server itself is tested in ReviewServerTests).
@Suite("pavewatch serve (options)")
struct ServeCommandTests {
    @Test("--public-url and --contact reach Open311 discovery; the default URL comes from the bound address")
    func publicURL() throws {
        let given = try #require(try Pavewatch.parseAsRoot(["serve", "--public-url", "https://roads.example.org/",
                                                            "--contact", "roads@example.org"]) as? ServeCommand)
        #expect(given.open311(keys: []).publicURL == "https://roads.example.org")
        #expect(given.open311(keys: []).contact == "roads@example.org")
        let bound = try #require(try Pavewatch.parseAsRoot(["serve", "--host", "10.0.0.5", "--port", "9000"]) as? ServeCommand)
        #expect(bound.open311(keys: []).publicURL == "http://10.0.0.5:9000")
        #expect(throws: (any Error).self) { try Pavewatch.parseAsRoot(["serve", "--public-url", "ftp://roads.example.org"]) }
    }

    @Test("/metrics is opt-in (--metrics); --idle-timeout is checked")
    func metricsAndIdleTimeout() throws {
        let plain = try #require(try Pavewatch.parseAsRoot(["serve"]) as? ServeCommand)
        #expect(!plain.metrics && plain.idleTimeout == 30)
        let on = try #require(try Pavewatch.parseAsRoot(["serve", "--metrics", "--idle-timeout", "5"]) as? ServeCommand)
        #expect(on.metrics && on.idleTimeout == 5)
        #expect(throws: (any Error).self) { try Pavewatch.parseAsRoot(["serve", "--idle-timeout", "0"]) }
    }
}

