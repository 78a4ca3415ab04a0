import Findings
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing
import Tickets
@testable import PostgresStore

/// The PostgreSQL store's migrations: a fresh database gets every version once; a database left at an earlier
/// version keeps its data when a newer Pavewatch opens it; stores opening one database at once migrate it once.
@Suite struct PostgresSchemaTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func applied(_ store: PostgresTicketStore) async throws -> [String] {
        try await store.client.withConnection { c in
            var out: [String] = []
            for try await v in try await c.query("SELECT version FROM pw_migration ORDER BY version", logger: quiet).decode(String.self) {
                out.append(v)
            }
            return out
        }
    }

    @Test("an earlier schema with data migrates to the latest and keeps the data")
    func upgradeKeepsData() async throws {
        let url = try await TemporaryPostgres.shared().createDatabase()
        let location = try PostgresLocation(url: url)
        // Pavewatch of pg-v2: a survey and a frame, written in that version's shape.
        let client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: 1), backgroundLogger: Self.quiet)
        let runner = Task { await client.run() }
        try await client.withConnection { c in
            try await PostgresSchema.migrate(c, logger: Self.quiet, upTo: "pg-v2")
            let frame = FrameRecord(surveyId: 1, report: FrameReport(file: "a.jpg", width: 4, height: 3, findings: []),
                                    contentHash: "h-a")
            try await c.query("INSERT INTO survey (name, started_at) VALUES ('old', 0)", logger: Self.quiet)
            try await c.query("""
                INSERT INTO frame (survey_id, content_hash, data) VALUES (1, 'h-a', \(try PostgresTicketStore.json(frame))::jsonb)
                """, logger: Self.quiet)
            try await c.query("""
                INSERT INTO finding (frame_id, data) VALUES (1, '{"class":"crack","confidence":0.9,"bbox":[1,2,3,4],"outline":[],"latitude":47.5,"longitude":8.25}')
                """, logger: Self.quiet)
            var tables: [String] = []
            for try await t in try await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
                                                 logger: Self.quiet).decode(String.self) { tables.append(t) }
            #expect(!tables.contains("frame_failure") && !tables.contains("review_user"))
        }
        runner.cancel()

        let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
        defer { store.close() }
        #expect(try await Self.applied(store) == PostgresSchema.versions)
        #expect(try await store.frames().map(\.contentHash) == ["h-a"])
        #expect(try await store.recordFrameFailure(surveyName: "old", path: "b.jpg", reason: "truncated", at: Date()) == 1)
        #expect(try await store.surveys().map(\.name) == ["old"])
        // pg-v5 took the old finding's centre from its JSON; pg-v6 its reach (no outline, no uncertainty: 0) and
        // the extent that the merge searches.
        let position = try await store.client.withConnection { c in
            var out: [(Double?, Double?, Double?, Bool)] = []
            for try await row in try await c.query("SELECT latitude, longitude, reach, extent IS NOT NULL FROM finding",
                                                   logger: Self.quiet)
                .decode((Double?, Double?, Double?, Bool).self) { out.append(row) }
            return out
        }
        #expect(position.count == 1 && position[0].0 == 47.5 && position[0].1 == 8.25 && position[0].2 == 0)
        #expect(position.first?.3 == true)
    }

    @Test("three stores opening a fresh database at once migrate it once")
    func concurrentOpen() async throws {
        let url = try await TemporaryPostgres.shared().createDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresTicketStore.self) { group in
            for _ in 0..<3 { group.addTask { try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet) } }
            var out: [PostgresTicketStore] = []
            for try await s in group { out.append(s) }
            return out
        }
        defer { stores.forEach { $0.close() } }
        #expect(try await Self.applied(stores[0]) == PostgresSchema.versions)
        _ = try await stores[1].ingest(SurveyBatch(surveyName: "s", frames: []), actor: "t")
        #expect(try await stores[2].surveys().count == 1)
    }
}
