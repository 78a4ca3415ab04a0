import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Tickets

@Suite struct Open311DiscoveryTests {
    @Test func discoveryJSONAndXML() async throws {
        try await withOpen311Server { client, _ in
            let r = try await client.get("/open311/v2/discovery.json")
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
            let d = try #require(try r.json() as? [String: Any])
            let endpoints = try #require(d["endpoints"] as? [[String: Any]])
            #expect(endpoints.first?["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
            let url = try #require(endpoints.first?["url"] as? String)
            #expect(url.hasPrefix("http://") && url.hasSuffix("/open311/v2"), "\(url)")
            #expect(endpoints.first?["formats"] as? [String] == ["application/json", "text/xml"])
            #expect(d["changeset"] is String && d["contact"] is String && d["key_service"] is String)
            let x = try await client.get("/open311/v2/discovery.xml")
            #expect(x.status == .ok && x.headers[.contentType]?.hasPrefix("text/xml") == true)
            let probe = try #require(XMLProbe.parse(x.text))
            #expect(probe.elements.first == "discovery")
            #expect(probe.texts["format"] == ["application/json", "text/xml"])
        }
    }

    @Test func servicesListCrackAndLeakWithEveryField() async throws {
        try await withOpen311Server { client, _ in
            let list = try await client.get("/open311/v2/services.json").list()
            #expect(list.compactMap { $0["service_code"] as? String } == ["crack", "leak"])
            for s in list {
                for key in ["service_name", "description", "type", "keywords", "group"] {
                    #expect((s[key] as? String)?.isEmpty == false, "\(key)")
                }
                #expect(s["metadata"] as? Bool == true)
                #expect(s["type"] as? String == "realtime")
            }
            let x = try #require(XMLProbe.parse(try await client.get("/open311/v2/services.xml").text))
            #expect(x.elements.first == "services")
            #expect(x.texts["service_code"] == ["crack", "leak"])
        }
    }

    @Test func serviceDefinitions() async throws {
        try await withOpen311Server { client, _ in
            let r = try await client.get("/open311/v2/services/crack.json")
            #expect(r.status == .ok)
            let d = try #require(try r.json() as? [String: Any])
            #expect(d["service_code"] as? String == "crack")
            let attrs = try #require(d["attributes"] as? [[String: Any]])
            let subtype = try #require(attrs.first { $0["code"] as? String == "subtype" })
            #expect(subtype["datatype"] as? String == "singlevaluelist")
            #expect(subtype["variable"] as? Bool == true && subtype["required"] as? Bool == false)
            let values = try #require(subtype["values"] as? [[String: Any]])
            #expect(values.compactMap { $0["key"] as? String } == ["longitudinal", "transverse", "block", "alligator"])
            #expect(attrs.map { $0["order"] as? Int } == Array(1...attrs.count))
            let leak = try #require(XMLProbe.parse(try await client.get("/open311/v2/services/leak.xml").text))
            #expect(leak.elements.first == "service_definition")
            #expect(leak.texts["code"]?.contains("area_m2") == true)
            for bad in ["pothole", "CRACK", "crack'%20OR%20'1'='1", "%00"] {
                try await client.get("/open311/v2/services/\(bad).json").expectError(.notFound)
            }
            let x = try await client.get("/open311/v2/services/pothole.xml")
            #expect(x.status == .notFound)
            let probe = try #require(XMLProbe.parse(x.text))
            #expect(probe.elements == ["errors", "error", "code", "description"])
            #expect(probe.texts["code"] == ["404"])
        }
    }

    @Test func unknownEndpointsAreGeoReport404s() async throws {
        try await withOpen311Server { client, _ in
            try await client.get("/open311/v2/nothing.json").expectError(.notFound)
            try await client.get("/open311/v2/requests.csv").expectError(.notFound)
            try await client.post("/open311/v2/nothing.json", []).expectError(.notFound)
            // Known paths with the wrong method.
            try await client.post("/open311/v2/services.json", []).expectError(.methodNotAllowed)
            try await client.post("/open311/v2/requests/1.json", []).expectError(.methodNotAllowed)
            try await client.execute(uri: "/open311/v2/requests.json", method: .delete).expectError(.methodNotAllowed)
        }
    }
}
