import Findings
import Foundation
import GRDB

extension DefectClass: DatabaseValueConvertible {}

/// The embedded ticket store: one SQLite file through GRDB, in WAL mode with `synchronous = FULL`, so a
/// write has reached the disk when its method returns. Several processes may share the file (the server
/// and a forwarder); writers wait up to 10 s for each other.
public final class SQLiteTicketStore: TicketStore {
    /// The GRDB connection (a `DatabasePool` for files, a `DatabaseQueue` in memory).
    public let writer: any DatabaseWriter
    /// Severity and priority model applied on every change.
    public let model: PriorityModel
    /// Decoded findings for the merge (see ``FindingCache``).
    let findings = FindingCache()

    /// Opens (creating if needed) and migrates the database file at `path`.
    /// - Throws: ``TicketError`` `.database` when the file cannot be opened or migrated.
    public init(path: String, model: PriorityModel = PriorityModel()) throws(TicketError) {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            writer = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(writer)
        } catch {
            throw TicketError(.database, "cannot open ticket database", underlying: error, location: path)
        }
        self.model = model
    }

    /// Wraps an open connection (for tests: `DatabaseQueue()` is an in-memory database) and migrates it.
    /// - Throws: ``TicketError`` `.database` when migration fails.
    public init(writer: any DatabaseWriter, model: PriorityModel = PriorityModel()) throws(TicketError) {
        do {
            try Schema.migrator.migrate(writer)
        } catch {
            throw TicketError(.database, "cannot migrate ticket database", underlying: error)
        }
        self.writer = writer
        self.model = model
    }

    /// An empty in-memory store.
    /// - Throws: ``TicketError`` `.database`.
    public static func inMemory(model: PriorityModel = PriorityModel()) throws(TicketError) -> SQLiteTicketStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue()
        } catch {
            throw TicketError(.database, "cannot open an in-memory database", underlying: error)
        }
        return try SQLiteTicketStore(writer: queue, model: model)
    }

    // MARK: Reading

    public func ticket(id: Int64) async throws -> Ticket? {
        try await writer.read { db in try Ticket.fetchOne(db, key: id) }
    }

    public func tickets(_ query: TicketQuery) async throws -> [Ticket] {
        try await writer.read { db in try Self.request(query).fetchAll(db) }
    }

    static func request(_ q: TicketQuery) -> QueryInterfaceRequest<Ticket> {
        var r = Ticket.all()
        if !q.statuses.isEmpty { r = r.filter(q.statuses.contains(Column("status"))) }
        if !q.classes.isEmpty { r = r.filter(q.classes.contains(Column("class"))) }
        if !q.ids.isEmpty { r = r.filter(q.ids.contains(Column("id"))) }
        if let from = q.createdFrom { r = r.filter(Column("createdAt") >= from) }
        if let to = q.createdTo { r = r.filter(Column("createdAt") <= to) }
        r = q.orderByPriority ? r.order(Column("priority").desc, Column("id")) : r.order(Column("id"))
        if let limit = q.limit { r = r.limit(max(0, limit)) }
        return r
    }

    public func events(ticketId: Int64) async throws -> [TicketEvent] {
        try await writer.read { db in
            try TicketEvent.filter(Column("ticketId") == ticketId).order(Column("id")).fetchAll(db)
        }
    }

    public func findings(ticketId: Int64) async throws -> [FindingRecord] {
        try await writer.read { db in
            try FindingRecord.filter(Column("ticketId") == ticketId).order(Column("id")).fetchAll(db)
        }
    }

    public func allFindings() async throws -> [FindingRecord] {
        try await writer.read { db in try FindingRecord.order(Column("id")).fetchAll(db) }
    }

    public func allEvents() async throws -> [TicketEvent] {
        try await writer.read { db in try TicketEvent.order(Column("id")).fetchAll(db) }
    }

    /// Every stored frame, in insertion order.
    public func frames() async throws -> [FrameRecord] {
        try await writer.read { db in try FrameRecord.order(Column("id")).fetchAll(db) }
    }

    // MARK: Life cycle

    public func transition(ticketId: Int64, to status: TicketStatus, actor: String,
                           note: String?) async throws -> Ticket {
        try await writer.write { db in
            guard var t = try Ticket.fetchOne(db, key: ticketId) else {
                throw TicketError(.notFound, "no ticket \(ticketId)")
            }
            guard t.status.canMove(to: status) else {
                throw TicketError(.invalidTransition, "ticket \(ticketId): \(t.status.rawValue) → \(status.rawValue) is not allowed")
            }
            let now = Date()
            try Self.setStatus(db, &t, status, actor: actor, note: note, at: now)
            if status == .dispatched {
                try Self.enqueue(db, ticketId: ticketId, at: now)
            }
            return t
        }
    }

    static func setStatus(_ db: Database, _ t: inout Ticket, _ status: TicketStatus, actor: String,
                          note: String?, at now: Date) throws {
        let from = t.status
        t.status = status
        t.updatedAt = now
        try t.update(db)
        var e = TicketEvent(ticketId: t.id!, at: now, actor: actor, kind: .status, fromStatus: from,
                            toStatus: status, note: note)
        try e.insert(db)
    }

    static func enqueue(_ db: Database, ticketId: Int64, at now: Date) throws {
        guard try OutboxItem.filter(Column("ticketId") == ticketId).fetchCount(db) == 0 else { return }
        let instance = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'instanceId'") ?? "0"
        var item = OutboxItem.pending(ticketId: ticketId, instanceId: instance, at: now)
        try item.insert(db)
    }

    public func rerank(_ model: PriorityModel) async throws {
        try await writer.write { db in
            for var t in try Ticket.fetchAll(db) {
                let before = t
                model.rank(&t)
                if t != before { try t.update(db) }
            }
        }
    }

    public func splitOversizedTickets(actor: String) async throws -> [Int64: [Int64]] {
        let model = self.model, cache = findings
        defer { cache.removeAll() }
        return try await writer.write { db in
            var out: [Int64: [Int64]] = [:]
            let surveyOfFrame = Dictionary(try FrameRecord.fetchAll(db).map { ($0.id!, $0.surveyId) }, uniquingKeysWith: { a, _ in a })
            for t in try Ticket.filter(Column("latitude") != nil).order(Column("id")).fetchAll(db) {
                // Cheap test first: a ticket whose box (filled in by v8-work-orders) fits needs no findings read.
                if let b = t.bounds, model.workOrder.fits(IngestPlan.size(of: b), area: t.isAreaDefect) { continue }
                let members = try FindingRecord.filter(Column("ticketId") == t.id).order(Column("id")).fetchAll(db)
                    .map { IngestPlan.Member(id: $0.id!, frameId: $0.frameId, surveyId: surveyOfFrame[$0.frameId] ?? 0, finding: $0.finding) }
                let (parts, replaced) = IngestPlan.split(t, members: members, limits: model.workOrder, model: model, actor: actor, at: Date())
                var ids: [Int64] = []
                for part in parts {
                    var p = part.ticket
                    if p.id == nil { try p.insert(db) } else { try p.update(db) }
                    try Self.storeExtent(db, of: p)
                    for var e in part.events(for: p.id!) { try e.insert(db) }
                    try FindingRecord.filter(part.findingIds.contains(Column("id"))).updateAll(db, Column("ticketId").set(to: p.id!))
                    for (frameId, f) in part.newFindings {
                        var rec = FindingRecord(frameId: frameId, ticketId: p.id, finding: f)
                        try rec.insert(db)
                        try Self.storePosition(db, of: f, id: rec.id!)
                        try Self.storeExtent(db, of: f, id: rec.id!)
                    }
                    ids.append(p.id!)
                }
                // The findings cut into pieces go, with their index entries.
                try FindingRecord.deleteAll(db, keys: replaced)
                for id in replaced { try db.execute(sql: "DELETE FROM findingExtent WHERE id = ?", arguments: [id]) }
                if !ids.isEmpty { out[t.id!] = ids }
            }
            return out
        }
    }

    // MARK: Open311

    public func createServiceRequest(_ input: ServiceRequestInput,
                                     actor: String) async throws -> (ticket: Ticket, created: Bool) {
        let model = self.model
        return try await writer.write { db in
            if let key = input.idempotencyKey,
               let existing = try Ticket.filter(Column("externalKey") == key).fetchOne(db) {
                return (existing, false)
            }
            let now = Date()
            var t = Ticket.serviceRequest(input, model: model, at: now)
            try t.insert(db)
            try Self.storeExtent(db, of: t)
            var e = TicketEvent(ticketId: t.id!, at: now, actor: actor, kind: .created, toStatus: .new,
                                note: "Open311 service request")
            try e.insert(db)
            return (t, true)
        }
    }

    // MARK: Outbox

    public func claimOutboxItems(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem] {
        try await writer.write { db in
            var items = try OutboxItem
                .filter(Column("state") == OutboxItem.State.pending && Column("nextAttemptAt") <= now)
                .order(Column("nextAttemptAt"), Column("id")).limit(limit).fetchAll(db)
            for i in items.indices {
                items[i].nextAttemptAt = now.addingTimeInterval(lease)
                try items[i].update(db)
            }
            return items
        }
    }

    public func outboxItems() async throws -> [OutboxItem] {
        try await writer.read { db in try OutboxItem.order(Column("id")).fetchAll(db) }
    }

    public func nextOutboxAttempt() async throws -> Date? {
        try await writer.read { db in
            try Date.fetchOne(db, OutboxItem.filter(Column("state") == OutboxItem.State.pending)
                .select(min(Column("nextAttemptAt"))))
        }
    }

    public func recordDelivery(itemId: Int64, remoteId: String, at now: Date) async throws {
        try await writer.write { db in
            guard var item = try OutboxItem.fetchOne(db, key: itemId) else {
                throw TicketError(.notFound, "no outbox item \(itemId)")
            }
            guard item.state != .sent else { return }
            item.markSent(remoteId: remoteId, at: now)
            try item.update(db)
            if var t = try Ticket.fetchOne(db, key: item.ticketId) {
                t.remoteId = remoteId
                t.updatedAt = now
                try t.update(db)
                var e = TicketEvent(ticketId: item.ticketId, at: now, actor: "forwarder", kind: .forwarded,
                                    note: "service_request_id \(remoteId)")
                try e.insert(db)
            }
        }
    }

    public func recordFailure(itemId: Int64, error: String, nextAttemptAt: Date, permanent: Bool) async throws {
        try await writer.write { db in
            guard var item = try OutboxItem.fetchOne(db, key: itemId) else {
                throw TicketError(.notFound, "no outbox item \(itemId)")
            }
            guard item.state == .pending else { return }
            item.markFailedAttempt(error: error, nextAttemptAt: nextAttemptAt, permanent: permanent)
            try item.update(db)
        }
    }

    public func applyRemoteStatus(ticketId: Int64, remoteStatus: String, actor: String) async throws {
        try await writer.write { db in
            guard var t = try Ticket.fetchOne(db, key: ticketId), t.remoteStatus != remoteStatus else { return }
            let now = Date()
            t.remoteStatus = remoteStatus
            t.updatedAt = now
            try t.update(db)
            var e = TicketEvent(ticketId: ticketId, at: now, actor: actor, kind: .remoteStatus, note: remoteStatus)
            try e.insert(db)
            if remoteStatus == "closed", t.status == .dispatched {
                try Self.setStatus(db, &t, .fixed, actor: actor, note: "closed by the external system", at: now)
            }
        }
    }
}
