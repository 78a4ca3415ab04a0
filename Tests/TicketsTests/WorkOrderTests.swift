import Findings
import Foundation
import GRDB
import Logging
import PostgresStore
import Testing
import TestSupport
@testable import Tickets

/// Work-order-sized tickets: no ticket grows beyond the configured crack extent or area, on both stores.
@Suite(.serialized) struct WorkOrderTests {
    /// The diagonal of a ticket's box (what the crack limit bounds), metres.
    static func extent(_ t: Ticket) throws -> Double {
        let s = IngestPlan.size(of: try #require(t.bounds))
        return (s * s).sum().squareRoot()
    }

    @Test(arguments: StoreBackend.allCases) func longCrackIsCutIntoWorkOrders(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        // One 60 m crack in one frame, and the same crack in a second frame of the same survey.
        let s = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("a", [Fixtures.crack(east: 0, north: 0, lengthM: 60, widthMm: 4, uncertaintyM: 0.1)]),
            Fixtures.frame("b", [Fixtures.crack(east: 0.05, north: 0.02, lengthM: 60, widthMm: 5, uncertaintyM: 0.1)]),
        ]), actor: "t")
        // Cut by the 7 m grid (10 m / √2, less 1 %): nine or ten pieces per frame, at the same places in both frames.
        #expect(s.findingsAdded >= 18 && s.findingsAdded <= 20 && s.findingsAdded % 2 == 0)
        let tickets = try await store.tickets(TicketQuery(orderByPriority: false))
        // One ticket per cell, seen from both frames (a sliver at an end joins its neighbour).
        #expect(tickets.count >= s.findingsAdded / 2 - 1 && tickets.count <= s.findingsAdded / 2)
        #expect(tickets.filter { $0.sightings >= 2 }.count >= tickets.count - 1)
        #expect(tickets.map(\.sightings).reduce(0, +) == s.findingsAdded)
        for t in tickets {
            #expect(try Self.extent(t) <= 10 + 1e-6)
            #expect((t.lengthM ?? 0) <= 10 + 1e-6)
        }
        // Every piece of the first frame is in some ticket; the pieces' lengths add up to the crack.
        var total = 0.0
        for t in tickets { total += try await store.findings(ticketId: t.id!).filter { $0.frameId == 1 }.compactMap(\.finding.lengthM).reduce(0, +) }
        #expect(abs(total - 60) < 1e-6)
        // A later survey of the same crack adds sightings to these tickets and makes none.
        let again = try await store.ingest(SurveyBatch(surveyName: "s2", frames: [
            Fixtures.frame("c", [Fixtures.crack(east: 0, north: 0, lengthM: 60, widthMm: 6, uncertaintyM: 0.1)]),
        ]), actor: "t")
        #expect(again.ticketsCreated == 0 && again.ticketsUpdated >= 6)
        for t in try await store.tickets(TicketQuery()) { #expect(try Self.extent(t) <= 10 + 1e-6) }
    }

    @Test(arguments: StoreBackend.allCases) func chainOfShortCracksSplitsAlongTheCrack(_ backend: StoreBackend) async throws {
        let store = try await backend.store(model: PriorityModel(workOrder: WorkOrderLimits(crackExtentM: 5)))
        // 30 overlapping 1 m sightings along 30 m of one crack, one per frame: without limits one ticket.
        let frames = (0..<30).map { i in Fixtures.frame("f\(i)", [Fixtures.crack(east: Double(i) * 0.95, north: 0.01 * Double(i % 3), lengthM: 1, uncertaintyM: 0.2)]) }
        let s = try await store.ingest(SurveyBatch(surveyName: "s", frames: frames), actor: "t")
        let tickets = try await store.tickets(TicketQuery(orderByPriority: false))
        #expect(s.ticketsCreated == tickets.count)
        #expect(tickets.count >= 6 && tickets.count <= 10)
        for t in tickets { #expect(try Self.extent(t) <= 5 + 1e-6) }
        #expect(tickets.map(\.sightings).reduce(0, +) == 30)
        // Sighted in order along the crack, each ticket holds a run of neighbours.
        for t in tickets {
            let frames = try await store.findings(ticketId: t.id!).map(\.frameId).sorted()
            #expect(frames.last! - frames.first! == Int64(frames.count - 1))
        }
        let unlimited = try await backend.store(model: PriorityModel(workOrder: .unlimited))
        #expect(try await unlimited.ingest(SurveyBatch(surveyName: "s", frames: frames), actor: "t").ticketsCreated == 1)
    }

    @Test(arguments: StoreBackend.allCases) func frameByFrameIngestKeepsTheLimit(_ backend: StoreBackend) async throws {
        // As `survey` stores frames: one transaction each. A crack seen as 40 overlapping 1.5 m sightings along 50 m.
        let store = try await backend.store()
        for i in 0..<40 {
            _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
                Fixtures.frame("f\(i)", [Fixtures.crack(east: Double(i) * 1.25, north: 0, lengthM: 1.5, uncertaintyM: 0.3)]),
            ]), actor: "t")
        }
        let tickets = try await store.tickets(TicketQuery())
        #expect(tickets.count >= 5 && tickets.count <= 9)
        for t in tickets { #expect(try Self.extent(t) <= 10 + 1e-6) }
        #expect(tickets.map(\.sightings).reduce(0, +) == 40)
    }

    @Test(arguments: StoreBackend.allCases) func alligatorCrackingBecomesAreaWorkOrders(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        // A 12 m × 8 m alligator patch (96 m²) measured without an area.
        let ring = [(0.0, 0.0), (12, 0), (12, 8), (0, 8)].map { Fixtures.point(east: $0.0, north: $0.1) }
        let c = Fixtures.point(east: 6, north: 4)
        let patch = Finding(defectClass: .crack, subtype: "alligator", confidence: 0.8, bbox: BoundingBox(x: 0, y: 0, width: 100, height: 80),
                            latitude: c.latitude, longitude: c.longitude, uncertaintyM: 0.3, widthMm: 12,
                            geoOutline: GeoOutline(kind: .polygon, points: ring))
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [Fixtures.frame("a", [patch])]), actor: "t")
        let tickets = try await store.tickets(TicketQuery())
        #expect(tickets.count >= 4)
        for t in tickets {
            #expect(t.isAreaDefect)
            let size = IngestPlan.size(of: try #require(t.bounds))
            #expect(size.x * size.y <= 25 + 1e-6)
        }
        // The pieces share the patch's area; the condition index counts each frame's pieces of a ticket together.
        var pieces = 0.0
        for t in tickets { pieces += try await store.findings(ticketId: t.id!).compactMap(\.finding.areaM2).reduce(0, +) }
        #expect(abs(pieces - 96) < 0.01)
        let history = SurveyHistory(surveys: [SurveyRecord(id: 1, name: "s", startedAt: Date())], frames: try await store.frames(),
                                    findings: try await store.allFindings(), tickets: tickets)
        #expect(abs(history.sightings.compactMap(\.areaM2).reduce(0, +) - 96) < 0.01)
    }

    @Test func piecesClipOutlinesAndShareMeasurements() {
        // A diagonal 30 m line crack: cut by the grid into pieces of 10 m box diagonal at most.
        let a = Fixtures.point(east: 0, north: 0), b = Fixtures.point(east: 30 / 2.0.squareRoot(), north: 30 / 2.0.squareRoot())
        let mid = Fixtures.point(east: 15 / 2.0.squareRoot(), north: 15 / 2.0.squareRoot())
        let f = Finding(defectClass: .crack, subtype: "longitudinal", confidence: 0.9, bbox: BoundingBox(x: 0, y: 0, width: 1, height: 1),
                        lengthPx: 3000, latitude: mid.latitude, longitude: mid.longitude, uncertaintyM: 0.1, lengthM: 30, widthMm: 3,
                        geoOutline: GeoOutline(kind: .lineString, points: [a, b]))
        let pieces = IngestPlan.pieces(of: f, limits: WorkOrderLimits())
        #expect(pieces.count >= 5 && pieces.count <= 8)
        #expect(abs(pieces.compactMap(\.lengthM).reduce(0, +) - 30) < 1e-6)
        #expect(abs(pieces.compactMap(\.lengthPx).reduce(0, +) - 3000) < 1e-6)
        for p in pieces {
            #expect(p.widthMm == 3 && p.subtype == "longitudinal")
            let s = IngestPlan.size(of: IngestPlan.bounds(of: [p])!)
            #expect((s * s).sum().squareRoot() <= 10 + 1e-6)
        }
        // Short findings, findings without an outline and unlimited limits are left alone.
        #expect(IngestPlan.pieces(of: Fixtures.crack(east: 0, north: 0, lengthM: 9), limits: WorkOrderLimits()).count == 1)
        #expect(IngestPlan.pieces(of: f, limits: .unlimited) == [f])
        var bare = f
        bare.geoOutline = nil
        #expect(IngestPlan.pieces(of: bare, limits: WorkOrderLimits()) == [bare])
    }

    /// Two stores on one database: one without limits (a database from before work orders), one with the defaults.
    static func stores(_ backend: StoreBackend) async throws -> (before: any TicketStore, after: any TicketStore) {
        let unlimited = PriorityModel(workOrder: .unlimited)
        switch backend {
        case .sqlite:
            let q = try DatabaseQueue()
            return (try SQLiteTicketStore(writer: q, model: unlimited), try SQLiteTicketStore(writer: q))
        case .postgres:
            let url = try await TemporaryPostgres.shared().createDatabase()
            let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            let location = try PostgresLocation(url: url)
            return (try await PostgresTicketStore(location: location, model: unlimited, timeout: .seconds(60), logger: quiet),
                    try await PostgresTicketStore(location: location, timeout: .seconds(60), logger: quiet))
        }
    }

    @Test(arguments: StoreBackend.allCases) func oversizedTicketsOfEarlierMergesAreSplit(_ backend: StoreBackend) async throws {
        let (before, after) = try await Self.stores(backend)
        // A 60 m chain of 2.2 m sightings, flown twice, and once a 25 m finding that goes on from its end, merged
        // without limits: one ticket, confirmed.
        func chain(_ survey: String) -> SurveyBatch {
            SurveyBatch(surveyName: survey, frames: (0..<30).map { i in
                Fixtures.frame("\(survey)-\(i)", [Fixtures.crack(east: Double(i) * 2, north: 0, lengthM: 2.2, widthMm: 6, uncertaintyM: 0.2)])
            })
        }
        let long = Fixtures.crack(east: 60, north: 0, lengthM: 25, widthMm: 6, uncertaintyM: 0.2)
        var first = chain("a")
        first.frames.append(Fixtures.frame("a-long", [long]))
        _ = try await before.ingest(first, actor: "t")
        _ = try await before.ingest(chain("b"), actor: "t")
        let old = try #require(try await before.tickets(TicketQuery()).first)
        #expect(try await before.tickets(TicketQuery()).count == 1 && old.sightings == 61)
        let pieces = IngestPlan.pieces(of: long, limits: WorkOrderLimits()).count
        #expect(pieces >= 4)
        _ = try await before.transition(ticketId: old.id!, to: .confirmed, actor: "eve", note: nil)

        let cut = try await after.splitOversizedTickets(actor: "split")
        let parts = try #require(cut[old.id!])
        #expect(cut.count == 1 && parts.first == old.id && parts.count >= 11 && parts.count <= 15)
        let tickets = try await after.tickets(TicketQuery(orderByPriority: false))
        // The 25 m finding was replaced by its pieces, each in a work order.
        #expect(tickets.count == parts.count && tickets.map(\.sightings).reduce(0, +) == 60 + pieces)
        #expect(try await after.allFindings().count == 60 + pieces)
        for t in tickets {
            #expect(try Self.extent(t) <= 10 + 1e-6)
            #expect(t.status == .confirmed && t.firstSeen == old.firstSeen)
            #expect(try await after.findings(ticketId: t.id!).count == t.sightings)
        }
        #expect(tickets.filter { $0.surveyCount == 2 }.count >= 8)
        #expect(try await after.events(ticketId: old.id!).last?.kind == .split)
        let created = try #require(try await after.events(ticketId: parts[1]).first)
        #expect(created.kind == .created && created.toStatus == .confirmed && created.note?.contains("split from ticket \(old.id!)") == true)
        // Done once: nothing left to cut; the next flight finds the parts again.
        #expect(try await after.splitOversizedTickets(actor: "split").isEmpty)
        let again = try await after.ingest(chain("c"), actor: "t")
        #expect(again.ticketsCreated == 0 && again.ticketsUpdated >= 8)
    }
}
