import Findings
import Foundation
import GRDB
import Geodesy

extension SQLiteTicketStore {
    public func ingest(_ batch: SurveyBatch, actor: String) async throws -> IngestSummary {
        let model = self.model, cache = findings
        do {
            return try await writer.write { db in
                try Self.ingest(db, batch, actor: actor, model: model, at: Date(), cache: cache)
            }
        } catch {
            cache.removeAll()
            throw error
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
                       at now: Date, cache: FindingCache? = nil) throws -> IngestSummary {
        let surveyId = try surveyId(db, named: batch.surveyName, at: now)
        var summary = IngestSummary(surveyId: surveyId)
        var added: [(id: Int64, finding: Finding)] = []
        var footprints: [[GeoPoint]] = []
        for frame in batch.frames {
            if try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM frame WHERE contentHash = ?"),
                                arguments: [frame.contentHash]) ?? 0 > 0 {
                summary.framesSkipped += 1
                continue
            }
            let r = frame.report
            var fr = FrameRecord(surveyId: surveyId, report: r, contentHash: frame.contentHash)
            try fr.insert(db)
            try FrameFailureRecord.filter(Column("surveyId") == surveyId && Column("path") == r.file).deleteAll(db)
            summary.framesAdded += 1
            if let fp = IngestPlan.footprint(of: r) { footprints.append(fp) }
            for f in IngestPlan.workOrderPieces(r.findings, limits: model.workOrder) {
                var rec = FindingRecord(frameId: fr.id!, ticketId: nil, finding: f)
                try rec.insert(db)
                try storePosition(db, of: f, id: rec.id!)
                try storeExtent(db, of: f, id: rec.id!)
                cache?.keep(f, id: rec.id!)
                added.append((rec.id!, f))
            }
        }
        summary.findingsAdded = added.count

        let merging = Merging()
        var updated: Set<Int64> = []
        var seen: Set<Int64> = []
        for group in IngestPlan.workOrders(added.map(\.finding), merging: merging, limits: model.workOrder) {
            let members = group.map { added[$0] }
            let fs = members.map(\.finding)
            var match: Ticket?
            if let near = IngestPlan.searchExtent(for: fs, merging: merging),
               let cls = fs.first(where: { Merging.Shape($0) != nil })?.defectClass {
                let found = try candidates(db, of: cls, reaching: near, cache: cache)
                    .filter { IngestPlan.fits(fs, into: $0.ticket, limits: model.workOrder) }
                summary.candidatesRead += found.count + found.reduce(0) { $0 + $1.members.count }
                match = IngestPlan.bestMatch(for: fs, among: found, merging: merging, comparisons: &summary.comparisons)
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
            try storeExtent(db, of: result.ticket)
            if result.reopened { summary.ticketsReopened += 1 }
            let ticketId = result.ticket.id!
            for var e in result.events(for: ticketId) { try e.insert(db) }
            seen.insert(ticketId)
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

    /// The tickets of class `cls` whose extent (``IngestPlan/extent(of:)``) meets `box`, by id, each with
    /// those of its findings whose extent meets it too: everything a group searching `box` can match, read
    /// through the two R*Tree indexes (`ticketExtent`, `findingExtent`), so a merge costs the same however
    /// many tickets and sightings the database holds elsewhere.
    /// Findings in `cache` are not decoded again.
    static func candidates(_ db: Database, of cls: DefectClass, reaching box: IngestPlan.Extent,
                           cache: FindingCache? = nil) throws -> [(ticket: Ticket, members: [Finding])] {
        let area: StatementArguments = [box.maxLatitude, box.minLatitude, box.maxLongitude, box.minLongitude]
        let tickets = try Ticket.fetchAll(db.cachedStatement(sql: """
            SELECT ticket.* FROM ticketExtent JOIN ticket ON ticket.id = ticketExtent.id
            WHERE ticketExtent.minLatitude <= ? AND ticketExtent.maxLatitude >= ?
              AND ticketExtent.minLongitude <= ? AND ticketExtent.maxLongitude >= ? AND ticket.class = ?
            ORDER BY ticket.id
            """), arguments: area + [cls])
        guard !tickets.isEmpty else { return [] }
        var members: [Int64: [Finding]] = [:]
        let wanted = Set(tickets.map { $0.id! })
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT finding.ticketId, finding.id, finding.json FROM findingExtent JOIN finding ON finding.id = findingExtent.id
            WHERE findingExtent.minLatitude <= ? AND findingExtent.maxLatitude >= ?
              AND findingExtent.minLongitude <= ? AND findingExtent.maxLongitude >= ? AND finding.ticketId IS NOT NULL
            ORDER BY finding.id
            """), arguments: area)
        let decoder = JSONDecoder()
        while let row = try rows.next() {
            let ticketId: Int64 = row[0]
            guard wanted.contains(ticketId) else { continue }
            let id: Int64 = row[1]
            if let f = cache?.finding(id) {
                members[ticketId, default: []].append(f)
                continue
            }
            let json: String = row[2]
            let f = try decoder.decode(Finding.self, from: Data(json.utf8))
            cache?.keep(f, id: id)
            members[ticketId, default: []].append(f)
        }
        return tickets.map { ($0, members[$0.id!] ?? []) }
    }

    /// Records a stored finding's centre and reach (``IngestPlan/position(of:)``); left empty without a location.
    static func storePosition(_ db: Database, of f: Finding, id: Int64) throws {
        guard let p = IngestPlan.position(of: f) else { return }
        try db.cachedStatement(sql: "UPDATE finding SET latitude = ?, longitude = ?, reach = ? WHERE id = ?")
            .execute(arguments: [p.latitude, p.longitude, p.reachM, id])
    }

    /// Indexes a stored finding's extent (its centre and reach, ``IngestPlan/extent(around:metres:)``); nothing
    /// without a location (such a finding never matches).
    static func storeExtent(_ db: Database, of f: Finding, id: Int64) throws {
        guard let p = IngestPlan.position(of: f) else { return }
        let e = IngestPlan.extent(around: GeoPoint(latitude: p.latitude, longitude: p.longitude), metres: p.reachM)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO findingExtent VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [id, e.minLatitude, e.maxLatitude, e.minLongitude, e.maxLongitude])
    }

    /// Indexes a stored ticket's extent (``IngestPlan/extent(of:)``), or drops it when the ticket has no location.
    /// Every write that can move a ticket or widen its reach calls this.
    static func storeExtent(_ db: Database, of t: Ticket) throws {
        guard let id = t.id else { return }
        guard let e = IngestPlan.extent(of: t) else {
            try db.cachedStatement(sql: "DELETE FROM ticketExtent WHERE id = ?").execute(arguments: [id])
            return
        }
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO ticketExtent VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [id, e.minLatitude, e.maxLatitude, e.minLongitude, e.maxLongitude])
    }
}
