// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Findings
import Foundation
import Geodesy
import Logging
import PostgresNIO
import Tickets

/// The ticket store on a PostgreSQL server, for several machines sharing surveys (its job table is the ``PostgresJobQueue`` that `pavewatch worker` drains).
///
/// It implements ``TicketStore`` with the same merging rules as ``SQLiteTicketStore`` (both use
/// ``IngestPlan``); every method runs in one transaction that has committed when it returns. Connections come
/// from a postgres-nio pool of at most `maximumConnections`, reconnecting after the server restarts.
/// Call ``close()`` when done.
public final class PostgresTicketStore: TicketStore {
    /// The database, for messages.
    public let location: PostgresLocation
    /// Severity and priority model applied on every change.
    public let model: PriorityModel
    /// Pool size.
    public let maximumConnections: Int
    /// The longest one operation (a transaction, a query) may take before it is abandoned with
    /// ``TicketError`` `.unavailable`: a call on a connection whose server died can otherwise wait forever.
    public let operationTimeout: Duration
    /// Decoded findings for the merge (see ``FindingCache``).
    let findings = FindingCache()
    /// Decoded candidate tickets for the merge (see ``TicketDecodeCache``).
    let decodedTickets = TicketDecodeCache()
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects, waits until the server answers (up to `timeout`), and migrates the schema.
    /// - Parameters: maximumConnections: pool size (a worker needs one per thread plus one to listen);
    ///   timeout: how long to wait for the server at first; operationTimeout: see ``operationTimeout``.
    /// - Throws: ``TicketError`` `.database` naming the server when it cannot be reached or migrated.
    public init(location: PostgresLocation, model: PriorityModel = PriorityModel(), maximumConnections: Int = 4,
                timeout: Duration = .seconds(20), operationTimeout: Duration = .seconds(300), logger: Logger) async throws {
        self.location = location
        self.model = model
        self.logger = logger
        self.maximumConnections = maximumConnections
        self.operationTimeout = operationTimeout
        let client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: maximumConnections),
                                    backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        // Connection failures come back at once and are retried until `timeout`; an attempt that is merely slow (a
        // busy server migrating, or waiting for another store's migration) may use the whole of it.
        do {
            try await Backoff(deadline: .now + timeout, attemptTimeout: timeout).retry(logger: logger, peer: location) {
                try await client.withConnection { c in try await PostgresSchema.migrate(c, logger: logger) }
            }
        } catch {
            runner.cancel()
            throw TicketError(.database, "cannot open the PostgreSQL database: \(Self.describe(error)); check that the server runs and the URL, user and password are right",
                              location: location.description)
        }
    }

    /// Opens the database named by a `postgres://` URL.
    /// - Throws: ``TicketError`` `.invalidInput` for a malformed URL, `.database` when unreachable.
    public convenience init(url: String, model: PriorityModel = PriorityModel(), maximumConnections: Int = 4,
                            logger: Logger) async throws {
        try await self.init(location: try PostgresLocation(url: url), model: model,
                            maximumConnections: maximumConnections, logger: logger)
    }

    /// A new store on the same database with a new connection pool (for a worker whose pool stopped
    /// answering after the server restarted); the caller closes this one.
    /// - Throws: ``TicketError`` `.database` when the server cannot be reached within `timeout`.
    public func reopened(timeout: Duration = .seconds(5)) async throws -> PostgresTicketStore {
        try await PostgresTicketStore(location: location, model: model, maximumConnections: maximumConnections,
                                      timeout: timeout, operationTimeout: operationTimeout, logger: logger)
    }

    /// Closes every connection.
    public func close() {
        runner.cancel()
    }

    deinit { runner.cancel() }

    /// A readable text for a postgres-nio error: the server's message where there is one.
    public static func describe(_ error: any Error) -> String {
        if let e = error as? PostgresTransactionError {
            return describe(e.closureError ?? e.commitError ?? e.beginError ?? e.rollbackError ?? error)
        }
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(e.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }

    /// Runs `body` in a transaction on `connection`; the body's own error is rethrown as it is (postgres-nio
    /// wraps it in `PostgresTransactionError`).
    static func transaction<T: Sendable>(_ connection: PostgresConnection, logger: Logger,
                                         _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await connection.withTransaction(logger: logger) { c in try await body(c) }
        } catch let e as PostgresTransactionError {
            if let inner = e.closureError, inner is TicketError || inner is CancellationError { throw inner }
            throw e
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withConnection { c in try await Self.transaction(c, logger: logger, body) }
    }

    /// Runs `body` on a pooled connection, within ``operationTimeout``. postgres-nio's errors come back as a
    /// ``TicketError`` naming the server: `.unavailable` when the connection failed, closed or timed out (or the
    /// server is restarting, or a deadlock rolled the transaction back), `.database` for other SQL errors.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = self.client
        do {
            return try await Backoff.withTimeout(operationTimeout) { try await client.withConnection(body) }
        } catch let e as TicketError {
            throw e
        } catch let e as CancellationError {
            throw e
        } catch {
            let lost = "nothing of the operation was stored, try again when the server is back"
            if error is Backoff.AttemptTimedOut {
                throw TicketError(.unavailable, "the PostgreSQL server did not answer within \(operationTimeout); \(lost)",
                                  location: location.description)
            }
            guard Backoff.isTransient(error) else { throw TicketError(.database, Self.describe(error), location: location.description) }
            throw TicketError(.unavailable, "the PostgreSQL server is unavailable (\(Self.describe(error))); \(lost)",
                              location: location.description)
        }
    }

    // MARK: Records as rows

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return e
    }()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Inserts (id `nil`) or updates a ticket, keeping the query columns (and the extent the merge searches,
    /// ``IngestPlan/extent(of:)``) in step with its JSON. A new ticket takes its id from the sequence first, so
    /// that its JSON carries it from the one statement that inserts it.
    static func save(_ t: inout Ticket, _ c: PostgresConnection, logger: Logger) async throws {
        let reach = (t.uncertaintyM ?? 0) + t.radiusM
        let e = IngestPlan.extent(of: t)
        if let id = t.id {
            try await c.query("""
                UPDATE ticket SET class = \(t.defectClass.rawValue), status = \(t.status.rawValue), priority = \(t.priority),
                       latitude = \(t.latitude), longitude = \(t.longitude), reach = \(reach),
                       extent = box(point(\(e?.minLongitude), \(e?.minLatitude)), point(\(e?.maxLongitude), \(e?.maxLatitude))),
                       external_key = \(t.externalKey), data = \(try json(t))::jsonb
                WHERE id = \(id)
                """, logger: logger)
        } else {
            let rows = try await c.query("""
                INSERT INTO ticket (id, class, status, priority, latitude, longitude, reach, extent, created_at, external_key, data)
                SELECT n, \(t.defectClass.rawValue), \(t.status.rawValue), \(t.priority), \(t.latitude), \(t.longitude), \(reach),
                       box(point(\(e?.minLongitude), \(e?.minLatitude)), point(\(e?.maxLongitude), \(e?.maxLatitude))),
                       \(t.createdAt.timeIntervalSinceReferenceDate), \(t.externalKey),
                       jsonb_set(\(try json(t))::jsonb, '{id}', to_jsonb(n))
                FROM nextval(pg_get_serial_sequence('ticket', 'id')) AS n
                RETURNING id
                """, logger: logger)
            for try await id in rows.decode(Int64.self) { t.id = id }
        }
    }

    /// The extent a finding is indexed under (``IngestPlan/extent(around:metres:)`` of its centre and reach);
    /// `nil` without a location.
    static func extent(of f: Finding) -> IngestPlan.Extent? {
        IngestPlan.position(of: f).map {
            IngestPlan.extent(around: GeoPoint(latitude: $0.latitude, longitude: $0.longitude), metres: $0.reachM)
        }
    }

    static func insert(_ e: TicketEvent, _ c: PostgresConnection, logger: Logger) async throws {
        try await c.query("INSERT INTO ticket_event (ticket_id, data) VALUES (\(e.ticketId), \(try json(e))::jsonb)",
                          logger: logger)
    }

    static func setStatus(_ t: inout Ticket, _ status: TicketStatus, actor: String, note: String?, at now: Date,
                          _ c: PostgresConnection, logger: Logger) async throws {
        let e = TicketEvent(ticketId: t.id!, at: now, actor: actor, kind: .status, fromStatus: t.status,
                            toStatus: status, note: note)
        t.status = status
        t.updatedAt = now
        try await save(&t, c, logger: logger)
        try await insert(e, c, logger: logger)
    }

    /// Decodes `(id, data::text)` rows, setting each record's id from its column.
    static func records<T: Decodable>(_ rows: PostgresRowSequence, _ type: T.Type,
                                      id: WritableKeyPath<T, Int64?>) async throws -> [T] {
        var out: [T] = []
        for try await (rowId, text) in rows.decode((Int64, String).self) {
            var r = try decode(T.self, text)
            r[keyPath: id] = rowId
            out.append(r)
        }
        return out
    }

    static func lockedTicket(_ id: Int64, _ c: PostgresConnection, logger: Logger) async throws -> Ticket? {
        try await records(c.query("SELECT id, data::text FROM ticket WHERE id = \(id) FOR UPDATE", logger: logger),
                          Ticket.self, id: \.id).first
    }

    // MARK: Reading

    public func ticket(id: Int64) async throws -> Ticket? {
        try await tickets(TicketQuery(ids: [id])).first
    }

    public func tickets(_ q: TicketQuery) async throws -> [Ticket] {
        let statuses = q.statuses.map(\.rawValue), classes = q.classes.map(\.rawValue)
        let limit = q.limit.map { max(0, $0) }
        return try await withConnection { c in
            try await Self.records(c.query("""
                SELECT id, data::text FROM ticket
                WHERE (cardinality(\(statuses)::text[]) = 0 OR status = ANY(\(statuses)))
                  AND (cardinality(\(classes)::text[]) = 0 OR class = ANY(\(classes)))
                  AND (cardinality(\(q.ids)::int8[]) = 0 OR id = ANY(\(q.ids)))
                  AND (\(q.createdFrom?.timeIntervalSinceReferenceDate)::float8 IS NULL
                       OR created_at >= \(q.createdFrom?.timeIntervalSinceReferenceDate))
                  AND (\(q.createdTo?.timeIntervalSinceReferenceDate)::float8 IS NULL
                       OR created_at <= \(q.createdTo?.timeIntervalSinceReferenceDate))
                ORDER BY CASE WHEN \(q.orderByPriority) THEN priority ELSE 0 END DESC, id
                LIMIT \(limit)
                """, logger: self.logger), Ticket.self, id: \.id)
        }
    }

    public func events(ticketId: Int64) async throws -> [TicketEvent] {
        try await withConnection { c in
            try await Self.records(c.query("SELECT id, data::text FROM ticket_event WHERE ticket_id = \(ticketId) ORDER BY id",
                                           logger: self.logger), TicketEvent.self, id: \.id)
        }
    }

    public func findings(ticketId: Int64) async throws -> [FindingRecord] {
        try await withConnection { c in
            try await Self.findings(c.query("""
                SELECT id, frame_id, ticket_id, data::text FROM finding WHERE ticket_id = \(ticketId) ORDER BY id
                """, logger: self.logger))
        }
    }

    public func allFindings() async throws -> [FindingRecord] {
        try await withConnection { c in
            try await Self.findings(c.query("SELECT id, frame_id, ticket_id, data::text FROM finding ORDER BY id", logger: self.logger))
        }
    }

    public func allEvents() async throws -> [TicketEvent] {
        try await withConnection { c in
            try await Self.records(c.query("SELECT id, data::text FROM ticket_event ORDER BY id", logger: self.logger),
                                   TicketEvent.self, id: \.id)
        }
    }

    static func findings(_ rows: PostgresRowSequence) async throws -> [FindingRecord] {
        var out: [FindingRecord] = []
        for try await (id, frameId, ticketId, text) in rows.decode((Int64, Int64, Int64?, String).self) {
            out.append(FindingRecord(id: id, frameId: frameId, ticketId: ticketId, finding: try decode(Finding.self, text)))
        }
        return out
    }

    /// Every stored frame, in insertion order.
    public func frames() async throws -> [FrameRecord] {
        try await withConnection { c in
            try await Self.records(c.query("SELECT id, data::text FROM frame ORDER BY id", logger: self.logger),
                                   FrameRecord.self, id: \.id)
        }
    }

    // MARK: Life cycle

    public func transition(ticketId: Int64, to status: TicketStatus, actor: String, note: String?) async throws -> Ticket {
        let logger = self.logger
        return try await write { c in
            guard var t = try await Self.lockedTicket(ticketId, c, logger: logger) else {
                throw TicketError(.notFound, "no ticket \(ticketId)")
            }
            guard t.status.canMove(to: status) else {
                throw TicketError(.invalidTransition, "ticket \(ticketId): \(t.status.rawValue) → \(status.rawValue) is not allowed")
            }
            let now = Date()
            try await Self.setStatus(&t, status, actor: actor, note: note, at: now, c, logger: logger)
            if status == .dispatched { try await Self.enqueueOutbox(ticketId: ticketId, at: now, c, logger: logger) }
            return t
        }
    }

    static func enqueueOutbox(ticketId: Int64, at now: Date, _ c: PostgresConnection, logger: Logger) async throws {
        var instance = "0"
        for try await v in try await c.query("SELECT value FROM pw_meta WHERE key = 'instanceId'", logger: logger)
            .decode(String.self) { instance = v }
        let item = OutboxItem.pending(ticketId: ticketId, instanceId: instance, at: now)
        try await c.query("""
            INSERT INTO outbox (ticket_id, state, next_attempt_at, data)
            VALUES (\(ticketId), \(item.state.rawValue), \(now.timeIntervalSinceReferenceDate), \(try json(item))::jsonb)
            ON CONFLICT (ticket_id) DO NOTHING
            """, logger: logger)
    }

    public func rerank(_ model: PriorityModel) async throws {
        let logger = self.logger
        try await write { c in
            let all = try await Self.records(c.query("SELECT id, data::text FROM ticket ORDER BY id FOR UPDATE", logger: logger),
                                             Ticket.self, id: \.id)
            for var t in all {
                let before = t
                model.rank(&t)
                if t != before { try await Self.save(&t, c, logger: logger) }
            }
        }
    }

    // MARK: Open311

    public func createServiceRequest(_ input: ServiceRequestInput, actor: String) async throws -> (ticket: Ticket, created: Bool) {
        let logger = self.logger
        let request = Ticket.serviceRequest(input, model: model, at: Date())
        return try await write { c in
            var t = request
            if let key = input.idempotencyKey {
                // Concurrent requests with one key: the second waits for the first's row, then finds it.
                try await c.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
                if let existing = try await Self.records(c.query("SELECT id, data::text FROM ticket WHERE external_key = \(key)",
                                                                 logger: logger), Ticket.self, id: \.id).first {
                    return (existing, false)
                }
            }
            try await Self.save(&t, c, logger: logger)
            try await Self.insert(TicketEvent(ticketId: t.id!, at: t.createdAt, actor: actor, kind: .created, toStatus: .new,
                                              note: "Open311 service request"), c, logger: logger)
            return (t, true)
        }
    }

    // MARK: Outbox

    static func save(_ item: OutboxItem, _ c: PostgresConnection, logger: Logger) async throws {
        try await c.query("""
            UPDATE outbox SET state = \(item.state.rawValue), next_attempt_at = \(item.nextAttemptAt.timeIntervalSinceReferenceDate),
                   data = \(try json(item))::jsonb
            WHERE id = \(item.id!)
            """, logger: logger)
    }

    static func outboxItem(_ id: Int64, _ c: PostgresConnection, logger: Logger) async throws -> OutboxItem? {
        try await records(c.query("SELECT id, data::text FROM outbox WHERE id = \(id) FOR UPDATE", logger: logger),
                          OutboxItem.self, id: \.id).first
    }

    public func claimOutboxItems(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem] {
        let logger = self.logger
        return try await write { c in
            var items = try await Self.records(c.query("""
                SELECT id, data::text FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= \(now.timeIntervalSinceReferenceDate)
                ORDER BY next_attempt_at, id LIMIT \(max(0, limit)) FOR UPDATE SKIP LOCKED
                """, logger: logger), OutboxItem.self, id: \.id)
            for i in items.indices {
                items[i].nextAttemptAt = now.addingTimeInterval(lease)
                try await Self.save(items[i], c, logger: logger)
            }
            return items
        }
    }

    public func outboxItems() async throws -> [OutboxItem] {
        try await withConnection { c in
            try await Self.records(c.query("SELECT id, data::text FROM outbox ORDER BY id", logger: self.logger),
                                   OutboxItem.self, id: \.id)
        }
    }

    public func nextOutboxAttempt() async throws -> Date? {
        try await withConnection { c in
            var next: Double?
            for try await v in try await c.query("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'",
                                                 logger: self.logger).decode(Double?.self) { next = v }
            return next.map(Date.init(timeIntervalSinceReferenceDate:))
        }
    }

    public func recordDelivery(itemId: Int64, remoteId: String, at now: Date) async throws {
        let logger = self.logger
        try await write { c in
            guard var item = try await Self.outboxItem(itemId, c, logger: logger) else {
                throw TicketError(.notFound, "no outbox item \(itemId)")
            }
            guard item.state != .sent else { return }
            item.markSent(remoteId: remoteId, at: now)
            try await Self.save(item, c, logger: logger)
            if var t = try await Self.lockedTicket(item.ticketId, c, logger: logger) {
                t.remoteId = remoteId
                t.updatedAt = now
                try await Self.save(&t, c, logger: logger)
                try await Self.insert(TicketEvent(ticketId: item.ticketId, at: now, actor: "forwarder", kind: .forwarded,
                                                  note: "service_request_id \(remoteId)"), c, logger: logger)
            }
        }
    }

    public func recordFailure(itemId: Int64, error: String, nextAttemptAt: Date, permanent: Bool) async throws {
        let logger = self.logger
        try await write { c in
            guard var item = try await Self.outboxItem(itemId, c, logger: logger) else {
                throw TicketError(.notFound, "no outbox item \(itemId)")
            }
            guard item.state == .pending else { return }
            item.markFailedAttempt(error: error, nextAttemptAt: nextAttemptAt, permanent: permanent)
            try await Self.save(item, c, logger: logger)
        }
    }

    public func applyRemoteStatus(ticketId: Int64, remoteStatus: String, actor: String) async throws {
        let logger = self.logger
        try await write { c in
            guard var t = try await Self.lockedTicket(ticketId, c, logger: logger), t.remoteStatus != remoteStatus else { return }
            let now = Date()
            t.remoteStatus = remoteStatus
            t.updatedAt = now
            try await Self.save(&t, c, logger: logger)
            try await Self.insert(TicketEvent(ticketId: ticketId, at: now, actor: actor, kind: .remoteStatus, note: remoteStatus),
                                  c, logger: logger)
            if remoteStatus == "closed", t.status == .dispatched {
                try await Self.setStatus(&t, .fixed, actor: actor, note: "closed by the external system", at: now, c, logger: logger)
            }
        }
    }
}
#endif
