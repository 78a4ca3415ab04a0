import Foundation
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
}
