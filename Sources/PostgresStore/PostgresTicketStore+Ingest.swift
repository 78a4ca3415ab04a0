import Findings
import Foundation
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
        let model = self.model, logger = self.logger
        return try await write { c in
            let surveyId = try await Self.surveyId(named: batch.surveyName, folder: nil, c, logger: logger)
            return try await Self.ingest(batch.frames, surveyId: surveyId, surveyName: batch.surveyName, actor: actor,
                                         model: model, at: Date(), c, logger: logger)
        }
    }

    /// The id of the survey named `name`, registering it when new.
    static func surveyId(named name: String, folder: String?, _ c: PostgresConnection, logger: Logger) async throws -> Int64 {
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
        return try await client.withConnection { c in
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
                       model: PriorityModel, at now: Date, _ c: PostgresConnection, logger: Logger) async throws -> IngestSummary {
        var summary = IngestSummary(surveyId: surveyId)
        var added: [(id: Int64, finding: Finding)] = []
        var footprints: [[GeoPoint]] = []
        for frame in frames {
            let record = FrameRecord(surveyId: surveyId, report: frame.report, contentHash: frame.contentHash)
            var frameId: Int64?
            for try await id in try await c.query("""
                INSERT INTO frame (survey_id, content_hash, data) VALUES (\(surveyId), \(frame.contentHash), \(try json(record))::jsonb)
                ON CONFLICT (content_hash) DO NOTHING RETURNING id
                """, logger: logger).decode(Int64.self) { frameId = id }
            guard let frameId else {
                summary.framesSkipped += 1
                continue
            }
            try await c.query("DELETE FROM frame_failure WHERE survey_id = \(surveyId) AND path = \(frame.report.file)",
                              logger: logger)
            summary.framesAdded += 1
            if let fp = IngestPlan.footprint(of: frame.report) { footprints.append(fp) }
            for f in frame.report.findings {
                let p = IngestPlan.position(of: f)
                for try await id in try await c.query("""
                    INSERT INTO finding (frame_id, data, latitude, longitude, reach)
                    VALUES (\(frameId), \(try json(f))::jsonb, \(p?.latitude), \(p?.longitude), \(p?.reachM)) RETURNING id
                    """, logger: logger).decode(Int64.self) { added.append((id, f)) }
            }
        }
        summary.findingsAdded = added.count

        let merging = Merging()
        let groups = merging.cluster(added.map(\.finding))
        if let cells = mergeCells(groups.map { $0.map { added[$0].finding } }, merging: merging) {
            try await c.query("SELECT pg_advisory_xact_lock_shared(\(globalMergeLock))", logger: logger)
            if !cells.isEmpty {
                try await c.query("""
                    SELECT pg_advisory_xact_lock(x, y) FROM unnest(\(cells.map { Int32($0.x) })::int4[], \(cells.map { Int32($0.y) })::int4[]) AS cell(x, y)
                    """, logger: logger)
            }
        } else {
            try await c.query("SELECT pg_advisory_xact_lock(\(globalMergeLock))", logger: logger)
        }
        // Read after the locks, so that it includes the tickets of the transactions waited for.
        var maxTicketReach = 0.0
        for try await r in try await c.query("SELECT coalesce(max(reach), 0) FROM ticket", logger: logger).decode(Double.self) {
            maxTicketReach = r
        }
        var updated: Set<Int64> = []
        var seen: Set<Int64> = []
        for group in groups {
            let members = group.map { added[$0] }
            let fs = members.map(\.finding)
            var match: Ticket?
            if let box = IngestPlan.candidateBox(for: fs, merging: merging, maxTicketReach: maxTicketReach) {
                let near = IngestPlan.memberBox(for: fs, merging: merging)
                match = IngestPlan.bestMatch(for: fs, among: try await candidates(in: box, near: near, c, logger: logger),
                                             merging: merging)
            }
            var result = IngestPlan.apply(fs, to: match, surveyId: surveyId, surveyName: surveyName, actor: actor,
                                          model: model, at: now)
            try await save(&result.ticket, c, logger: logger)
            let ticketId = result.ticket.id!
            if result.created { summary.ticketsCreated += 1 } else { updated.insert(ticketId) }
            if result.reopened { summary.ticketsReopened += 1 }
            for e in result.events(for: ticketId) { try await insert(e, c, logger: logger) }
            seen.insert(ticketId)
            maxTicketReach = max(maxTicketReach, (result.ticket.uncertaintyM ?? 0) + result.ticket.radiusM)
            try await c.query("UPDATE finding SET ticket_id = \(ticketId) WHERE id = ANY(\(members.map(\.id)))", logger: logger)
        }
        summary.ticketsUpdated = updated.count

        if !footprints.isEmpty {
            let fixed = try await records(c.query("SELECT id, data::text FROM ticket WHERE status = 'fixed' ORDER BY id FOR UPDATE",
                                                  logger: logger), Ticket.self, id: \.id)
            for (ticket, event) in IngestPlan.verifications(fixed: fixed, seen: seen, footprints: footprints,
                                                            surveyName: surveyName, actor: actor, at: now) {
                var t = ticket
                try await save(&t, c, logger: logger)
                try await insert(event, c, logger: logger)
                summary.ticketsVerified += 1
            }
        }
        return summary
    }

    /// The tickets inside a candidate box, by id and locked for update, each with its merged findings.
    /// The tickets inside a candidate box, by id, locked, each with those of its findings that lie near the
    /// group (`near`, see ``IngestPlan/MemberBox``; every finding when `nil`, and always those without a reach).
    static func candidates(in box: IngestPlan.CandidateBox, near m: IngestPlan.MemberBox?, _ c: PostgresConnection,
                           logger: Logger) async throws -> [(ticket: Ticket, members: [Finding])] {
        let tickets = try await records(c.query("""
            SELECT id, data::text FROM ticket
            WHERE class = \(box.defectClass.rawValue) AND latitude BETWEEN \(box.minLatitude) AND \(box.maxLatitude)
              AND longitude BETWEEN \(box.minLongitude) AND \(box.maxLongitude)
            ORDER BY id FOR UPDATE
            """, logger: logger), Ticket.self, id: \.id)
        guard !tickets.isEmpty else { return [] }
        let ids = tickets.map { $0.id! }
        var members: [Int64: [Finding]] = [:]
        let rows: PostgresRowSequence
        if let m {
            rows = try await c.query("""
                SELECT ticket_id, data::text FROM finding WHERE ticket_id = ANY(\(ids))
                  AND (reach IS NULL OR (latitude BETWEEN \(m.minLatitude) - reach * \(m.latitudePerMetre)
                                                      AND \(m.maxLatitude) + reach * \(m.latitudePerMetre)
                                     AND longitude BETWEEN \(m.minLongitude) - reach * \(m.longitudePerMetre)
                                                       AND \(m.maxLongitude) + reach * \(m.longitudePerMetre)))
                ORDER BY id
                """, logger: logger)
        } else {
            rows = try await c.query("SELECT ticket_id, data::text FROM finding WHERE ticket_id = ANY(\(ids)) ORDER BY id",
                                     logger: logger)
        }
        for try await (ticketId, text) in rows.decode((Int64, String).self) {
            members[ticketId, default: []].append(try decode(Finding.self, text))
        }
        return tickets.map { ($0, members[$0.id!] ?? []) }
    }
}
