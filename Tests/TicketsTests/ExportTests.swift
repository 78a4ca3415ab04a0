import Findings
import Foundation
import Testing
@testable import Tickets

@Suite struct ExportTests {
    func store(_ backend: StoreBackend) async throws -> any TicketStore {
        let store = try await backend.store()
        var noGeo = Fixtures.crack(east: 0, north: 0)
        noGeo.latitude = nil
        noGeo.longitude = nil
        noGeo.geoOutline = nil
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("f", [Fixtures.crack(east: 0, north: 0, widthMm: 20), Fixtures.leak(east: 30, north: 0),
                                 noGeo])]), actor: "test")
        _ = try await store.createServiceRequest(
            ServiceRequestInput(defectClass: .crack, latitude: 47.5, longitude: 8.6,
                                description: "quote \" comma, newline\n <tag> & done"), actor: "test")
        return store
    }

    @Test(arguments: StoreBackend.allCases) func geoJSONParsesBack(_ backend: StoreBackend) async throws {
        let tickets = try await store(backend).tickets(TicketQuery())
        let text = TicketExport.geoJSON(tickets)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(root["type"] as? String == "FeatureCollection")
        let features = try #require(root["features"] as? [[String: Any]])
        #expect(features.count == 4)
        var kinds: [String] = []
        for (f, t) in zip(features, tickets) {
            #expect(f["type"] as? String == "Feature")
            let props = try #require(f["properties"] as? [String: Any])
            #expect((props["id"] as? Int).map(Int64.init) == t.id)
            #expect(props["class"] as? String == t.defectClass.rawValue)
            #expect(props["status"] as? String == "new")
            if let g = f["geometry"] as? [String: Any] {
                let type = try #require(g["type"] as? String)
                kinds.append(type)
                switch type {
                case "LineString":
                    let c = try #require(g["coordinates"] as? [[Double]])
                    #expect(c.count == 2 && c.allSatisfy { $0.count == 2 })
                    #expect(abs(c[0][1] - Fixtures.origin.latitude) < 1e-4)  // [lon, lat] order
                case "Polygon":
                    let rings = try #require(g["coordinates"] as? [[[Double]]])
                    #expect(rings[0].first == rings[0].last && rings[0].count == 5)
                case "Point":
                    let c = try #require(g["coordinates"] as? [Double])
                    #expect(c == [8.6, 47.5])
                default:
                    Issue.record("unexpected geometry \(type)")
                }
            } else {
                #expect(f["geometry"] is NSNull)
                kinds.append("null")
            }
        }
        #expect(kinds.sorted() == ["LineString", "Point", "Polygon", "null"])
    }

    @Test(arguments: StoreBackend.allCases) func csvQuotesAndCounts(_ backend: StoreBackend) async throws {
        let tickets = try await store(backend).tickets(TicketQuery())
        let csv = TicketExport.csv(tickets)
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("id,class,subtype,status,severity,priority,latitude,longitude"))
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 20 })
    }

    @Test(arguments: StoreBackend.allCases) func kmlIsWellFormed(_ backend: StoreBackend) async throws {
        let tickets = try await store(backend).tickets(TicketQuery())
        let kml = TicketExport.kml(tickets)
        #expect(kml.components(separatedBy: "<Placemark>").count - 1 == 3)
        #expect(!kml.contains("<tag>"))
        #expect(XMLText.escape("a<b>&\"'\u{1}") == "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}")
    }
}
