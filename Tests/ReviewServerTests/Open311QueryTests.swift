import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Tickets

@Suite struct Open311QueryTests {
    func ids(_ r: TestResponse) throws -> [String] {
        try r.list().compactMap { $0["service_request_id"] as? String }.sorted()
    }

    @Test func filters() async throws {
        try await withOpen311Server { client, store in
            // Tickets 1 (crack) and 2 (leak) come from the survey; 3 is a crack made through the API.
            let made = try await client.post("/open311/v2/requests.json", [
                ("api_key", "key-one"), ("service_code", "crack"), ("lat", "1"), ("long", "2")])
            #expect(made.status == .created)
            _ = try await store.transition(ticketId: 1, to: .rejected, actor: "alice", note: nil)

            #expect(try ids(await client.get("/open311/v2/requests.json")) == ["1", "2", "3"])
            #expect(try ids(await client.get("/open311/v2/requests.json?service_code=leak")) == ["2"])
            #expect(try ids(await client.get("/open311/v2/requests.json?service_code=crack,leak")) == ["1", "2", "3"])
            #expect(try ids(await client.get("/open311/v2/requests.json?status=closed")) == ["1"])
            #expect(try ids(await client.get("/open311/v2/requests.json?status=open&service_code=crack")) == ["3"])
            #expect(try ids(await client.get("/open311/v2/requests.json?service_request_id=1,3")) == ["1", "3"])
            // service_request_id overrides the other filters (GeoReport v2).
            #expect(try ids(await client.get("/open311/v2/requests.json?service_request_id=2&service_code=crack")) == ["2"])
            #expect(try ids(await client.get("/open311/v2/requests.json?service_request_id=999")) == [])

            let past = "2000-01-01T00:00:00Z", future = "2999-01-01T00:00:00%2B02:00"
            #expect(try ids(await client.get("/open311/v2/requests.json?start_date=\(past)")) == ["1", "2", "3"])
            #expect(try ids(await client.get("/open311/v2/requests.json?start_date=\(future)")) == [])
            #expect(try ids(await client.get("/open311/v2/requests.json?end_date=\(past)")) == [])
            let recent = Date().addingTimeInterval(-86_400).formatted(.iso8601)
            let soon = Date().addingTimeInterval(86_400).formatted(.iso8601)
            #expect(try ids(await client.get("/open311/v2/requests.json?start_date=\(recent)&end_date=\(soon)")) == ["1", "2", "3"])

            let closed = try #require(try await client.get("/open311/v2/requests.json?status=closed").list().first)
            #expect(closed["status"] as? String == "closed")

            let x = try #require(XMLProbe.parse(try await client.get("/open311/v2/requests.xml?service_code=leak").text))
            #expect(x.elements.first == "service_requests")
            #expect(x.texts["service_request_id"] == ["2"])
            #expect(x.texts["lat"]?.first.flatMap(Double.init) != nil)
        }
    }

    @Test func badFiltersAre400() async throws {
        let queries = [
            "status=pending", "status=open,", "service_code=pothole", "service_request_id=abc",
            "service_request_id=0", "service_request_id=-1", "service_request_id=1,,2",
            "service_request_id=99999999999999999999",
            "service_request_id=" + (1...101).map(String.init).joined(separator: ","),
            "start_date=yesterday", "end_date=2026-13-01T00:00:00Z", "start_date=2026-01-01",
            "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
            "start_date=2024-05-01T00:00:00Z&end_date=2026-12-31T00:00:00Z", "start_date=2026-12-07T07:15",
            "q=" + String(repeating: "a", count: 9000), "status=%zz",
        ]
        try await withOpen311Server { client, _ in
            for q in queries {
                try await client.get("/open311/v2/requests.json?\(q)").expectError(.badRequest)
            }
            let x = try await client.get("/open311/v2/requests.xml?status=pending")
            #expect(x.status == .badRequest && XMLProbe.parse(x.text)?.texts["code"] == ["400"])
        }
    }

    @Test func unknownRequestIs404() async throws {
        try await withOpen311Server { client, _ in
            for id in ["999", "0", "-1", "abc", "1;DROP%20TABLE%20ticket", "99999999999999999999", "1%20OR%201=1"] {
                try await client.get("/open311/v2/requests/\(id).json").expectError(.notFound)
            }
            #expect(try await client.get("/open311/v2/requests/1.json").status == .ok)
        }
    }

    static let injections = ["' OR '1'='1", "1; DROP TABLE ticket; --", "1) OR (1=1", "\" OR \"\"=\"", "%' --",
                             "1 UNION SELECT name FROM sqlite_master", "crack'; DELETE FROM ticket; --",
                             "\u{0}", String(repeating: "A", count: 5000)]

    /// Every parameter of every endpoint with SQL-injection payloads: each answer is a GeoReport status (never
    /// 500), nothing is deleted, and text fields are stored literally.
    @Test func sqlInjectionInEveryParameter() async throws {
        try await withOpen311Server { client, store in
            let before = try await store.tickets(TicketQuery(orderByPriority: false))
            for payload in Self.injections {
                let q = FormURLEncoded.encode([("x", payload)]).dropFirst(2)
                for name in ["service_request_id", "service_code", "status", "start_date", "end_date", "jurisdiction_id"] {
                    let r = try await client.get("/open311/v2/requests.json?\(name)=\(q)")
                    #expect([HTTPResponse.Status.ok, .badRequest].contains(r.status), "\(name)=\(payload): \(r.status)")
                }
                for path in ["requests/\(q).json", "services/\(q).json"] {
                    #expect(try await client.get("/open311/v2/\(path)").status == .notFound, "\(path)")
                }
                let base: [(String, String)] = [("api_key", "key-one"), ("service_code", "crack"), ("lat", "1"),
                                                ("long", "2")]
                for name in ["api_key", "service_code", "lat", "long", "media_url", "address_string", "email",
                             "attribute[subtype]", "attribute[\(payload)]"] {
                    let form = base.filter { $0.0 != name } + [(name, payload)]
                    let r = try await client.post("/open311/v2/requests.json", form)
                    #expect([HTTPResponse.Status.created, .badRequest, .forbidden, .notFound].contains(r.status),
                            "\(name)=\(payload): \(r.status) \(r.text)")
                }
                if payload.contains("\u{0}") {
                    let r = try await client.post("/open311/v2/requests.json", base + [("description", payload)])
                    try r.expectError(.badRequest)
                } else if payload.count <= 4000 {
                    let r = try await client.post("/open311/v2/requests.json", base + [("description", payload)])
                    #expect(r.status == .created)
                    let id = try #require(try r.list().first?["service_request_id"] as? String)
                    let back = try await client.get("/open311/v2/requests/\(id).json").list().first
                    #expect(back?["description"] as? String == payload)
                }
            }
            let after = try await store.tickets(TicketQuery(orderByPriority: false))
            #expect(Array(after.prefix(before.count)) == before)
            #expect(after.allSatisfy { $0.id != nil })
        }
    }
}
