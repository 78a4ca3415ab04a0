import Testing
@testable import Tickets

@Suite struct EncodingTests {
    @Test func formRoundTrip() throws {
        let pairs = [("api_key", "k&=+ %"), ("description", "Crack, 12 mm — ünïcode\n"), ("attribute[a]", "")]
        let text = FormURLEncoded.encode(pairs)
        #expect(!text.contains(" ") && !text.contains("\n"))
        let back = try #require(FormURLEncoded.decode(text))
        #expect(back.map(\.0) == pairs.map(\.0))
        #expect(back.map(\.1) == pairs.map(\.1))
        #expect(FormURLEncoded.decode("a=%zz") == nil)
        #expect(FormURLEncoded.decode("a=%ff") == nil)
        #expect(FormURLEncoded.decode("a=1+2")?.first?.1 == "1 2")
    }

    @Test func backoffGrowsWithJitterAndCap() {
        let c = ForwarderConfiguration(peerURL: "http://x/", apiKey: "k", backoffBase: .seconds(1), backoffCap: .seconds(8))
        #expect(c.peerURL == "http://x")
        #expect(c.backoff(afterAttempts: 1, unit: 0) == 0.5 && c.backoff(afterAttempts: 1, unit: 1) == 1)
        #expect(c.backoff(afterAttempts: 3, unit: 0) == 2 && c.backoff(afterAttempts: 3, unit: 1) == 4)
        #expect(c.backoff(afterAttempts: 30, unit: 1) == 8 && c.backoff(afterAttempts: 1000, unit: 0) == 4)
    }
}
