import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Tickets

@Suite struct Open311RequestTests {
    let valid: [(String, String)] = [("api_key", "key-two"), ("service_code", "crack"), ("lat", "47.5"),
                                     ("long", "8.6")]

    func with(_ extra: [(String, String)], without: Set<String> = []) -> [(String, String)] {
        valid.filter { !without.contains($0.0) && !extra.map(\.0).contains($0.0) } + extra
    }

    @Test func createThenReadBackEveryField() async throws {
        try await withOpen311Server { client, store in
            let form = with([("description", "Deep crack <b>&</b> near the school"),
                             ("media_url", "https://example.org/p/1.jpg"), ("address_string", "Main St 1"),
                             ("attribute[subtype]", "block"), ("attribute[width_mm]", "12.5"),
                             ("email", "a@example.org"), ("first_name", "Ann")])
            let created = try await client.post("/open311/v2/requests.json", form)
            #expect(created.status == .created, "\(created.text)")
            let answer = try created.list()
            let id = try #require(answer.first?["service_request_id"] as? String)
            #expect(answer.first?.keys.contains("service_notice") == true)

            let got = try await client.get("/open311/v2/requests/\(id).json").list()
            #expect(got.count == 1)
            let r = try #require(got.first)
            #expect(r["service_request_id"] as? String == id)
            #expect(r["status"] as? String == "open")
            #expect(r["service_code"] as? String == "crack")
            #expect(r["service_name"] as? String == "Pavement crack")
            #expect(r["description"] as? String == "Deep crack <b>&</b> near the school")
            #expect(r["media_url"] as? String == "https://example.org/p/1.jpg")
            #expect(r["address"] as? String == "Main St 1")
            #expect(r["lat"] as? Double == 47.5 && r["long"] as? Double == 8.6)
            #expect(r["agency_responsible"] as? String == "Pavewatch")
            #expect((r["status_notes"] as? String)?.contains("new") == true)
            for k in ["requested_datetime", "updated_datetime"] {
                let s = try #require(r[k] as? String)
                #expect(ISO8601DateFormatter().date(from: s) != nil, "\(k): \(s)")
            }
            for k in ["expected_datetime", "address_id", "zipcode"] { #expect(r[k] is NSNull, "\(k)") }

            let x = try #require(XMLProbe.parse(try await client.get("/open311/v2/requests/\(id).xml").text))
            #expect(x.elements.prefix(2) == ["service_requests", "request"])
            #expect(x.texts["description"] == ["Deep crack <b>&</b> near the school"])
            #expect(x.texts["service_request_id"] == [id])

            // Stored in the same table as survey tickets, with the attributes; the actor names the key's
            // position, never the key.
            let t = try #require(try await store.ticket(id: Int64(id)!))
            #expect(t.source == "open311" && t.attributes == ["subtype": "block", "width_mm": "12.5"])
            #expect(t.subtype == "block" && t.widthMm == 12.5 && t.severity == .medium)
            let events = try await store.events(ticketId: t.id!)
            #expect(events.map(\.actor) == ["open311:key2"])
            #expect(try await store.tickets(TicketQuery()).count == 3)
        }
    }

    @Test func createAsXML() async throws {
        try await withOpen311Server { client, _ in
            let r = try await client.post("/open311/v2/requests.xml", with([("service_code", "leak")]))
            #expect(r.status == .created)
            let x = try #require(XMLProbe.parse(r.text))
            #expect(x.elements.prefix(3) == ["service_requests", "request", "service_request_id"])
            #expect(Int(x.texts["service_request_id"]?.first ?? "") != nil)
        }
    }

    @Test func apiKeyMissingOrWrongIs403() async throws {
        try await withOpen311Server { client, store in
            try await client.post("/open311/v2/requests.json", with([], without: ["api_key"])).expectError(.forbidden)
            for bad in ["", "key-twO", "key-two ", "key", "key-two-extra", "' OR '1'='1"] {
                try await client.post("/open311/v2/requests.json", with([("api_key", bad)])).expectError(.forbidden)
            }
            let x = try await client.post("/open311/v2/requests.xml", with([("api_key", "nope")]))
            #expect(x.status == .forbidden && XMLProbe.parse(x.text)?.texts["code"] == ["403"])
            #expect(try await store.tickets(TicketQuery()).count == 2)
        }
        try await withOpen311Server(keys: []) { client, _ in
            try await client.post("/open311/v2/requests.json", with([])).expectError(.forbidden)
        }
    }

    @Test func everyRequiredFieldAndLimit() async throws {
        let bad: [[(String, String)]] = [
            with([], without: ["service_code"]), with([("service_code", "")]),
            with([], without: ["lat"]), with([], without: ["long"]), with([("lat", "abc")]), with([("lat", "91")]),
            with([("lat", "-90.0001")]), with([("long", "180.5")]), with([("long", "nan")]), with([("lat", "inf")]),
            with([("lat", String(repeating: "1", count: 50))]),
            with([("description", String(repeating: "x", count: 4001))]),
            with([("media_url", "javascript:alert(1)")]), with([("media_url", "ftp://x/y")]),
            with([("media_url", "https://" + String(repeating: "a", count: 2100))]),
            with([("address_string", String(repeating: "a", count: 501))]),
            with([("email", String(repeating: "a", count: 201))]),
            with([("attribute[subtype]", "bogus")]), with([("attribute[unknown]", "1")]),
            with([("attribute[width_mm]", "-1")]), with([("attribute[width_mm]", "wide")]),
            with([("service_code", "leak"), ("attribute[subtype]", "block")]),
            with((0..<21).map { ("attribute[k\($0)]", "1") }),
        ]
        try await withOpen311Server { client, store in
            for form in bad {
                let r = try await client.post("/open311/v2/requests.json", form)
                try r.expectError(.badRequest)
            }
            // An unknown service is 404 (GeoReport v2), as on GET services/{code}.
            try await client.post("/open311/v2/requests.json", with([("service_code", "pothole")])).expectError(.notFound)
            // Limits are inclusive: exactly 4000 characters (multi-byte too) pass.
            for d in [String(repeating: "x", count: 4000), String(repeating: "é", count: 4000)] {
                let r = try await client.post("/open311/v2/requests.json", with([("description", d)]))
                #expect(r.status == .created)
            }
            #expect(try await store.tickets(TicketQuery()).count == 4)
        }
    }

    @Test func malformedBodies() async throws {
        try await withOpen311Server { client, _ in
            try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                     headers: [.contentType: "application/json"],
                                     body: .init(string: #"{"api_key":"key-one"}"#)).expectError(.badRequest)
            try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: .init(string: "api_key=key-one&service_code=%zz")).expectError(.badRequest)
            try await client.execute(uri: "/open311/v2/requests.json", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: .init(string: "api_key=key-one&description=%FF%FE")).expectError(.badRequest)
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await withOpen311Server(maxBodyBytes: 4096) { client, store in
            let r = try await client.post("/open311/v2/requests.json",
                                          with([("description", String(repeating: "y", count: 5000))]))
            try r.expectError(.contentTooLarge)
            #expect(try await store.tickets(TicketQuery()).count == 2)
        }
    }

    @Test func idempotencyKeyReturnsTheFirstRequest() async throws {
        try await withOpen311Server { client, store in
            let h: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "abc-123"]
            let first = try await client.post("/open311/v2/requests.json", with([]), headers: h)
            #expect(first.status == .created)
            let again = try await client.post("/open311/v2/requests.json", with([("description", "changed")]), headers: h)
            #expect(again.status == .ok)
            #expect(try first.list().first?["service_request_id"] as? String
                    == again.list().first?["service_request_id"] as? String)
            #expect(try await store.tickets(TicketQuery()).count == 3)
            let long: HTTPFields = [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 201)]
            try await client.post("/open311/v2/requests.json", with([]), headers: long).expectError(.badRequest)
        }
    }
}
