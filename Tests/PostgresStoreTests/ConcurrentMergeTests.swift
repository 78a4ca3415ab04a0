import Findings
import Foundation
import Geodesy
import Logging
@testable import PostgresStore
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

    @Test("the server goes down in the middle of a merge: the store names it, keeps every acknowledged frame, rolls the merge back; storing again gives the same tickets")
    func serverGoneMidMerge() async throws {
        let cluster = try TemporaryPostgres()  // its own server: the other tests keep theirs
        defer { try? cluster.stop() }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let frames = Self.frames()
        let referenceURL = try cluster.createDatabase(), url = try cluster.createDatabase()
        let reference = try await PostgresTicketStore(location: try PostgresLocation(url: referenceURL), timeout: .seconds(60), logger: logger)
        for f in frames { _ = try await reference.ingest(SurveyBatch(surveyName: "s", frames: [f]), actor: "one") }
        let expected = try await WorkerTests.contents(reference)
        reference.close()

        // A call on a connection whose server died must end: the store bounds every operation.
        let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(5),
                                                  operationTimeout: .seconds(20), logger: logger)
        let acknowledged = 10
        for f in frames.prefix(acknowledged) { _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [f]), actor: "one") }
        // Another session holds the database-wide merge lock, so the next merge stops inside its transaction,
        // after it has inserted its frame; then the server stops like a crash.
        let blocker = try cluster.psqlSession(url, "SELECT pg_advisory_lock(\(PostgresTicketStore.globalMergeLock)); SELECT pg_sleep(600)")
        defer { blocker.terminate() }
        let waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        try await waitFor { (try? cluster.psql(url, waiting).trimmingCharacters(in: .whitespacesAndNewlines)) == "1" }
        let inFlight = Task { try await store.ingest(SurveyBatch(surveyName: "s", frames: [frames[acknowledged]]), actor: "one") }
        let blocked = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        try await waitFor { (try? cluster.psql(url, blocked).trimmingCharacters(in: .whitespacesAndNewlines)) == "1" }
        try cluster.stop()
        let failure: (any Error)?
        do { _ = try await inFlight.value; failure = nil } catch { failure = error }
        let error = try #require(failure as? TicketError, "a merge cut off by the server fails with the store's error: \(String(describing: failure))")
        #expect(error.code == .unavailable && "\(error)".contains("127.0.0.1:\(cluster.port)"), "the error names the server: \(error)")
        store.close()

        try cluster.start()
        let again = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: logger)
        defer { again.close() }
        let partial = try await WorkerTests.contents(again)
        #expect(partial.frames == frames.prefix(acknowledged).map(\.contentHash).sorted(),
                "every acknowledged frame kept, the cut-off one rolled back")
        let findings = try cluster.psql(url, "SELECT count(*) FROM finding")
        #expect(findings.trimmingCharacters(in: .whitespacesAndNewlines) == "\(acknowledged)", "one finding per kept frame")
        for f in frames { _ = try await again.ingest(SurveyBatch(surveyName: "s", frames: [f]), actor: "one") }
        let resumed = try await WorkerTests.contents(again)
        #expect(resumed.frames == expected.frames && resumed.tickets == expected.tickets)
    }

    /// Polls `condition` every 50 ms for at most 30 s.
    func waitFor(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { Issue.record("timed out waiting"); return }
            try await Task.sleep(for: .milliseconds(50))
        }
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
