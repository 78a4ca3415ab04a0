// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Findings
import Foundation
import Geodesy
import Logging
import PostgresNIO
import Tickets

/// The merge of a transaction's groups, and the verification of fixed tickets its frames covered, in two round trips.
///
/// Groups merge one after the other (``IngestPlan``'s rules: a group sees the tickets that the groups before it
/// created or changed), but the database is asked once: one statement reads and locks everything the groups can
/// match (``Neighbourhood``), the groups are merged in memory in order, and one statement writes the tickets,
/// their events and the findings' links. A ticket the merge wrote meets a later group's search when its new
/// extent meets it by PostgreSQL's own `box && box` (``IngestPlan/Extent/meetsInPostgres(_:)``); every other
/// test is the server's, on the stored extents, as when each group read its candidates itself. New tickets get
/// stand-in ids above every stored one (``standInBase``), in the order they are made, and the write swaps them for
/// ids drawn from the sequence in that order: the same ids, events and links as one statement per group.
/// The fixed tickets are read (and locked) with the candidates, before the merge rather than after it: the only
/// tickets the merge changes from fixed are ones it saw, which are not verified, so the result is the same.
extension PostgresTicketStore {
    /// Stand-in ids of the tickets a merge creates are this plus their number (no sequence gets near it).
    static let standInBase: Int64 = 1 << 62

    /// What the groups of one transaction can match, read and locked in one statement: the stored tickets of a
    /// group's class whose extent meets its search box, their findings whose extent meets it, and the
    /// transaction's new findings whose extent meets it (their tickets are known only as the merge goes).
    struct Neighbourhood {
        /// The stored tickets some search found, by id (locked).
        var tickets: [Int64: Ticket] = [:]
        /// Per search: the stored tickets (of its class) whose stored extent meets its box.
        var ticketHits: [[Int64]]
        /// Per search: the merged findings of found tickets whose extent meets its box, with their ticket.
        var memberHits: [[(id: Int64, ticketId: Int64)]]
        /// Per search: the new findings whose extent meets its box.
        var newHits: [[Int64]]
        /// The merged findings some search found, decoded.
        var findings: [Int64: Finding] = [:]
        /// The fixed tickets by id (locked), when asked for.
        var fixed: [Ticket] = []

        init(searches: Int) {
            ticketHits = Array(repeating: [], count: searches)
            memberHits = Array(repeating: [], count: searches)
            newHits = Array(repeating: [], count: searches)
        }
    }

    /// Merges `groups` (of findings stored in this transaction, with their ids) into tickets, in order, verifies
    /// the fixed tickets that `footprints` cover and the groups did not see (``IngestPlan/verifications(fixed:seen:footprints:surveyName:actor:at:)``),
    /// and writes the result; counts into `summary`.
    static func mergeGroups(_ groups: [[(id: Int64, finding: Finding)]], verifying footprints: [[GeoPoint]], surveyId: Int64,
                            surveyName: String, actor: String, model: PriorityModel, at now: Date, _ c: PostgresConnection,
                            logger: Logger, cache: FindingCache?, tickets decoded: TicketDecodeCache?,
                            summary: inout IngestSummary) async throws {
        let merging = Merging()
        var searchOf: [Int?] = []
        var classes: [DefectClass] = [], boxes: [IngestPlan.Extent] = []
        for group in groups {
            let fs = group.map(\.finding)
            if let box = IngestPlan.searchExtent(for: fs, merging: merging),
               let cls = fs.first(where: { Merging.Shape($0) != nil })?.defectClass {
                searchOf.append(boxes.count)
                classes.append(cls)
                boxes.append(box)
            } else {
                searchOf.append(nil)
            }
        }
        let fresh = Dictionary(uniqueKeysWithValues: groups.joined().map { ($0.id, $0.finding) })
        // Read after the locks, so that it includes the tickets of the transactions waited for.
        let near = try await neighbourhood(classes, boxes, newFindings: groups.joined().map(\.id), fixed: !footprints.isEmpty, c,
                                           logger: logger, cache: cache, tickets: decoded)

        var current = near.tickets
        var written: Set<Int64> = [], updated: Set<Int64> = [], seen: Set<Int64> = []
        var created: [Int64] = []
        var linked: [Int64: Int64] = [:]
        var events: [TicketEvent] = []
        for (g, group) in groups.enumerated() {
            let fs = group.map(\.finding)
            var match: Ticket?
            if let s = searchOf[g] {
                // The tickets this group would read now: stored ones as the server found them, written ones by
                // their new extent.
                var ids = Set(near.ticketHits[s].filter { !written.contains($0) })
                for id in written {
                    let t = current[id]!
                    if t.defectClass == classes[s], IngestPlan.extent(of: t)?.meetsInPostgres(boxes[s]) == true { ids.insert(id) }
                }
                var members: [Int64: [(id: Int64, finding: Finding)]] = [:]
                for (id, ticketId) in near.memberHits[s] where ids.contains(ticketId) {
                    members[ticketId, default: []].append((id, near.findings[id]!))
                }
                for id in near.newHits[s] {
                    if let ticketId = linked[id], ids.contains(ticketId) { members[ticketId, default: []].append((id, fresh[id]!)) }
                }
                let found = ids.sorted().map { id in
                    (ticket: current[id]!, members: (members[id] ?? []).sorted { $0.id < $1.id }.map(\.finding))
                }.filter { IngestPlan.fits(fs, into: $0.ticket, limits: model.workOrder) }
                summary.candidatesRead += found.count + found.reduce(0) { $0 + $1.members.count }
                match = IngestPlan.bestMatch(for: fs, among: found, merging: merging, comparisons: &summary.comparisons)
            }
            var result = IngestPlan.apply(fs, to: match, surveyId: surveyId, surveyName: surveyName, actor: actor,
                                          model: model, at: now)
            let ticketId: Int64
            if result.created {
                ticketId = standInBase + Int64(created.count)
                result.ticket.id = ticketId
                created.append(ticketId)
                summary.ticketsCreated += 1
            } else {
                ticketId = result.ticket.id!
                updated.insert(ticketId)
            }
            if result.reopened { summary.ticketsReopened += 1 }
            events += result.events(for: ticketId)
            current[ticketId] = result.ticket
            written.insert(ticketId)
            seen.insert(ticketId)
            for f in group { linked[f.id] = ticketId }
        }
        summary.ticketsUpdated += updated.count
        // New tickets are not fixed, so their stand-in ids in `seen` change nothing here.
        var verified: [Ticket] = []
        for (t, e) in IngestPlan.verifications(fixed: near.fixed, seen: seen, footprints: footprints, surveyName: surveyName,
                                               actor: actor, at: now) {
            verified.append(t)
            events.append(e)
        }
        summary.ticketsVerified += verified.count
        guard !written.isEmpty || !verified.isEmpty else { return }
        try await writeMerge(new: created.map { current[$0]! },
                             changed: written.subtracting(created).sorted().map { current[$0]! } + verified,
                             events: events, links: groups.joined().map { ($0.id, linked[$0.id]!) }, c, logger: logger)
    }

    /// ``Neighbourhood`` of the searches (`classes[i]`, `boxes[i]`), with the fixed tickets when `fixed`, in one
    /// statement, the tickets locked in id order; merged findings not in `cache` are read in a second.
    /// Each search reads the tickets through the GiST index on `ticket.extent` (`OFFSET 0` keeps the planner from
    /// also scanning the class index, half the table); those found are locked through the primary key.
    static func neighbourhood(_ classes: [DefectClass], _ boxes: [IngestPlan.Extent], newFindings: [Int64], fixed: Bool,
                              _ c: PostgresConnection, logger: Logger, cache: FindingCache?,
                              tickets decoded: TicketDecodeCache?) async throws -> Neighbourhood {
        var near = Neighbourhood(searches: boxes.count)
        guard !boxes.isEmpty || fixed else { return near }
        var memberIds: Set<Int64> = []
        for try await (kind, id, ticketId, k, text) in try await c.query("""
            WITH b AS MATERIALIZED (
                     SELECT k, cls, box(point(x0, y0), point(x1, y1)) AS box
                     FROM unnest(\(classes.map(\.rawValue))::text[], \(boxes.map(\.minLongitude))::float8[],
                                 \(boxes.map(\.minLatitude))::float8[], \(boxes.map(\.maxLongitude))::float8[],
                                 \(boxes.map(\.maxLatitude))::float8[]) WITH ORDINALITY AS u(cls, x0, y0, x1, y1, k)),
                 t AS (SELECT id, class, extent, data FROM ticket
                       WHERE id = ANY(ARRAY(SELECT n.id FROM b CROSS JOIN LATERAL
                                                (SELECT id, class FROM ticket WHERE extent && b.box OFFSET 0) AS n
                                            WHERE n.class = b.cls))
                       ORDER BY id FOR UPDATE),
                 x AS (SELECT id, data FROM ticket WHERE \(fixed) AND status = 'fixed' ORDER BY id FOR UPDATE)
            SELECT 0, t.id, NULL::int8, NULL::int8, t.data::text FROM t
            UNION ALL
            SELECT 1, t.id, NULL, b.k, NULL FROM t JOIN b ON b.cls = t.class AND t.extent && b.box
            UNION ALL
            SELECT 2, f.id, f.ticket_id, b.k, NULL FROM b JOIN finding f ON f.extent && b.box
            WHERE f.ticket_id IN (SELECT id FROM t)
            UNION ALL
            SELECT 3, f.id, NULL, b.k, NULL FROM b JOIN finding f ON f.extent && b.box
            WHERE f.id = ANY(\(newFindings))
            UNION ALL
            SELECT 4, x.id, NULL, NULL, x.data::text FROM x
            """, logger: logger).decode((Int32, Int64, Int64?, Int64?, String?).self) {
            let s = Int(k ?? 1) - 1
            switch kind {
            case 0, 4:
                guard let text else { throw TicketError(.database, "ticket \(id) has no data") }
                var t: Ticket
                if let decoded {
                    t = try decoded.ticket(id: id, text: text)
                } else {
                    t = try decode(Ticket.self, text)
                    t.id = id
                }
                if kind == 0 { near.tickets[id] = t } else { near.fixed.append(t) }
            case 1: near.ticketHits[s].append(id)
            case 2:
                near.memberHits[s].append((id, ticketId!))
                memberIds.insert(id)
            default: near.newHits[s].append(id)
            }
        }
        for id in memberIds { near.findings[id] = cache?.finding(id) }
        let missing = memberIds.filter { near.findings[$0] == nil }.sorted()
        if !missing.isEmpty {
            for try await (id, text) in try await c.query("SELECT id, data::text FROM finding WHERE id = ANY(\(missing))",
                                                          logger: logger).decode((Int64, String).self) {
                let f = try decode(Finding.self, text)
                cache?.keep(f, id: id)
                near.findings[id] = f
            }
        }
        near.fixed.sort { $0.id! < $1.id! }
        for id in missing where near.findings[id] == nil {
            throw TicketError(.database, "finding \(id) vanished during a merge")
        }
        return near
    }

    /// Writes a merge in one statement: the new tickets (ids drawn in order, replacing their stand-ins in their
    /// JSON, their events and links), the changed ones, the events in order and the findings' links.
    static func writeMerge(new: [Ticket], changed: [Ticket], events: [TicketEvent], links: [(finding: Int64, ticket: Int64)],
                      _ c: PostgresConnection, logger: Logger) async throws {
        let n = try TicketColumns(new), u = try TicketColumns(changed)
        var drawn = 0
        for try await _ in try await c.query("""
            WITH n AS MATERIALIZED (
                     SELECT p, nextval(pg_get_serial_sequence('ticket', 'id')) AS id, cls, st, pr, lat, lon, reach, x0, y0, x1, y1,
                            ca, key, hk, d
                     FROM unnest(\(n.id)::int8[], \(n.cls)::text[], \(n.status)::text[], \(n.priority)::float8[],
                                 \(n.lat)::float8[], \(n.lon)::float8[], \(n.reach)::float8[], \(n.x0)::float8[],
                                 \(n.y0)::float8[], \(n.x1)::float8[], \(n.y1)::float8[], \(n.createdAt)::float8[],
                                 \(n.key)::text[], \(n.hasKey)::bool[], \(n.data)::text[])
                          WITH ORDINALITY AS v(p, cls, st, pr, lat, lon, reach, x0, y0, x1, y1, ca, key, hk, d, k)
                     ORDER BY k),
                 i AS (INSERT INTO ticket (id, class, status, priority, latitude, longitude, reach, extent, created_at,
                                           external_key, data)
                       SELECT id, cls, st, pr, NULLIF(lat, 'NaN'), NULLIF(lon, 'NaN'), reach,
                              box(point(NULLIF(x0, 'NaN'), NULLIF(y0, 'NaN')), point(NULLIF(x1, 'NaN'), NULLIF(y1, 'NaN'))),
                              ca, CASE WHEN hk THEN key END, jsonb_set(d::jsonb, '{id}', to_jsonb(id))
                       FROM n),
                 u AS (UPDATE ticket SET class = v.cls, status = v.st, priority = v.pr, latitude = NULLIF(v.lat, 'NaN'),
                              longitude = NULLIF(v.lon, 'NaN'), reach = v.reach,
                              extent = box(point(NULLIF(v.x0, 'NaN'), NULLIF(v.y0, 'NaN')), point(NULLIF(v.x1, 'NaN'), NULLIF(v.y1, 'NaN'))),
                              external_key = CASE WHEN v.hk THEN v.key END, data = v.d::jsonb
                       FROM unnest(\(u.id)::int8[], \(u.cls)::text[], \(u.status)::text[], \(u.priority)::float8[],
                                   \(u.lat)::float8[], \(u.lon)::float8[], \(u.reach)::float8[], \(u.x0)::float8[],
                                   \(u.y0)::float8[], \(u.x1)::float8[], \(u.y1)::float8[], \(u.key)::text[], \(u.hasKey)::bool[],
                                   \(u.data)::text[]) AS v(id, cls, st, pr, lat, lon, reach, x0, y0, x1, y1, key, hk, d)
                       WHERE ticket.id = v.id),
                 e AS (INSERT INTO ticket_event (ticket_id, data)
                       SELECT coalesce(n.id, v.t), CASE WHEN n.id IS NULL THEN v.d::jsonb
                                                        ELSE jsonb_set(v.d::jsonb, '{ticketId}', to_jsonb(n.id)) END
                       FROM unnest(\(events.map(\.ticketId))::int8[], \(try events.map { try json($0) })::text[])
                            WITH ORDINALITY AS v(t, d, k) LEFT JOIN n ON n.p = v.t
                       ORDER BY v.k),
                 l AS (UPDATE finding SET ticket_id = coalesce(n.id, v.t)
                       FROM unnest(\(links.map(\.finding))::int8[], \(links.map(\.ticket))::int8[]) AS v(f, t) LEFT JOIN n ON n.p = v.t
                       WHERE finding.id = v.f)
            SELECT id FROM n
            """, logger: logger).decode(Int64.self) {
            drawn += 1
        }
        guard drawn == new.count else {
            throw TicketError(.database, "\(drawn) of \(new.count) new tickets got an id")
        }
    }

    /// The query columns of tickets (``save(_:_:logger:)``'s) as arrays for `unnest`: NaN stands for a missing
    /// number (NULLIF turns it back into NULL) and `hasKey` says which external keys there are.
    struct TicketColumns {
        var id: [Int64] = [], cls: [String] = [], status: [String] = [], priority: [Double] = []
        var lat: [Double] = [], lon: [Double] = [], reach: [Double] = [], createdAt: [Double] = []
        var x0: [Double] = [], y0: [Double] = [], x1: [Double] = [], y1: [Double] = []
        var key: [String] = [], hasKey: [Bool] = [], data: [String] = []

        init(_ tickets: [Ticket]) throws {
            for t in tickets {
                let e = IngestPlan.extent(of: t)
                id.append(t.id!)
                cls.append(t.defectClass.rawValue)
                status.append(t.status.rawValue)
                priority.append(t.priority)
                lat.append(t.latitude ?? .nan)
                lon.append(t.longitude ?? .nan)
                reach.append((t.uncertaintyM ?? 0) + t.radiusM)
                createdAt.append(t.createdAt.timeIntervalSinceReferenceDate)
                x0.append(e?.minLongitude ?? .nan)
                y0.append(e?.minLatitude ?? .nan)
                x1.append(e?.maxLongitude ?? .nan)
                y1.append(e?.maxLatitude ?? .nan)
                key.append(t.externalKey ?? "")
                hasKey.append(t.externalKey != nil)
                data.append(try PostgresTicketStore.json(t))
            }
        }
    }
}

extension IngestPlan.Extent {
    /// Whether the boxes meet as PostgreSQL's `box && box` (`box_ov`) says: each edge compared with its tolerance,
    /// `a <= b + 1e-6` (`FPle`), so that an extent computed here meets a box exactly when the stored one would.
    func meetsInPostgres(_ o: IngestPlan.Extent) -> Bool {
        func le(_ a: Double, _ b: Double) -> Bool { a <= b + 1e-6 }
        return le(minLongitude, o.maxLongitude) && le(o.minLongitude, maxLongitude)
            && le(minLatitude, o.maxLatitude) && le(o.minLatitude, maxLatitude)
    }
}
#endif
