import Findings
import Foundation
import Geodesy
import GRDB
import Testing
@testable import Tickets

@Suite struct MigrationTests {
    @Test func fromEmptyAppliesEveryVersion() throws {
        let q = try DatabaseQueue()
        _ = try SQLiteTicketStore(writer: q)
        let applied = try q.read { db in try Schema.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(Schema.versions))
        let (tables, instance) = try q.read { db in
            (try ["survey", "frame", "finding", "ticket", "ticketEvent", "outbox", "meta"].filter { try db.tableExists($0) },
             try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instanceId'"))
        }
        #expect(tables.count == 7)
        #expect(instance?.count == 32)
        // Opening again is a no-op.
        _ = try SQLiteTicketStore(writer: q)
        #expect(try q.read { db in try Schema.migrator.hasCompletedMigrations(db) })
    }

    @Test func fileStoreIsWALAndDurable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteTicketStore(path: dir.appendingPathComponent("t.sqlite").path)
        let (mode, sync) = try store.writer.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(sync == 2)  // FULL
    }

    /// Every earlier schema version, filled with data written in that version's shape, migrates to the
    /// latest with the data intact.
    @Test(arguments: Schema.versions)
    func fromEarlierVersion(_ version: String) async throws {
        let q = try DatabaseQueue()
        try Schema.migrator.migrate(q, upTo: version)
        try await q.write { db in
            try db.execute(sql: "INSERT INTO survey (id, name, startedAt) VALUES (1, 'old', '2026-01-01 00:00:00.000')")
            try db.execute(sql: """
                INSERT INTO frame (id, surveyId, path, contentHash, width, height) VALUES (1, 1, 'a.jpg', 'h1', 10, 10)
                """)
            try db.execute(sql: """
                INSERT INTO ticket (id, class, status, severity, priority, latitude, longitude, uncertaintyM, widthMm,
                  firstWidthMm, confidence, sightings, surveyCount, firstSeen, lastSeen, firstSurveyId, lastSurveyId,
                  source, createdAt, updatedAt, geoOutline)
                VALUES (1, 'crack', 'confirmed', 'medium', 40, 47.3769, 8.5417, 0.5, 12, 12, 0.9, 1, 1,
                  '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', 1, 1, 'survey',
                  '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000',
                  '{"type":"LineString","coordinates":[[8.5417,47.3769],[8.5417,47.37691]]}')
                """)
            try db.execute(sql: """
                INSERT INTO finding (frameId, ticketId, json) VALUES
                  (1, 1, '{"class":"crack","confidence":0.9,"bbox":[1,2,3,4],"outline":[],"latitude":47.3769,"longitude":8.5417,"uncertaintyM":0.25}')
                """)
            try db.execute(sql: """
                INSERT INTO ticketEvent (ticketId, at, actor, kind, toStatus) VALUES
                  (1, '2026-01-01 00:00:00.000', 'alice', 'status', 'confirmed')
                """)
            if Schema.versions.firstIndex(of: version)! >= Schema.versions.firstIndex(of: "v6")! {
                // From v6 on the store indexes what it writes (the extents that the merge searches).
                let finding = try FindingRecord.fetchOne(db, key: 1)!
                try SQLiteTicketStore.storePosition(db, of: finding.finding, id: 1)
                try SQLiteTicketStore.storeExtent(db, of: finding.finding, id: 1)
                try SQLiteTicketStore.storeExtent(db, of: try Ticket.fetchOne(db, key: 1)!)
            }
        }
        let store = try SQLiteTicketStore(writer: q)
        let t = try #require(try await store.ticket(id: 1))
        #expect(t.status == .confirmed && t.widthMm == 12 && t.defectClass == .crack && t.remoteId == nil)
        #expect(t.geoOutline?.points.count == 2)
        if Schema.versions.firstIndex(of: version)! < Schema.versions.firstIndex(of: "v3")! {
            // v3 computed the reach of existing tickets (their outline; the stored finding has no position):
            // 0.00001° of latitude ≈ 1.11 m.
            #expect(abs(t.radiusM - 1.112) < 0.005)
        }
        #expect(try await store.findings(ticketId: 1).first?.finding.bbox.width == 3)
        if Schema.versions.firstIndex(of: version)! < Schema.versions.firstIndex(of: "v5")! {
            // v5 recorded the stored finding's centre and reach (its uncertainty: it has no outline).
            let row = try await q.read { db in try Row.fetchOne(db, sql: "SELECT latitude, longitude, reach FROM finding") }
            #expect(row?["latitude"] as Double? == 47.3769 && row?["longitude"] as Double? == 8.5417)
            #expect(row?["reach"] as Double? == 0.25)
        }
        if Schema.versions.firstIndex(of: version)! < Schema.versions.firstIndex(of: "v8-work-orders")! {
            // v8 recorded the box of the ticket's shapes: its outline (about 1.1 m north-south) and its finding.
            let b = try #require(t.bounds)
            #expect(abs(IngestPlan.size(of: b).y - 1.11) < 0.01 && IngestPlan.size(of: b).x < 1e-6)
        }
        #expect(try await store.events(ticketId: 1).first?.actor == "alice")
        // Frames stored before v7-frame-surface have an unknown surface.
        let frame = try #require(try await store.frames().first)
        #expect(frame.path == "a.jpg" && frame.surfaceFraction == nil && frame.surveyedAreaM2 == nil)
        // The new version's features work on old data.
        _ = try await store.transition(ticketId: 1, to: .dispatched, actor: "bob", note: nil)
        #expect(try await store.outboxItems().count == 1)
        // And old data still merges: a new sighting at the same place updates ticket 1.
        let s = try await store.ingest(SurveyBatch(surveyName: "new", frames: [
            Fixtures.frame("n", [Fixtures.crack(east: -0.5, north: 0, lengthM: 1)])]), actor: "test")
        #expect(s.ticketsCreated == 0 && s.ticketsUpdated == 1)
    }

    /// The data migrations compute with frozen copies of the code they once called; on data of today's shape the
    /// copies agree with today's code: a ticket's reach (v3), each finding's centre and reach (v5), extents that hold
    /// what they index (v6) and each ticket's bounds (v8).
    @Test func frozenDataMigrationsAgreeWithTodaysCode() async throws {
        let q = try DatabaseQueue()
        try Schema.migrator.migrate(q, upTo: "v2")
        let outline = GeoOutline(kind: .polygon, points: [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)].map {
            Fixtures.point(east: $0.0, north: $0.1)
        })
        var unlocated = Fixtures.leak(east: 6, north: -2, side: 2)
        (unlocated.latitude, unlocated.longitude) = (nil, nil)  // centred on its outline
        var nowhere = Fixtures.crack(east: 0, north: 0)
        (nowhere.latitude, nowhere.longitude, nowhere.geoOutline) = (nil, nil, nil)
        @Sendable func json<T: Encodable>(_ v: T) throws -> String { String(decoding: try JSONEncoder().encode(v), as: UTF8.self) }
        // As stored: a polygon's ring comes back closed (its first point repeated).
        let members = try [Fixtures.crack(east: 3, north: 4, lengthM: 2.5), Fixtures.leak(east: -5, north: 1, side: 1.5),
                           unlocated, nowhere].map { try JSONDecoder().decode(Finding.self, from: Data(try json($0).utf8)) }
        try await q.write { db in
            try db.execute(sql: "INSERT INTO survey (id, name, startedAt) VALUES (1, 'old', '2026-01-01 00:00:00.000')")
            try db.execute(sql: "INSERT INTO frame (id, surveyId, path, contentHash, width, height) VALUES (1, 1, 'a.jpg', 'h1', 10, 10)")
            try db.execute(sql: """
                INSERT INTO ticket (id, class, status, severity, priority, latitude, longitude, uncertaintyM, confidence,
                  sightings, surveyCount, firstSeen, lastSeen, source, createdAt, updatedAt, geoOutline)
                VALUES (1, 'leak', 'new', 'medium', 40, ?, ?, 0.75, 0.9, 4, 1, '2026-01-01 00:00:00.000',
                  '2026-01-01 00:00:00.000', 'survey', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', ?)
                """, arguments: [Fixtures.origin.latitude, Fixtures.origin.longitude, try json(outline)])
            for f in members {
                try db.execute(sql: "INSERT INTO finding (frameId, ticketId, json) VALUES (1, 1, ?)", arguments: [try json(f)])
            }
        }
        _ = try SQLiteTicketStore(writer: q)
        let t = try #require(try await q.read { db in try Ticket.fetchOne(db, key: 1) })
        let reach = Ticket.reach(from: Fixtures.origin, outline: outline, findings: members)
        #expect(abs(t.radiusM - reach) < 1e-9 * reach, "\(t.radiusM) vs \(reach)")
        var old = t
        old.bounds = nil
        #expect(t.bounds == IngestPlan.union(IngestPlan.bounds(of: old), IngestPlan.bounds(of: members)))
        let rows = try await q.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.latitude, f.longitude, f.reach, e.minLatitude, e.maxLatitude, e.minLongitude, e.maxLongitude
                FROM finding f LEFT JOIN findingExtent e ON e.id = f.id ORDER BY f.id
                """)
        }
        let ticketBox = try #require(try await q.read { db in try Row.fetchOne(db, sql: "SELECT * FROM ticketExtent WHERE id = 1") })
        for (f, row) in zip(members.map(Optional.some), rows) + [(nil, ticketBox)] {
            let expected = f.map(IngestPlan.position(of:)) ?? (Fixtures.origin.latitude, Fixtures.origin.longitude, 0.75 + reach)
            guard let expected else {
                #expect(row["latitude"] as Double? == nil && row["minLatitude"] as Double? == nil)
                continue
            }
            if f != nil {
                #expect(row["latitude"] as Double? == expected.latitude && row["longitude"] as Double? == expected.longitude)
                #expect(abs((row["reach"] as Double? ?? 0) - expected.reachM) < 1e-9 * expected.reachM)
            }
            // The extent holds every point within the reach.
            let plane = LocalPlane(origin: GeoPoint(latitude: expected.latitude, longitude: expected.longitude))
            for v in [SIMD2(expected.reachM, 0), SIMD2(-expected.reachM, 0), SIMD2(0, expected.reachM), SIMD2(0, -expected.reachM)] {
                let p = plane.unproject(v)
                #expect(p.latitude >= row["minLatitude"] && p.latitude <= row["maxLatitude"] as Double)
                #expect(p.longitude >= row["minLongitude"] && p.longitude <= row["maxLongitude"] as Double)
            }
        }
    }
}
