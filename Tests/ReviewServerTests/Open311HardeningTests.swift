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

extension Open311HardeningTests {
    func ids(_ r: TestResponse) throws -> [String] {
        try r.list().compactMap { $0["service_request_id"] as? String }.sorted()
    }

    @Test func emptyOptionalParametersAreAbsent() async throws {
        try await withOpen311Server { client, store in
            for q in ["status=", "start_date=", "end_date=", "service_code=", "service_request_id=",
                      "status=&start_date=&end_date=&service_code="] {
                let r = try await client.get("/open311/v2/requests.json?\(q)")
                #expect(r.status == .ok, "\(q): \(r.text)")
                #expect(try ids(r) == ["1", "2"], "\(q)")
            }
            let made = try await client.post("/open311/v2/requests.json", [
                ("api_key", "key-one"), ("service_code", "crack"), ("lat", "47.5"), ("long", "8.5"), ("description", ""),
                ("address_string", ""), ("media_url", ""), ("email", ""), ("attribute[subtype]", ""), ("attribute[width_mm]", "")])
            #expect(made.status == .created, "\(made.text)")
            let id = try #require(try made.list().first?["service_request_id"] as? String)
            let number = try #require(Int64(id))
            let t = try #require(try await store.ticket(id: number))
            #expect(t.address == nil && t.mediaUrl == nil)
        }
    }

    @Test func minutePrecisionDatetimes() async throws {
        try await withOpen311Server { client, _ in
            let f = Date.ISO8601FormatStyle().year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            let minute = { (d: Date) in String(d.formatted(f).dropLast(3)) + "Z" }  // 2026-12-07T07:15Z
            let start = minute(Date().addingTimeInterval(-3600)), end = minute(Date().addingTimeInterval(3600))
            #expect(start.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z/#) != nil, "\(start)")
            let r = try await client.get("/open311/v2/requests.json?start_date=\(start)&end_date=\(end)")
            #expect(r.status == .ok, "\(r.text)")
            #expect(try ids(r) == ["1", "2"])
            let offset = try await client.get("/open311/v2/requests.json?start_date=2026-12-07T07:15%2B01:00")
            #expect(offset.status == .ok, "\(offset.text)")
            #expect(try await client.get("/open311/v2/requests.json?start_date=2999-12-07T07:15Z").list().isEmpty)
        }
    }

    @Test func datesMaySpanAtMost90Days() async throws {
        try await withOpen311Server { client, _ in
            try await client.get("/open311/v2/requests.json?start_date=2024-05-01T00:00:00Z&end_date=2026-12-31T00:00:00Z")
                .expectError(.badRequest)
            try await client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00Z&end_date=2026-04-01T00:01Z")
                .expectError(.badRequest)
            let exact = try await client.get("/open311/v2/requests.json?start_date=2026-01-01T00:00Z&end_date=2026-04-01T00:00Z")
            #expect(exact.status == .ok, "90 days exactly: \(exact.text)")
        }
    }

    @Test func unknownServiceCodeOnPostIs404() async throws {
        try await withOpen311Server { client, store in
            for code in ["pothole", "CRACK"] {
                try await client.post("/open311/v2/requests.json", [
                    ("api_key", "key-one"), ("service_code", code), ("lat", "47.5"), ("long", "8.5")]).expectError(.notFound)
            }
            #expect(try await store.tickets(TicketQuery()).count == 2)
        }
    }

    @Test func apiKeyGuessingIsThrottledPerClientWithRetryAfter() async throws {
        // A 30 s first wait, so that a slow machine cannot outlast it between two requests (the throttle's own
        // arithmetic, doubling and forgetting on success, is tested on LoginThrottle with a given clock).
        try await withOpen311Server(maxKeyFailures: 3, keyBackoff: 30) { client, store in
            let good: [(String, String)] = [("service_code", "crack"), ("lat", "47.5"), ("long", "8.5")]
            for i in 0..<3 {
                try await client.post("/open311/v2/requests.json", [("api_key", "guess-\(i)")] + good).expectError(.forbidden)
            }
            // The fourth attempt waits, even with the right key: guessing costs time, and the error says how long.
            let refused = try await client.post("/open311/v2/requests.json", [("api_key", "key-one")] + good)
            #expect(refused.status == .tooManyRequests, "\(refused.text)")
            let wait = try #require(refused.headers[.retryAfter].flatMap { Int($0) }, "Retry-After is sent")
            #expect(wait >= 1 && wait <= 30)
            let errors = try refused.list()
            #expect(errors.first?["code"] as? Int == 429, "\(refused.text)")
            #expect(try await store.tickets(TicketQuery()).count == 2, "nothing created while refused")
        }
    }

    @Test func aRequestMayNameAnAddressInsteadOfLatLong() async throws {
        try await withOpen311Server { client, store in
            let base: [(String, String)] = [("api_key", "key-one"), ("service_code", "crack")]
            let byAddress = try await client.post("/open311/v2/requests.json", base + [("address_string", "Bahnhofstrasse 1, Zürich")])
            #expect(byAddress.status == .created, "\(byAddress.text)")
            let byId = try await client.post("/open311/v2/requests.json", base + [("address_id", "CH-ZH-261-4711")])
            #expect(byId.status == .created, "\(byId.text)")
            for created in [byAddress, byId] {
                let id = try #require(try created.list().first?["service_request_id"] as? String)
                let r = try #require(try await client.get("/open311/v2/requests/\(id).json").list().first)
                #expect(r["lat"] is NSNull && r["long"] is NSNull, "no position without a geocoder: \(r)")
                let t = try #require(try await store.ticket(id: Int64(id)!))
                #expect(t.latitude == nil && t.status == .new)
            }
            let a = try #require(try byAddress.list().first?["service_request_id"] as? String)
            let b = try #require(try byId.list().first?["service_request_id"] as? String)
            #expect(try await client.get("/open311/v2/requests/\(a).json").list().first?["address"] as? String == "Bahnhofstrasse 1, Zürich")
            #expect(try await client.get("/open311/v2/requests/\(b).json").list().first?["address_id"] as? String == "CH-ZH-261-4711")
            // Neither a position nor an address, or half a position: refused.
            try await client.post("/open311/v2/requests.json", base).expectError(.badRequest)
            try await client.post("/open311/v2/requests.json", base + [("lat", "47.5"), ("address_string", "x")]).expectError(.badRequest)
            try await client.post("/open311/v2/requests.json", base + [("address_id", String(repeating: "9", count: 201))])
                .expectError(.badRequest)
            #expect(try await store.tickets(TicketQuery()).count == 4)
        }
    }

    @Test func repeatedParametersAreRefusedNotHalfRead() async throws {
        try await withOpen311Server { client, store in
            try await client.get("/open311/v2/requests.json?status=open&status=closed").expectError(.badRequest)
            try await client.post("/open311/v2/requests.json", [
                ("api_key", "key-one"), ("service_code", "crack"), ("lat", "47.5"), ("long", "8.5"), ("lat", "10"),
            ]).expectError(.badRequest)
            try await client.post("/open311/v2/requests.json", [
                ("api_key", "key-one"), ("service_code", "crack"), ("lat", "47.5"), ("long", "8.5"),
                ("attribute[subtype]", "transverse"), ("attribute[subtype]", "longitudinal"),
            ]).expectError(.badRequest)
            #expect(try await store.tickets(TicketQuery()).count == 2)
            let one = try await client.get("/open311/v2/requests.json?status=open&service_code=crack")
            #expect(one.status == .ok, "\(one.text)")
        }
    }
}
