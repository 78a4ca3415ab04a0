import Testing
@testable import Tickets

@Suite struct EncodingTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256KnownVectors(input: String, digest: String) {
        #expect(ContentHash.sha256Hex(Array(input.utf8)) == digest)
    }

    @Test func sha256MillionA() {
        #expect(ContentHash.sha256Hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

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
