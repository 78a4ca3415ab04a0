import Findings
import Foundation
import Geodesy
import Testing
@testable import Tickets

@Suite struct SeverityPriorityTests {
    @Test(arguments: [(nil, Severity.unknown), (0.5, .low), (9.99, .low), (10, .medium), (76, .medium),
                      (76.01, .high), (300, .high), (Double.nan, .unknown)] as [(Double?, Severity)])
    func crackSeverityFollowsASTMD6433(width: Double?, expected: Severity) {
        #expect(Severity.crack(widthMm: width) == expected)
    }

    @Test func leakSeverityFromAreaAndGrowth() {
        #expect(Severity.leak(areaM2: nil, firstAreaM2: nil) == .unknown)
        #expect(Severity.leak(areaM2: 0.9, firstAreaM2: 0.9) == .low)
        #expect(Severity.leak(areaM2: 1, firstAreaM2: 1) == .medium)
        #expect(Severity.leak(areaM2: 5, firstAreaM2: 5) == .high)
        // Grew by half and by ≥ 0.5 m²: one level up.
        #expect(Severity.leak(areaM2: 0.9, firstAreaM2: 0.3) == .medium)
        #expect(Severity.leak(areaM2: 3, firstAreaM2: 2) == .high)
        // Grew by half but only 0.2 m²: no bump.
        #expect(Severity.leak(areaM2: 0.6, firstAreaM2: 0.4) == .low)
    }

    func ticket(width: Double?, length: Double?, confidence: Double = 0.5) -> Ticket {
        var t = Ticket(defectClass: .crack, latitude: 47.3769, longitude: 8.5417, confidence: confidence,
                       source: "survey", at: Date(timeIntervalSince1970: 0))
        t.widthMm = width
        t.lengthM = length
        t.firstWidthMm = width
        t.firstLengthM = length
        return t
    }

    @Test func priorityFormula() {
        var t = ticket(width: 20, length: 5, confidence: 0.8)
        PriorityModel().rank(&t)
        // 100 × (0.40·0.6 + 0.25·0.5 + 0.20·0 + 0.15·0.8) = 48.5
        #expect(t.severity == .medium)
        #expect(abs(t.priority - 48.5) < 1e-9)
        t.widthMm = 30  // +50 % width since first seen: growth term saturates
        PriorityModel().rank(&t)
        #expect(abs(t.priority - 68.5) < 1e-9)
    }

    @Test func rankingOrdersBySeverityExtentGrowthConfidence() {
        var wide = ticket(width: 80, length: 1)
        var long = ticket(width: 5, length: 10)
        var small = ticket(width: 2, length: 0.2)
        var unknown = ticket(width: nil, length: nil)
        let model = PriorityModel()
        model.rank(&wide)
        model.rank(&long)
        model.rank(&small)
        model.rank(&unknown)
        #expect(wide.priority > long.priority)
        #expect(long.priority > small.priority)
        #expect(unknown.priority > small.priority)
    }

    @Test func zoneWeightsFromYAML() throws {
        let p = Fixtures.origin
        let yaml = """
        default: 0.5
        zones:
          - name: School street
            weight: 2
            polygon: [[\(p.longitude - 0.001), \(p.latitude - 0.001)], [\(p.longitude + 0.001), \(p.latitude - 0.001)],
                      [\(p.longitude + 0.001), \(p.latitude + 0.001)], [\(p.longitude - 0.001), \(p.latitude + 0.001)]]
        """
        let zones = try ZoneWeights.parse(yaml: yaml)
        #expect(zones.defaultWeight == 0.5 && zones.zones.count == 1)
        var inside = ticket(width: 20, length: 5, confidence: 0.8)
        PriorityModel(zones: zones).rank(&inside)
        #expect(inside.zone == "School street")
        #expect(abs(inside.priority - 97) < 1e-9)
        var outside = inside
        outside.latitude = p.latitude + 0.01
        PriorityModel(zones: zones).rank(&outside)
        #expect(outside.zone == nil)
        #expect(abs(outside.priority - 24.25) < 1e-9)
    }

    @Test(arguments: ["zones: [", "zones:\n  - name: a\n    weight: 0\n    polygon: [[0,0],[1,0],[1,1]]",
                      "zones:\n  - name: a\n    weight: 1\n    polygon: [[0,0],[1,0]]", "default: -1"])
    func badZoneWeightsAreRefused(yaml: String) {
        #expect(throws: TicketError.self) { try ZoneWeights.parse(yaml: yaml) }
    }

    @Test(arguments: StoreBackend.allCases) func rerankAppliesZones(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("f", [Fixtures.crack(east: 0, north: 0), Fixtures.crack(east: 500, north: 0)])]),
            actor: "test")
        let near = Fixtures.point(east: 0, north: 0), d = 0.0005
        let zones = ZoneWeights(zones: [.init(name: "z", weight: 3, polygon: [
            GeoPoint(latitude: near.latitude - d, longitude: near.longitude - d),
            GeoPoint(latitude: near.latitude - d, longitude: near.longitude + d),
            GeoPoint(latitude: near.latitude + d, longitude: near.longitude + d),
            GeoPoint(latitude: near.latitude + d, longitude: near.longitude - d)])])
        try await store.rerank(PriorityModel(zones: zones))
        let ranked = try await store.tickets(TicketQuery())
        #expect(ranked.map(\.zone) == ["z", nil])
        #expect(abs(ranked[0].priority - 3 * ranked[1].priority) < 0.02)
    }
}
