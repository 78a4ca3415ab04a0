import Findings
import Foundation
import GRDB

extension SQLiteTicketStore {
    public func ingest(_ batch: SurveyBatch, actor: String) async throws -> IngestSummary {
        let model = self.model
        return try await writer.write { db in
            try Self.ingest(db, batch, actor: actor, model: model, at: Date())
        }
    }

    /// The id of the survey called `name`, registered at `now` when it is new.
    static func surveyId(_ db: Database, named name: String, at now: Date) throws -> Int64 {
        if let s = try SurveyRecord.filter(Column("name") == name).fetchOne(db), let id = s.id { return id }
        var survey = SurveyRecord(name: name, startedAt: now)
        try survey.insert(db)
        return survey.id!
    }

    public func recordFrameFailure(surveyName: String, path: String, reason: String, at: Date) async throws -> Int64 {
        try await writer.write { db in
            let surveyId = try Self.surveyId(db, named: surveyName, at: at)
            try db.execute(sql: """
                INSERT INTO frameFailure (surveyId, path, reason, failedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT (surveyId, path) DO UPDATE SET reason = excluded.reason, failedAt = excluded.failedAt
                """, arguments: [surveyId, path, reason, at])
            return surveyId
        }
    }

    public func frameFailures(surveyId: Int64?) async throws -> [FrameFailureRecord] {
        try await writer.read { db in
            var q = FrameFailureRecord.order(Column("surveyId"), Column("path"))
            if let surveyId { q = q.filter(Column("surveyId") == surveyId) }
            return try q.fetchAll(db)
        }
    }

    static func ingest(_ db: Database, _ batch: SurveyBatch, actor: String, model: PriorityModel,
                       at now: Date) throws -> IngestSummary {
        let surveyId = try surveyId(db, named: batch.surveyName, at: now)
        var summary = IngestSummary(surveyId: surveyId)
        var added: [(id: Int64, finding: Finding)] = []
        var footprints: [[GeoPoint]] = []
        for frame in batch.frames {
            if try FrameRecord.filter(Column("contentHash") == frame.contentHash).fetchCount(db) > 0 {
                summary.framesSkipped += 1
                continue
            }
            let r = frame.report
            var fr = FrameRecord(surveyId: surveyId, report: r, contentHash: frame.contentHash)
            try fr.insert(db)
            try FrameFailureRecord.filter(Column("surveyId") == surveyId && Column("path") == r.file).deleteAll(db)
            summary.framesAdded += 1
            if let fp = IngestPlan.footprint(of: r) { footprints.append(fp) }
            for f in r.findings {
                var rec = FindingRecord(frameId: fr.id!, ticketId: nil, finding: f)
                try rec.insert(db)
                try storePosition(db, of: f, id: rec.id!)
                added.append((rec.id!, f))
            }
        }
        summary.findingsAdded = added.count

        let merging = Merging()
        // Largest ticket uncertainty and outline radius, kept up to date below: they bound the candidate
        // search box of each group.
        var maxTicketReach = try Double.fetchOne(db, sql: "SELECT MAX(COALESCE(uncertaintyM, 0) + radiusM) FROM ticket") ?? 0
        var updated: Set<Int64> = []
        var seen: Set<Int64> = []
        for group in merging.cluster(added.map(\.finding)) {
            let members = group.map { added[$0] }
            let fs = members.map(\.finding)
            let match = try IngestPlan.candidateBox(for: fs, merging: merging, maxTicketReach: maxTicketReach)
                .flatMap { box in
                    IngestPlan.bestMatch(for: fs, among: try candidates(db, in: box,
                                                                        near: IngestPlan.memberBox(for: fs, merging: merging)),
                                         merging: merging)
                }
            var result = IngestPlan.apply(fs, to: match, surveyId: surveyId, surveyName: batch.surveyName,
                                          actor: actor, model: model, at: now)
            if result.created {
                try result.ticket.insert(db)
                summary.ticketsCreated += 1
            } else {
                try result.ticket.update(db)
                updated.insert(result.ticket.id!)
            }
            if result.reopened { summary.ticketsReopened += 1 }
            let ticketId = result.ticket.id!
            for var e in result.events(for: ticketId) { try e.insert(db) }
            seen.insert(ticketId)
            maxTicketReach = max(maxTicketReach, (result.ticket.uncertaintyM ?? 0) + result.ticket.radiusM)
            let ids = members.map(\.id)
            try FindingRecord.filter(ids.contains(Column("id"))).updateAll(db, Column("ticketId").set(to: ticketId))
        }
        summary.ticketsUpdated = updated.count

        let fixed = footprints.isEmpty ? [] : try Ticket.filter(Column("status") == TicketStatus.fixed).fetchAll(db)
        for (ticket, event) in IngestPlan.verifications(fixed: fixed, seen: seen, footprints: footprints,
                                                        surveyName: batch.surveyName, actor: actor, at: now) {
            try ticket.update(db)
            var e = event
            try e.insert(db)
            summary.ticketsVerified += 1
        }
        return summary
    }

    /// The tickets inside a candidate box, by id, each with those of its findings that lie near the group
    /// (`near`; every finding when `nil`). Findings stored before their position was recorded are always read.
    static func candidates(_ db: Database, in box: IngestPlan.CandidateBox,
                           near m: IngestPlan.MemberBox?) throws -> [(ticket: Ticket, members: [Finding])] {
        try Ticket.filter(Column("class") == box.defectClass
                && Column("latitude") >= box.minLatitude && Column("latitude") <= box.maxLatitude
                && Column("longitude") >= box.minLongitude && Column("longitude") <= box.maxLongitude)
            .order(Column("id")).fetchAll(db)
            .map { t in
                var members = FindingRecord.filter(Column("ticketId") == t.id)
                if let m {
                    let lat = Column("latitude"), lon = Column("longitude"), reach = Column("reach")
                    members = members.filter(reach == nil || (
                        lat >= m.minLatitude - reach * m.latitudePerMetre && lat <= m.maxLatitude + reach * m.latitudePerMetre
                        && lon >= m.minLongitude - reach * m.longitudePerMetre && lon <= m.maxLongitude + reach * m.longitudePerMetre))
                }
                return (t, try members.order(Column("id")).fetchAll(db).map(\.finding))
            }
    }

    /// Records a stored finding's centre and reach (``IngestPlan/position(of:)``); left empty without a location.
    static func storePosition(_ db: Database, of f: Finding, id: Int64) throws {
        guard let p = IngestPlan.position(of: f) else { return }
        try db.execute(sql: "UPDATE finding SET latitude = ?, longitude = ?, reach = ? WHERE id = ?",
                       arguments: [p.latitude, p.longitude, p.reachM, id])
    }
}
