import Findings
import Foundation
import Testing
@testable import Tickets

/// Condition index per unit and survey, forecasts, the maintenance plan and the KPIs, on stored surveys.
@Suite(.serialized) struct ConditionTests {
    /// A frame with a square footprint of side `side` m centred `east` m from the origin, a paved share and a date.
    static func frame(_ name: String, _ findings: [Finding], east: Double = 0, side: Double = 40, paved: Double = 0.5,
                      at date: String) -> SurveyBatch.Frame {
        let fp = [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)].map { Fixtures.point(east: east + $0.0 * side / 2, north: $0.1 * side / 2) }
        var r = FrameReport(file: name, width: 4000, height: 3000, findings: findings, footprint: fp, capturedAt: date)
        r.surfaceFraction = paved
        r.surveyedAreaM2 = side * side * paved
        return SurveyBatch.Frame(report: r, contentHash: ContentHash.sha256Hex(Array(name.utf8)))
    }

    /// Two surveys a year apart over the same 40 m square: a crack that grows from 6 m × 6 mm to 9 m × 8 mm, and a
    /// third survey 200 m east that sees none of it.
    static func twoSurveys(_ backend: StoreBackend) async throws -> any ReviewStore {
        let store = try await backend.reviewStore()
        _ = try await store.ingest(SurveyBatch(surveyName: "2024", frames: [
            frame("a", [Fixtures.crack(east: 5, north: 5, lengthM: 6, widthMm: 6)], at: "2024-05-01T10:00:00Z"),
        ]), actor: "t")
        _ = try await store.ingest(SurveyBatch(surveyName: "2025", frames: [
            frame("b", [Fixtures.crack(east: 3.5, north: 5, lengthM: 9, widthMm: 8)], at: "2025-05-01T10:00:00Z"),
        ]), actor: "t")
        _ = try await store.ingest(SurveyBatch(surveyName: "elsewhere", frames: [
            frame("c", [], east: 200, at: "2025-06-01T10:00:00Z"),
        ]), actor: "t")
        return store
    }

    @Test func indexFollowsTheDeductProcedure() {
        #expect(ConditionIndex.index(deducts: []) == 100)
        #expect(ConditionIndex.index(deducts: [13]) == 87)
        // Deducts 40, 20, 10: q = 3 → 70 × 0.66 = 46.2; q = 2 → 62 × 0.76 = 47.12; q = 1 → 44. Index 100 − 47.12.
        #expect(abs(ConditionIndex.index(deducts: [40, 20, 10]) - 52.88) < 1e-9)
        #expect(ConditionIndex.deduct(.longitudinalTransverse, .low, densityPercent: 1) == 3)
        #expect(ConditionIndex.deduct(.alligator, .high, densityPercent: 100) == 84)
        #expect(ConditionIndex.deduct(.alligator, .high, densityPercent: 0) == 0)
        // More density or severity never deducts less.
        for d in ConditionIndex.Distress.allCases {
            var last = 0.0
            for density in stride(from: 0.0, through: 100, by: 0.5) {
                let v = ConditionIndex.deduct(d, .medium, densityPercent: density)
                #expect(v >= last)
                #expect(ConditionIndex.deduct(d, .high, densityPercent: density) >= v)
                last = v
            }
        }
        #expect(ConditionIndex.rating(90) == "good" && ConditionIndex.rating(50) == "poor" && ConditionIndex.rating(3) == "failed")
    }

    @Test(arguments: StoreBackend.allCases) func sampleUnitsRateWhatEachSurveySaw(_ backend: StoreBackend) async throws {
        let store = try await Self.twoSurveys(backend)
        let history = try await SurveyHistory.load(from: store)
        let a = ConditionAssessment(history: history, segments: nil)
        #expect(a.surveys.map(\.survey) == ["2024", "2025", "elsewhere"])
        // 40 m squares over a 10 m grid: 16 to 25 cells each, and the third survey's cells are its own.
        let first = a.rows.filter { $0.survey == "2024" }
        #expect(first.count == a.units.count)
        let cracked = try #require(first.first { !$0.tickets.isEmpty })
        // Fully covered cell: 25 samples of 4 m², half paved: 50 m²; 6 m of low-severity crack: density 12 %.
        #expect(cracked.surveyedAreaM2 == 50)
        #expect(cracked.distresses.map(\.distress) == [.longitudinalTransverse] && cracked.distresses[0].quantity == 6)
        let deduct = ConditionIndex.deduct(.longitudinalTransverse, .low, densityPercent: 12)
        #expect(abs(cracked.conditionIndex! - (100 - deduct)) < 0.051)
        #expect(cracked.rating == "good")
        // In 2025 the crack is 9 m: the same cell rates lower.
        let later = try #require(a.rows.first { $0.survey == "2025" && $0.segment == cracked.segment })
        #expect(later.conditionIndex! < cracked.conditionIndex!)
        // The survey 200 m east covered none of these cells: not surveyed, never 100.
        let seen = Set(first.filter { $0.conditionIndex != nil }.map(\.segment))
        #expect(seen.count >= 16 && seen.count <= 25)
        let away = a.rows.filter { $0.survey == "elsewhere" && seen.contains($0.segment) }
        #expect(!away.isEmpty && away.allSatisfy { $0.conditionIndex == nil && $0.surveyedAreaM2 == 0 && $0.rating == nil })
        let summary = try #require(a.surveys.last)
        #expect(summary.unitsSurveyed > 0 && summary.unitsNotSurveyed > 0 && summary.conditionIndex == 100)
        #expect(a.surveys[0].conditionIndex! < 100 && a.surveys[0].surveyedAreaM2 > 700)
    }

    @Test func sampleUnitIdsDoNotDependOnOtherSurveys() {
        func record(_ f: SurveyBatch.Frame) -> FrameRecord { FrameRecord(surveyId: 1, report: f.report, contentHash: f.contentHash) }
        let here = record(Self.frame("a", [], at: "2024-05-01T10:00:00Z"))
        let far = record(Self.frame("b", [], east: 30_000, at: "2024-05-01T10:00:00Z"))
        let alone = ConditionUnit.cells(frames: [here]).units
        let together = ConditionUnit.cells(frames: [far, here]).units
        #expect(alone.count >= 16 && Set(alone.map(\.id)).isSubset(of: Set(together.map(\.id))))
        #expect(alone.allSatisfy { $0.id.hasPrefix("cell:47.3,8.5:E") })
        let grid = ConditionUnit.Grid(sizeM: 10)
        for u in alone { #expect(grid.id(of: grid.cell(of: u.samples[12])) == u.id) }
    }

    @Test(arguments: StoreBackend.allCases) func segmentsTakeNearbyFindingsOnly(_ backend: StoreBackend) async throws {
        let store = try await backend.reviewStore()
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Self.frame("a", [Fixtures.crack(east: -5, north: 1, lengthM: 4, widthMm: 20), Fixtures.crack(east: 0, north: 15, lengthM: 2)],
                       paved: 0.25, at: "2024-05-01T10:00:00Z"),
        ]), actor: "t")
        func coordinates(_ north: Double) -> String {
            [Fixtures.point(east: -30, north: north), Fixtures.point(east: 30, north: north)]
                .map { "[\($0.longitude), \($0.latitude)]" }.joined(separator: ", ")
        }
        let geojson = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {"id": "A", "name": "Main Street"}, "geometry": {"type": "LineString", "coordinates": [\(coordinates(0))]}},
          {"type": "Feature", "id": 7, "properties": {"name": "Back Lane"}, "geometry": {"type": "MultiLineString", "coordinates": [[\(coordinates(100))]]}},
          {"type": "Feature", "properties": {"id": "P"}, "geometry": {"type": "Point", "coordinates": [8.5, 47.3]}}]}
        """
        let segments = try RoadSegment.parse(Data(geojson.utf8))
        #expect(segments.map(\.id) == ["A", "7"] && segments[0].name == "Main Street")
        let a = ConditionAssessment(history: try await SurveyHistory.load(from: store), segments: segments, widthM: 7)
        let main = try #require(a.rows.first { $0.segment == "A" })
        // 40 m of the 60 m segment covered, 7 m wide: 280 m² (on the road, whatever the frame's paved share); one 4 m
        // medium crack (the other is 15 m off).
        #expect(abs(main.surveyedAreaM2 - 280) < 0.1 && abs(main.unitAreaM2 - 420) < 0.1)
        #expect(main.distresses.count == 1 && main.distresses[0].severity == .medium && main.distresses[0].quantity == 4)
        #expect(main.conditionIndex! < 100)
        let lane = try #require(a.rows.first { $0.segment == "7" })
        #expect(lane.conditionIndex == nil && lane.name == "Back Lane")
        #expect(a.surveys[0].sightingsOffUnits == 1)
        #expect(throws: TicketError.self) { try RoadSegment.parse(Data("{\"type\": \"FeatureCollection\", \"features\": []}".utf8)) }
        // GeoJSON and CSV exports carry the same rows.
        let csv = ConditionExport.csv(a.rows)
        #expect(csv.hasPrefix("segment,name,survey,date,conditionIndex") && csv.contains("A,Main Street,s,"))
        let geo = try JSONSerialization.jsonObject(with: Data(try ConditionExport.geoJSON(a.rows, units: a.units).utf8)) as? [String: Any]
        let features = try #require(geo?["features"] as? [[String: Any]])
        #expect(features.count == 2)
        #expect((features[1]["geometry"] as? [String: Any])?["type"] as? String == "LineString")
        #expect((features[1]["properties"] as? [String: Any])?["conditionIndex"] is NSNull)
    }

    @Test(arguments: StoreBackend.allCases) func growthBetweenSurveysGivesAForecast(_ backend: StoreBackend) async throws {
        let store = try await Self.twoSurveys(backend)
        _ = try await store.ingest(SurveyBatch(surveyName: "2025", frames: [
            Self.frame("d", [Fixtures.crack(east: -15, north: -15, lengthM: 2, widthMm: 3)], at: "2025-05-01T11:00:00Z"),
        ]), actor: "t")
        let history = try await SurveyHistory.load(from: store)
        let forecasts = Forecast.tickets(history)
        #expect(forecasts.count == 2)
        let grown = try #require(forecasts.first { $0.surveys == 2 })
        // 6 → 8 mm in a year: 2 mm/year, reaching 10 mm (medium) a year after the last survey; 1 mm error per survey.
        #expect(abs(grown.growthPerYear! - 2) < 0.01 && abs(grown.growthErrorPerYear! - 2.0.squareRoot()) < 0.01)
        #expect(grown.nextSeverity == .medium && grown.threshold == 10)
        let last = try #require(SurveyHistory.parseDate("2025-05-01T10:00:00Z"))
        #expect(abs(grown.date!.timeIntervalSince(last) - Forecast.year) < 2 * 86_400)
        #expect(grown.earliest! < grown.date! && grown.date! < grown.latest!)
        let once = try #require(forecasts.first { $0.surveys == 1 })
        #expect(once.date == nil && once.growthPerYear == nil && once.note.contains("needs 2"))
        // The cracked cell's index falls: below 50 some time after the last survey.
        let trends = Forecast.units(ConditionAssessment(history: history, segments: nil), threshold: 50)
        let falling = try #require(trends.first { ($0.changePerYear ?? 0) < 0 })
        #expect(falling.surveys == 2 && falling.date! > last)
        #expect(trends.contains { $0.surveys == 1 && $0.date == nil })
        // EXIF-style capture times count as dates too.
        #expect(SurveyHistory.parseDate("2016:11:22 16:41:45") == SurveyHistory.parseDate("2016-11-22T16:41:45Z"))
    }

    @Test func planTakesTheMostUrgentWithinTheBudget() {
        func ticket(_ id: Int64, priority: Double, subtype: String? = "transverse", length: Double? = nil, area: Double? = nil,
                    status: TicketStatus = .new) -> Ticket {
            var t = Ticket(id: id, defectClass: subtype == nil ? .leak : .crack, subtype: subtype, status: status, source: "survey", at: Date())
            t.priority = priority
            t.lengthM = length
            t.areaM2 = area
            return t
        }
        let tickets = [ticket(1, priority: 50, length: 4), ticket(2, priority: 70, length: 3), ticket(3, priority: 60, length: 6),
                       ticket(4, priority: 90, subtype: "alligator", area: 12), ticket(5, priority: 40, subtype: nil, area: 2),
                       ticket(6, priority: 99, length: 1, status: .fixed)]
        let now = Date()
        // Ticket 1 turns worse in a month: +18.4 urgency, above ticket 3.
        let soon = Forecast.TicketForecast(ticketId: 1, measure: "widthMm", severity: .low, surveys: 2, date: now.addingTimeInterval(30 * 86_400), note: "")
        #expect(MaintenancePlan(tickets: tickets, forecasts: [soon], budget: .count(3), now: now).items.map(\.ticketId) == [4, 2, 1])
        let metres = MaintenancePlan(tickets: tickets, forecasts: [soon], budget: MaintenancePlan.Budget("8m")!, now: now)
        #expect(metres.items.map(\.ticketId) == [2, 1] && metres.items.last?.cumulative == 7 && metres.deferred == 1)
        let area = MaintenancePlan(tickets: tickets, forecasts: [], budget: MaintenancePlan.Budget("10 m²")!, now: now)
        #expect(area.items.map(\.ticketId) == [5] && area.deferred == 1 && area.left == 8)
        #expect(MaintenancePlan.Budget("x") == nil && MaintenancePlan.Budget("12") == .count(12))
    }

    @Test func kpisFromLifeCycleEvents() {
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        func ticket(_ id: Int64, _ status: TicketStatus, severity: Severity, daysAgo: Double) -> Ticket {
            var t = Ticket(id: id, defectClass: .crack, status: status, source: "survey", at: t0)
            t.firstSeen = t0.addingTimeInterval(-daysAgo * 86_400)
            t.severity = severity
            return t
        }
        let now = t0
        let tickets = [ticket(1, .reopened, severity: .high, daysAgo: 40), ticket(2, .dispatched, severity: .medium, daysAgo: 10),
                       ticket(3, .confirmed, severity: .low, daysAgo: 3), ticket(4, .verified, severity: .low, daysAgo: 100)]
        func event(_ id: Int64, _ hours: Double, _ from: TicketStatus, _ to: TicketStatus) -> TicketEvent {
            TicketEvent(ticketId: id, at: tickets[Int(id) - 1].firstSeen.addingTimeInterval(hours * 3600), actor: "x", kind: .status,
                        fromStatus: from, toStatus: to)
        }
        let events = [event(1, 2, .new, .confirmed), event(1, 10, .confirmed, .dispatched), event(1, 50, .dispatched, .fixed),
                      event(1, 300, .fixed, .reopened), event(2, 4, .new, .confirmed), event(2, 20, .confirmed, .dispatched),
                      event(3, 6, .new, .confirmed), event(4, 1, .new, .confirmed), event(4, 3, .confirmed, .dispatched),
                      event(4, 30, .dispatched, .fixed), event(4, 200, .fixed, .verified)]
        let kpi = MaintenanceKPI(tickets: tickets, events: events, now: now)
        #expect(kpi.stages.map(\.count) == [4, 3, 2])
        #expect(kpi.stages[0].medianHours == 2 && kpi.stages[0].p90Hours == 6)  // 1, 2, 4, 6 h
        #expect(kpi.stages[1].medianHours == 10 && kpi.stages[1].p90Hours == 20)  // 3, 10, 20 h
        #expect(kpi.stages[2].medianHours == 30 && kpi.stages[2].p90Hours == 50)
        #expect(kpi.repairsFixed == 2 && kpi.repairsVerified == 1 && kpi.reopened == 1 && kpi.reopenRate == 0.5)
        #expect(kpi.open == 3)
        #expect(kpi.backlog.first { $0.severity == .high && $0.age == "30-90d" }?.count == 1)
        #expect(kpi.backlog.first { $0.severity == .medium && $0.age == "7-30d" }?.count == 1)
        #expect(kpi.backlog.first { $0.severity == .low && $0.age == "<7d" }?.count == 1)
        #expect(kpi.backlog.count == 16 && kpi.backlog.map(\.count).reduce(0, +) == 3)
        #expect(kpi.csv.contains("confirmed_median_hours,,,2.0\n") && kpi.csv.contains("backlog,high,30-90d,1\n"))
        #expect(MaintenanceKPI(tickets: [], events: [], now: now).reopenRate == nil)
    }

    @Test(arguments: StoreBackend.allCases) func kpisFromAStore(_ backend: StoreBackend) async throws {
        let store = try await Self.twoSurveys(backend)
        let id = try #require(try await store.tickets(TicketQuery()).first?.id)
        for s in [TicketStatus.confirmed, .dispatched, .fixed] { _ = try await store.transition(ticketId: id, to: s, actor: "eve", note: nil) }
        let kpi = MaintenanceKPI(tickets: try await store.tickets(TicketQuery()), events: try await store.allEvents())
        #expect(kpi.stages.map(\.count) == [1, 1, 1] && kpi.repairsFixed == 1 && kpi.open == 0)
        // A later survey over the spot that sees nothing verifies the repair.
        _ = try await store.ingest(SurveyBatch(surveyName: "2026", frames: [Self.frame("e", [], at: "2026-05-01T10:00:00Z")]), actor: "t")
        let after = MaintenanceKPI(tickets: try await store.tickets(TicketQuery()), events: try await store.allEvents())
        #expect(after.repairsVerified == 1 && after.reopenRate == 0)
        #expect(try await store.allFindings().count == 2)
    }
}
