import Foundation
import HTTPTypes
import HummingbirdTesting
import ReviewServer
import Testing
import Tickets

/// Open311 findings of the outside probe of `pavewatch serve` (issue 22).
@Suite struct Open311HardeningTests {
    @Test func discoveryNamesTheConfiguredPublicURLNotTheHostHeader() async throws {
        try await withOpen311Server(publicURL: "https://roads.example.org/pw") { client, _ in
            for path in ["/open311/v2/discovery.json", "/open311/v2/discovery.json?x=1"] {
                let d = try #require(try await client.get(path).json() as? [String: Any])
                let endpoints = try #require(d["endpoints"] as? [[String: Any]])
                #expect(endpoints.first?["url"] as? String == "https://roads.example.org/pw/open311/v2")
                let contact = try #require(d["contact"] as? String)
                #expect(!contact.isEmpty && contact.contains("https://roads.example.org/pw"), "\(contact)")
            }
        }
        // The test client names `localhost` as the request's host: it must not come back.
        try await withOpen311Server(publicURL: nil, contact: "roads@example.org") { client, _ in
            let d = try #require(try await client.get("/open311/v2/discovery.json").json() as? [String: Any])
            let url = try #require((d["endpoints"] as? [[String: Any]])?.first?["url"] as? String)
            #expect(url == "/open311/v2" && !url.contains("localhost"), "\(url)")
            #expect(d["contact"] as? String == "roads@example.org")
            let x = try await client.get("/open311/v2/discovery.xml")
            #expect(!x.text.contains("localhost"))
        }
    }

    @Test func publicURLParsingAndDefault() {
        #expect(Open311Configuration.publicURL(parsing: "https://roads.example.org/") == "https://roads.example.org")
        #expect(Open311Configuration.publicURL(parsing: "http://10.0.0.5:8080/pw") == "http://10.0.0.5:8080/pw")
        for bad in ["ftp://roads.example.org", "roads.example.org", "https://", "https://x.org/?a=1", "https://x.org/#f",
                    "https://user:pw@x.org", ""] {
            #expect(Open311Configuration.publicURL(parsing: bad) == nil, "\(bad)")
        }
        #expect(Open311Configuration.publicURL(host: "127.0.0.1", port: 8080) == "http://127.0.0.1:8080")
        #expect(Open311Configuration.publicURL(host: "::1", port: 80) == "http://[::1]:80")
        #expect(Open311Configuration.publicURL(host: "0.0.0.0", port: 80) == "http://\(ProcessInfo.processInfo.hostName):80")
    }
}

extension Open311HardeningTests {
    @Test func everyUnknownAPIPathAndMethodIsAGeoReport404() async throws {
        try await withOpen311Server { client, _ in
            for (path, method) in [("/open311/v2/nothing.json", HTTPRequest.Method.put), ("/open311/v2/nothing.json", .delete),
                                   ("/open311/v2/nothing.json", .patch), ("/open311/v2", .get), ("/open311/v2/", .get),
                                   ("/open311", .get), ("/open311/discovery.json", .get), ("/open311/v3/requests.json", .post),
                                   ("/open311/v2/requests/1.json/more", .get), ("/open311/v2/nothing.json", .options)] {
                let r = try await client.execute(uri: path, method: method)
                #expect(r.status == .notFound, "\(method) \(path)")
                try r.expectError(.notFound)
            }
            let x = try await client.execute(uri: "/open311/v2/nothing.xml", method: .delete)
            #expect(x.status == .notFound && XMLProbe.parse(x.text)?.texts["code"] == ["404"], "\(x.text)")
        }
    }

    @Test func methodNotAllowedNamesTheAllowedMethods() async throws {
        try await withOpen311Server { client, _ in
            for (path, method, allow) in [("/open311/v2/services.json", HTTPRequest.Method.post, "GET, HEAD"),
                                          ("/open311/v2/requests/1.xml", .delete, "GET, HEAD"),
                                          ("/open311/v2/requests.json", .put, "GET, HEAD, POST")] {
                let r = try await client.execute(uri: path, method: method)
                #expect(r.status == .methodNotAllowed, "\(method) \(path)")
                #expect(r.headers[.allow] == allow, "\(method) \(path): \(r.headers)")
            }
        }
    }

    @Test func headIsGetWithoutBody() async throws {
        try await withOpen311Server { client, _ in
            for path in ["/open311/v2/services.json", "/open311/v2/discovery.xml", "/open311/v2/requests.json", "/health"] {
                let get = try await client.execute(uri: path, method: .get)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == .ok, "HEAD \(path)")
                #expect(head.body.readableBytes == 0, "HEAD \(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(path)")
                #expect(head.headers[.contentLength] == String(get.body.readableBytes), "HEAD \(path): \(head.headers)")
            }
            let missing = try await client.execute(uri: "/open311/v2/nothing.json", method: .head)
            #expect(missing.status == .notFound && missing.body.readableBytes == 0)
        }
    }
}
