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
            var fr = FrameRecord(surveyId: surveyId, path: r.file, contentHash: frame.contentHash, width: r.width,
                                 height: r.height, latitude: r.latitude, longitude: r.longitude,
                                 altitudeM: r.altitudeM, gsdCmPerPx: r.gsdCmPerPx, footprint: r.footprint,
                                 capturedAt: r.capturedAt)
            try fr.insert(db)
            try FrameFailureRecord.filter(Column("surveyId") == surveyId && Column("path") == r.file).deleteAll(db)
            summary.framesAdded += 1
            if let fp = r.footprint, fp.count >= 3 { footprints.append(fp) }
            for f in r.findings {
                var rec = FindingRecord(frameId: fr.id!, ticketId: nil, finding: f)
                try rec.insert(db)
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
        let who = actor
        for group in merging.cluster(added.map(\.finding)) {
            let members = group.map { added[$0] }
            let fs = members.map(\.finding)
            var ticket: Ticket
            if var t = try match(db, fs, merging, maxTicketReach: maxTicketReach) {
                let wasClosed = t.status == .fixed || t.status == .verified
                update(&t, with: fs, surveyId: surveyId, at: now)
                model.rank(&t)
                try t.update(db)
                var e = TicketEvent(ticketId: t.id!, at: now, actor: who, kind: .sighting,
                                    note: "\(fs.count) finding(s) in survey \(batch.surveyName)")
                try e.insert(db)
                if wasClosed {
                    try setStatus(db, &t, .reopened, actor: who, note: "closed, not fixed", at: now)
                    summary.ticketsReopened += 1
                }
                updated.insert(t.id!)
                ticket = t
            } else {
                ticket = makeTicket(fs, surveyId: surveyId, at: now)
                model.rank(&ticket)
                try ticket.insert(db)
                var e = TicketEvent(ticketId: ticket.id!, at: now, actor: who, kind: .created, toStatus: .new,
                                    note: "\(fs.count) finding(s) in survey \(batch.surveyName)")
                try e.insert(db)
                summary.ticketsCreated += 1
            }
            seen.insert(ticket.id!)
            maxTicketReach = max(maxTicketReach, (ticket.uncertaintyM ?? 0) + ticket.radiusM)
            let ids = members.map(\.id)
            try FindingRecord.filter(ids.contains(Column("id"))).updateAll(db, Column("ticketId").set(to: ticket.id!))
        }
        summary.ticketsUpdated = updated.count

        if !footprints.isEmpty {
            for var t in try Ticket.filter(Column("status") == TicketStatus.fixed).fetchAll(db)
            where !seen.contains(t.id!) {
                guard let p = t.location else { continue }
                let plane = LocalPlane(origin: p)
                let covered = footprints.contains { fp in
                    PlaneShape(points: fp.map(plane.project), closed: true).contains(SIMD2(0, 0))
                }
                if covered {
                    try setStatus(db, &t, .verified, actor: who,
                                  note: "survey \(batch.surveyName) covered the spot and saw nothing", at: now)
                    summary.ticketsVerified += 1
                }
            }
        }
        return summary
    }

    /// The existing ticket closest to a group of findings that matches one of them, if any.
    /// - Parameter maxTicketReach: the largest uncertainty + outline radius of any stored ticket.
    static func match(_ db: Database, _ fs: [Finding], _ merging: Merging, maxTicketReach: Double) throws -> Ticket? {
        let shapes = fs.compactMap(Merging.Shape.init)
        guard let first = shapes.first else { return nil }
        let plane = LocalPlane(origin: first.center)
        // A matching ticket's position lies within (its largest uncertainty + reach) + (our uncertainty) +
        // tolerance of a point of the group's shapes; 1 % and 1 m of slack for the plane's distortion.
        let reach = (maxTicketReach + (shapes.map(\.uncertaintyM).max() ?? 0) + merging.toleranceM) * 1.01 + 1
        let margin = plane.degrees(forMetres: reach)
        let points = shapes.flatMap { [$0.center] + ($0.outline?.points ?? []) }
        let lats = points.map(\.latitude), lons = points.map(\.longitude)
        let candidates = try Ticket.filter(Column("class") == first.defectClass
                && Column("latitude") >= lats.min()! - margin.lat && Column("latitude") <= lats.max()! + margin.lat
                && Column("longitude") >= lons.min()! - margin.lon && Column("longitude") <= lons.max()! + margin.lon)
            .order(Column("id")).fetchAll(db)
        var best: (gap: Double, ticket: Ticket)?
        for t in candidates {
            // The ticket's own shape and every finding merged into it, from any survey: a defect seen as a
            // chain of findings is found again wherever a later survey sees a part of it.
            let members = try FindingRecord.filter(Column("ticketId") == t.id).fetchAll(db)
            let targets = [Merging.Shape(t)].compactMap { $0 } + members.compactMap { Merging.Shape($0.finding) }
            for s in shapes {
                for target in targets where merging.matches(s, target) {
                    let g = merging.gap(s, target)
                    if best == nil || g < best!.gap { best = (g, t) }
                }
            }
        }
        return best?.ticket
    }

    static func largest(_ fs: [Finding]) -> Finding {
        fs.max { a, b in
            (a.areaM2 ?? a.lengthM ?? 0, a.confidence) < (b.areaM2 ?? b.lengthM ?? 0, b.confidence)
        }!
    }

    static func makeTicket(_ fs: [Finding], surveyId: Int64, at now: Date) -> Ticket {
        let best = fs.max { $0.confidence < $1.confidence }!
        var weightSum = 0.0, lat = 0.0, lon = 0.0
        var uncertainty: Double?
        for f in fs {
            guard let p = f.location ?? f.geoOutline.flatMap(Merging.Shape.centroid) else { continue }
            let u = max(f.uncertaintyM ?? 0, 0.01)
            let w = 1 / (u * u)
            weightSum += w
            lat += w * p.latitude
            lon += w * p.longitude
            if let fu = f.uncertaintyM { uncertainty = max(uncertainty ?? 0, fu) }
        }
        var t = Ticket(defectClass: best.defectClass, subtype: best.subtype,
                       latitude: weightSum > 0 ? lat / weightSum : nil,
                       longitude: weightSum > 0 ? lon / weightSum : nil,
                       uncertaintyM: weightSum > 0 ? (uncertainty ?? 0) : nil,
                       confidence: fs.map(\.confidence).max() ?? 0, source: "survey", at: now)
        t.lengthM = fs.compactMap(\.lengthM).max()
        t.widthMm = fs.compactMap(\.widthMm).max()
        t.areaM2 = fs.compactMap(\.areaM2).max()
        t.firstLengthM = t.lengthM
        t.firstWidthMm = t.widthMm
        t.firstAreaM2 = t.areaM2
        t.sightings = fs.count
        t.surveyCount = 1
        t.firstSurveyId = surveyId
        t.lastSurveyId = surveyId
        t.geoOutline = largest(fs).geoOutline
        if let c = t.location { t.radiusM = Ticket.reach(from: c, outline: t.geoOutline, findings: fs) }
        return t
    }

    /// Adds a group of findings to a ticket: a new survey replaces the current measurements (growth is
    /// current against first seen), the same survey keeps the maximum.
    static func update(_ t: inout Ticket, with fs: [Finding], surveyId: Int64, at now: Date) {
        let length = fs.compactMap(\.lengthM).max()
        let width = fs.compactMap(\.widthMm).max()
        let area = fs.compactMap(\.areaM2).max()
        func larger(_ a: Double?, _ b: Double?) -> Double? {
            switch (a, b) {
            case let (a?, b?): max(a, b)
            default: a ?? b
            }
        }
        if t.lastSurveyId != surveyId {
            t.lengthM = length ?? t.lengthM
            t.widthMm = width ?? t.widthMm
            t.areaM2 = area ?? t.areaM2
            t.surveyCount += 1
            if let o = largest(fs).geoOutline { t.geoOutline = o }
        } else {
            t.lengthM = larger(t.lengthM, length)
            t.widthMm = larger(t.widthMm, width)
            t.areaM2 = larger(t.areaM2, area)
        }
        if t.firstLengthM == nil { t.firstLengthM = length }
        if t.firstWidthMm == nil { t.firstWidthMm = width }
        if t.firstAreaM2 == nil { t.firstAreaM2 = area }
        let best = fs.max { $0.confidence < $1.confidence }!
        if best.confidence > t.confidence || t.subtype == nil { t.subtype = best.subtype ?? t.subtype }
        t.confidence = max(t.confidence, best.confidence)
        if let c = t.location { t.radiusM = max(t.radiusM, Ticket.reach(from: c, outline: t.geoOutline, findings: fs)) }
        t.sightings += fs.count
        t.lastSeen = now
        t.lastSurveyId = surveyId
        t.updatedAt = now
    }
}
