import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ReviewServer
import Testing
import Tickets

/// Findings of the outside probe of `pavewatch serve` (issue 22), each checked against the review pages.
@Suite("Review pages: hardening")
struct ReviewHardeningTests {
    @Test("After login, `next` leads only to a same-site path: tabs, CR, LF and backslashes cannot make it //host",
          arguments: ["%2F%09%2Fevil.example", "%2F%0D%0A%2Fevil.example", "%2F%5C%2Fevil.example", "%5C%5Cevil.example",
                      "%2F%5Cevil.example%2F..", "%09%2F%2Fevil.example"])
    func openRedirect(next: String) async throws {
        try await withPages { client, _ in
            let form = try await client.page("/login?next=\(next)")
            let cookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("pw_login=") }.map {
                String($0.prefix { $0 != ";" })
            })
            let csrf = try #require(form.hiddenField("csrf"))
            // The login form's hidden field, and the raw value posted directly.
            for sent in [try #require(form.hiddenField("next")), try #require(next.removingPercentEncoding)] {
                let r = try await client.form("/login", [("csrf", csrf), ("name", "rita"), ("password", ReviewFixture.password),
                                                         ("next", sent)], cookie: cookie)
                #expect(r.status == .seeOther)
                let location = try #require(r.headers[.location])
                // What a browser makes of the Location: tabs and newlines dropped, backslashes read as slashes.
                let read = String(location.unicodeScalars.filter { $0 != "\t" && $0 != "\r" && $0 != "\n" }
                    .map { $0 == "\\" ? "/" : Character($0) })
                #expect(read.hasPrefix("/") && !read.hasPrefix("//"), "Location \(location.debugDescription)")
                #expect(location.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0 != "\\" }, "\(location.debugDescription)")
            }
        }
    }

    @Test("A same-site `next` survives the login form")
    func sameSiteNext() async throws {
        try await withPages { client, fx in
            let form = try await client.page("/login?next=%2Ftickets%2F\(fx.crack)%3Fdone%3Dx")
            let cookie = try #require(form.headers[values: .setCookie].first { $0.hasPrefix("pw_login=") }.map {
                String($0.prefix { $0 != ";" })
            })
            let r = try await client.form("/login", [("csrf", try #require(form.hiddenField("csrf"))), ("name", "rita"),
                                                     ("password", ReviewFixture.password),
                                                     ("next", try #require(form.hiddenField("next")))], cookie: cookie)
            #expect(r.headers[.location] == "/tickets/\(fx.crack)?done=x")
        }
    }
}
