import Findings
import Foundation
import Geodesy
import Logging
import PostgresStore
import Testing
import TestSupport
import Tickets

/// Merging stays correct when several workers store overlapping frames at the same time: each one's
/// transaction serialises on the spatial cells its findings touch (see `PostgresTicketStore+Ingest.swift`).
@Suite("concurrent merging on PostgreSQL")
struct ConcurrentMergeTests {
    static let origin = GeoPoint(latitude: 47.3769, longitude: 8.5417)

    /// A 1 m crack starting `east`/`north` metres from the origin, located to ±0.3 m.
    static func crack(east: Double, north: Double) -> Finding {
        let plane = LocalPlane(origin: origin)
        let a = plane.unproject(SIMD2(east, north)), b = plane.unproject(SIMD2(east + 1, north))
        let c = plane.unproject(SIMD2(east + 0.5, north))
        return Finding(defectClass: .crack, subtype: "transverse", confidence: 0.8,
                       bbox: BoundingBox(x: 0, y: 0, width: 10, height: 2), outline: [[0, 0], [10, 0]],
                       lengthPx: 100, widthPx: 2, areaPx: 200, latitude: c.latitude, longitude: c.longitude,
                       uncertaintyM: 0.3, lengthM: 1, widthMm: 6, geoOutline: GeoOutline(kind: .lineString, points: [a, b]))
    }

    /// 12 defects 20 m apart along a street, each seen in 4 frames with up to 0.3 m of jitter (every
    /// sighting of a defect matches every other one, so any order of storing gives one ticket each).
    static func frames() -> [SurveyBatch.Frame] {
        var out: [SurveyBatch.Frame] = []
        for d in 0..<12 {
            for s in 0..<4 {
                let f = crack(east: Double(d) * 20 + Double(s) * 0.1, north: Double(s % 2) * 0.2)
                let name = "d\(d)-s\(s)"
                out.append(SurveyBatch.Frame(report: FrameReport(file: name, width: 4000, height: 3000, findings: [f]),
                                             contentHash: ContentHash.sha256Hex(Array(name.utf8))))
            }
        }
        return out
    }

    @Test("four writers storing frames of the same defects at once: one ticket per defect, every sighting on it")
    func concurrentWritersMergeOnce() async throws {
        let url = try await TemporaryPostgres.shared().createDatabase()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        // Frames of one defect go to different writers, so they race to create its ticket.
        let frames = Self.frames()
        let stores = try await withThrowingTaskGroup(of: PostgresTicketStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: logger) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { stores.forEach { $0.close() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (w, store) in stores.enumerated() {
                let mine = frames.enumerated().filter { $0.offset % 4 == w }.map(\.element)
                group.addTask {
                    for f in mine { _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [f]), actor: "w\(w)") }
                }
            }
            try await group.waitForAll()
        }
        let tickets = try await stores[0].tickets(TicketQuery(orderByPriority: false))
        #expect(tickets.count == 12)
        #expect(tickets.map(\.sightings) == Array(repeating: 4, count: 12))
        for t in tickets {
            let findings = try await stores[0].findings(ticketId: t.id!)
            #expect(findings.count == 4)
            #expect(try await stores[0].events(ticketId: t.id!).map(\.kind) == [.created, .sighting, .sighting, .sighting])
        }
        // The same frames through SQLite one after the other: the same tickets.
        let sqlite = try SQLiteTicketStore.inMemory()
        for f in frames { _ = try await sqlite.ingest(SurveyBatch(surveyName: "s", frames: [f]), actor: "one") }
        #expect(try await sqlite.tickets(TicketQuery(orderByPriority: false)).map(\.sightings) == tickets.map(\.sightings))
    }

    @Test("merge-lock cells: findings that can match share a cell; a huge spread takes the global lock")
    func mergeCellsCoverMatchingFindings() {
        let merging = Merging()
        let a = Self.crack(east: 0, north: 0), b = Self.crack(east: 1.5, north: 0.3)  // 0.5 m gap ≤ 0.6 + tolerance
        #expect(merging.matches(Merging.Shape(a)!, Merging.Shape(b)!))
        let ca = Set(PostgresTicketStore.mergeCells([[a]], merging: merging) ?? [])
        let cb = Set(PostgresTicketStore.mergeCells([[b]], merging: merging) ?? [])
        #expect(!ca.isDisjoint(with: cb))
        let far = Self.crack(east: 3000, north: 3000)  // ~55 × 55 cells
        #expect(PostgresTicketStore.mergeCells([[a, far]], merging: merging) == nil)
    }
}
