// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Findings
import Foundation
import Geodesy
import Logging
import PostgresNIO
import Tickets

/// Ingest on PostgreSQL, with the merge serialised per area.
///
/// Workers on several machines ingest frames at once. Two transactions may only merge into the same ticket
/// if they see each other's findings, so before merging, each transaction takes a transaction-scoped
/// advisory lock on every spatial cell (``cellDegrees`` square) that its groups of findings touch, widened
/// by the group's largest uncertainty plus the merge tolerance. Two findings that can match are at most
/// the sum of their uncertainties plus the tolerance apart, so their widened boxes overlap, so the two
/// transactions share a cell and the second waits for the first to commit and then sees its tickets
/// (READ COMMITTED: each statement sees what committed before it). Frames far apart merge in parallel.
/// Tickets that a group matches are also read `FOR UPDATE`, so two groups that extend one long ticket
/// from its two ends update it one after the other. Cells are locked in ascending order, in one statement,
/// so lock waits cannot form a cycle; a rare deadlock on ticket rows is rolled back by the server and the
/// worker retries the frame. A group spread over more than ``maximumCells`` cells (a kilometre-long
/// defect, a huge uncertainty) takes one database-wide lock instead: every other merge holds that lock in
/// shared mode.
///
/// The merge's cost per frame is a few indexed queries in its own neighbourhood; it does not grow with
/// the number of workers, only with the number of tickets in the candidate box.
extension PostgresTicketStore {
    /// Side of a merge-lock cell in degrees (about 55 m north–south).
    public static let cellDegrees = 0.0005
    /// More cells than this in one transaction take the database-wide merge lock instead.
    public static let maximumCells = 256
    /// The database-wide merge lock (single-key advisory lock space; cells use the two-key space).
    static let globalMergeLock: Int64 = 0x7061_7665_7761_7402

    public func ingest(_ batch: SurveyBatch, actor: String) async throws -> IngestSummary {
        let model = self.model, logger = self.logger, cache = findings, tickets = decodedTickets
        do {
            return try await write { c in
                let surveyId = try await Self.surveyId(named: batch.surveyName, folder: nil, c, logger: logger)
                return try await Self.ingest(batch.frames, surveyId: surveyId, surveyName: batch.surveyName, actor: actor,
                                             model: model, at: Date(), c, logger: logger, cache: cache, tickets: tickets)
            }
        } catch {
            cache.removeAll()
            throw error
        }
    }

    /// The id of the survey named `name`, registering it when new.
    static func surveyId(named name: String, folder: String?, _ c: PostgresConnection, logger: Logger) async throws -> Int64 {
        // A survey that is there already (every frame of a survey after its first) costs one statement.
        for try await id in try await c.query("SELECT id FROM survey WHERE name = \(name)", logger: logger).decode(Int64.self) {
            return id
        }
        // Two statements: the SELECT must see a row that a concurrent transaction committed while the INSERT
        // waited for it (READ COMMITTED gives each statement a new snapshot; one statement would not see it).
        try await c.query("""
            INSERT INTO survey (name, started_at, folder) VALUES (\(name), \(Date().timeIntervalSinceReferenceDate), \(folder))
            ON CONFLICT (name) DO NOTHING
            """, logger: logger)
        for try await id in try await c.query("SELECT id FROM survey WHERE name = \(name)", logger: logger).decode(Int64.self) {
            return id
        }
        throw TicketError(.database, "survey \(name) vanished while it was being registered")
    }

    public func recordFrameFailure(surveyName: String, path: String, reason: String, at: Date) async throws -> Int64 {
        let logger = self.logger
        return try await write { c in
            let surveyId = try await Self.surveyId(named: surveyName, folder: nil, c, logger: logger)
            try await c.query("""
                INSERT INTO frame_failure (survey_id, path, reason, failed_at)
                VALUES (\(surveyId), \(path), \(reason), \(at.timeIntervalSinceReferenceDate))
                ON CONFLICT (survey_id, path) DO UPDATE SET reason = excluded.reason, failed_at = excluded.failed_at
                """, logger: logger)
            return surveyId
        }
    }

    public func frameFailures(surveyId: Int64?) async throws -> [FrameFailureRecord] {
        let logger = self.logger
        return try await withConnection { c in
            let rows = try await c.query("""
                SELECT id, survey_id, path, reason, failed_at FROM frame_failure
                WHERE \(surveyId)::bigint IS NULL OR survey_id = \(surveyId)
                ORDER BY survey_id, path
                """, logger: logger)
            var out: [FrameFailureRecord] = []
            for try await (id, survey, path, reason, at) in rows.decode((Int64, Int64, String, String, Double).self) {
                out.append(FrameFailureRecord(id: id, surveyId: survey, path: path, reason: reason,
                                              failedAt: Date(timeIntervalSinceReferenceDate: at)))
            }
            return out
        }
    }

    /// The merge-lock cells (x = longitude, y = latitude index) of the located groups, ascending; `nil` when
    /// there are more than ``maximumCells``.
    public static func mergeCells(_ groups: [[Finding]], merging: Merging) -> [SIMD2<Int32>]? {
        var cells: Set<SIMD2<Int32>> = []
        for fs in groups {
            let shapes = fs.compactMap(Merging.Shape.init)
            guard let first = shapes.first else { continue }
            let pad = ((shapes.map(\.uncertaintyM).max() ?? 0) + merging.toleranceM) * 1.01 + 1
            let margin = LocalPlane(origin: first.center).degrees(forMetres: pad)
            let points = shapes.flatMap { [$0.center] + ($0.outline?.points ?? []) }
            func index(_ v: Double) -> Int { Int((v / cellDegrees).rounded(.down)) }
            let x0 = index(points.map(\.longitude).min()! - margin.lon), x1 = index(points.map(\.longitude).max()! + margin.lon)
            let y0 = index(points.map(\.latitude).min()! - margin.lat), y1 = index(points.map(\.latitude).max()! + margin.lat)
            guard (x1 - x0 + 1) * (y1 - y0 + 1) + cells.count <= maximumCells else { return nil }
            for x in x0...x1 { for y in y0...y1 { cells.insert(SIMD2(Int32(clamping: x), Int32(clamping: y))) } }
        }
        return cells.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
    }

    /// Stores frames and findings and merges them (see the type's discussion), inside the caller's transaction.
    static func ingest(_ frames: [SurveyBatch.Frame], surveyId: Int64, surveyName: String, actor: String,
                       model: PriorityModel, at now: Date, _ c: PostgresConnection, logger: Logger,
                       cache: FindingCache? = nil, tickets: TicketDecodeCache? = nil) async throws -> IngestSummary {
        var summary = IngestSummary(surveyId: surveyId)
        var added: [(id: Int64, finding: Finding)] = []
        var footprints: [[GeoPoint]] = []
        for frame in frames {
            let record = FrameRecord(surveyId: surveyId, report: frame.report, contentHash: frame.contentHash)
            // One statement for the frame and its findings (work-order pieces), which are stored only with a new
            // frame (v reads f): their ids drawn first (v), so they pair with the pieces' order. A stored frame
            // removes the survey's failure record of its path. Arrays carry NaN for "none" (NULLIF turns it back
            // into NULL).
            let fs = IngestPlan.workOrderPieces(frame.report.findings, limits: model.workOrder)
            let positions = fs.map(IngestPlan.position(of:)), extents = fs.map(extent(of:))
            func column(_ v: [Double?]) -> [Double] { v.map { $0 ?? .nan } }
            var frameId: Int64?
            var ids: [Int64] = []
            for try await (id, findingId) in try await c.query("""
                WITH f AS (INSERT INTO frame (survey_id, content_hash, data)
                           VALUES (\(surveyId), \(frame.contentHash), \(try json(record))::jsonb)
                           ON CONFLICT (content_hash) DO NOTHING RETURNING id),
                     gone AS (DELETE FROM frame_failure
                              WHERE survey_id = \(surveyId) AND path = \(frame.report.file) AND EXISTS (SELECT 1 FROM f)),
                     v AS MATERIALIZED (
                         SELECT nextval(pg_get_serial_sequence('finding', 'id')) AS id, f.id AS frame_id, d,
                                NULLIF(lat, 'NaN') AS lat, NULLIF(lon, 'NaN') AS lon, NULLIF(reach, 'NaN') AS reach,
                                box(point(NULLIF(x0, 'NaN'), NULLIF(y0, 'NaN')), point(NULLIF(x1, 'NaN'), NULLIF(y1, 'NaN'))) AS extent, n
                         FROM f, unnest(\(try fs.map { try json($0) })::text[], \(column(positions.map { $0?.latitude }))::float8[],
                                        \(column(positions.map { $0?.longitude }))::float8[], \(column(positions.map { $0?.reachM }))::float8[],
                                        \(column(extents.map { $0?.minLongitude }))::float8[], \(column(extents.map { $0?.minLatitude }))::float8[],
                                        \(column(extents.map { $0?.maxLongitude }))::float8[], \(column(extents.map { $0?.maxLatitude }))::float8[])
                                 WITH ORDINALITY AS u(d, lat, lon, reach, x0, y0, x1, y1, n)),
                     ins AS (INSERT INTO finding (id, frame_id, data, latitude, longitude, reach, extent)
                             SELECT id, frame_id, d::jsonb, lat, lon, reach, extent FROM v)
                SELECT f.id, v.id FROM f LEFT JOIN v ON true ORDER BY v.n
                """, logger: logger).decode((Int64, Int64?).self) {
                frameId = id
                if let findingId { ids.append(findingId) }
            }
            guard frameId != nil else {
                summary.framesSkipped += 1
                continue
            }
            summary.framesAdded += 1
            if let fp = IngestPlan.footprint(of: frame.report) { footprints.append(fp) }
            guard ids.count == fs.count else {
                throw TicketError(.database, "stored \(ids.count) of \(fs.count) findings of \(frame.report.file)")
            }
            added.append(contentsOf: zip(ids, fs).map { ($0, $1) })
            for (id, f) in zip(ids, fs) { cache?.keep(f, id: id) }
        }
        summary.findingsAdded = added.count

        let merging = Merging()
        let groups = IngestPlan.workOrders(added.map(\.finding), merging: merging, limits: model.workOrder)
        if let cells = mergeCells(groups.map { $0.map { added[$0].finding } }, merging: merging) {
            // One round trip: the shared lock first, then the cells in order (an Append runs its parts in order).
            try await c.query("""
                SELECT pg_advisory_xact_lock_shared(\(globalMergeLock))
                UNION ALL
                SELECT pg_advisory_xact_lock(x, y) FROM unnest(\(cells.map { Int32($0.x) })::int4[], \(cells.map { Int32($0.y) })::int4[]) AS cell(x, y)
                """, logger: logger)
        } else {
            try await c.query("SELECT pg_advisory_xact_lock(\(globalMergeLock))", logger: logger)
        }
        try await mergeGroups(groups.map { $0.map { added[$0] } }, verifying: footprints, surveyId: surveyId,
                              surveyName: surveyName, actor: actor, model: model, at: now, c, logger: logger, cache: cache,
                              tickets: tickets, summary: &summary)
        return summary
    }

    /// A new ticket of a group in one statement: the ticket (``save(_:_:logger:)``'s columns, its id drawn first
    /// so that its JSON carries it), its events in order, and the group's findings linked to it. Returns the id.
    static func create(_ t: Ticket, events: [TicketEvent], findings: [Int64], _ c: PostgresConnection,
                       logger: Logger) async throws -> Int64 {
        let reach = (t.uncertaintyM ?? 0) + t.radiusM
        let e = IngestPlan.extent(of: t)
        let texts = try events.map { try json($0) }
        for try await id in try await c.query("""
            WITH n AS (SELECT nextval(pg_get_serial_sequence('ticket', 'id')) AS id),
                 t AS (INSERT INTO ticket (id, class, status, priority, latitude, longitude, reach, extent, created_at,
                                           external_key, data)
                       SELECT n.id, \(t.defectClass.rawValue), \(t.status.rawValue), \(t.priority), \(t.latitude),
                              \(t.longitude), \(reach),
                              box(point(\(e?.minLongitude), \(e?.minLatitude)), point(\(e?.maxLongitude), \(e?.maxLatitude))),
                              \(t.createdAt.timeIntervalSinceReferenceDate), \(t.externalKey),
                              jsonb_set(\(try json(t))::jsonb, '{id}', to_jsonb(n.id))
                       FROM n),
                 e AS (INSERT INTO ticket_event (ticket_id, data)
                       SELECT n.id, jsonb_set(d::jsonb, '{ticketId}', to_jsonb(n.id))
                       FROM n, unnest(\(texts)::text[]) WITH ORDINALITY AS v(d, k) ORDER BY k),
                 f AS (UPDATE finding SET ticket_id = n.id FROM n WHERE finding.id = ANY(\(findings)))
            SELECT id FROM n
            """, logger: logger).decode(Int64.self) {
            return id
        }
        throw TicketError(.database, "a new ticket got no id")
    }

    /// The rest of a group's merge into an existing ticket in one statement: the updated ticket
    /// (``save(_:_:logger:)``'s columns), its events in order, and the group's findings linked to it.
    static func finish(_ t: Ticket, events: [TicketEvent], findings: [Int64], _ c: PostgresConnection,
                       logger: Logger) async throws {
        let id = t.id!
        let texts = try events.map { try json($0) }
        let reach = (t.uncertaintyM ?? 0) + t.radiusM
        let e = IngestPlan.extent(of: t)
        try await c.query("""
            WITH u AS (UPDATE ticket SET class = \(t.defectClass.rawValue), status = \(t.status.rawValue), priority = \(t.priority),
                              latitude = \(t.latitude), longitude = \(t.longitude), reach = \(reach),
                              extent = box(point(\(e?.minLongitude), \(e?.minLatitude)), point(\(e?.maxLongitude), \(e?.maxLatitude))),
                              external_key = \(t.externalKey), data = \(try json(t))::jsonb
                       WHERE id = \(id)),
                 e AS (INSERT INTO ticket_event (ticket_id, data)
                       SELECT \(id), d::jsonb FROM unnest(\(texts)::text[]) WITH ORDINALITY AS v(d, n) ORDER BY n)
            UPDATE finding SET ticket_id = \(id) WHERE id = ANY(\(findings))
            """, logger: logger)
    }

    public func splitOversizedTickets(actor: String) async throws -> [Int64: [Int64]] {
        let model = self.model, logger = self.logger
        return try await write { c in
            // Exclusive: no merge runs meanwhile (every merge holds this lock shared).
            try await c.query("SELECT pg_advisory_xact_lock(\(Self.globalMergeLock))", logger: logger)
            let tickets = try await Self.records(c.query("SELECT id, data::text FROM ticket WHERE latitude IS NOT NULL ORDER BY id FOR UPDATE",
                                                    logger: logger), Ticket.self, id: \.id)
            var out: [Int64: [Int64]] = [:]
            for t in tickets {
                // A ticket whose box fits needs no findings read (rows from before bounds were kept are read).
                if let b = t.bounds, model.workOrder.fits(IngestPlan.size(of: b), area: t.isAreaDefect) { continue }
                var members: [IngestPlan.Member] = []
                for try await (id, frame, survey, text) in try await c.query("""
                    SELECT f.id, f.frame_id, fr.survey_id, f.data::text FROM finding f JOIN frame fr ON fr.id = f.frame_id
                    WHERE f.ticket_id = \(t.id!) ORDER BY f.id
                    """, logger: logger).decode((Int64, Int64, Int64, String).self) {
                    members.append(IngestPlan.Member(id: id, frameId: frame, surveyId: survey, finding: try Self.decode(Finding.self, text)))
                }
                var ids: [Int64] = []
                let (parts, replaced) = IngestPlan.split(t, members: members, limits: model.workOrder, model: model, actor: actor, at: Date())
                if parts.isEmpty, t.bounds == nil {
                    // A row from before bounds were kept that fits: record its box, so merges measure it from now on.
                    var u = t
                    u.bounds = IngestPlan.union(IngestPlan.bounds(of: t), IngestPlan.bounds(of: members.map(\.finding)))
                    try await Self.save(&u, c, logger: logger)
                }
                for part in parts {
                    let id: Int64
                    if let existing = part.ticket.id {
                        id = existing
                        try await Self.finish(part.ticket, events: part.events(for: id), findings: part.findingIds, c, logger: logger)
                    } else {
                        id = try await Self.create(part.ticket, events: part.pendingEvents, findings: part.findingIds, c, logger: logger)
                    }
                    for (frameId, f) in part.newFindings {
                        let p = IngestPlan.position(of: f), e = Self.extent(of: f)
                        try await c.query("""
                            INSERT INTO finding (frame_id, ticket_id, data, latitude, longitude, reach, extent)
                            VALUES (\(frameId), \(id), \(try Self.json(f))::jsonb, \(p?.latitude), \(p?.longitude), \(p?.reachM),
                                    box(point(\(e?.minLongitude), \(e?.minLatitude)), point(\(e?.maxLongitude), \(e?.maxLatitude))))
                            """, logger: logger)
                    }
                    ids.append(id)
                }
                // The findings cut into pieces go.
                if !replaced.isEmpty {
                    try await c.query("DELETE FROM finding WHERE id = ANY(\(replaced))", logger: logger)
                }
                if !ids.isEmpty { out[t.id!] = ids }
            }
            return out
        }
    }
}
#endif
