import Foundation
import GRDB

extension UserRole: DatabaseValueConvertible {}

extension UserAccount: FetchableRecord, PersistableRecord {
    /// Table name.
    public static let databaseTableName = "reviewUser"
}

extension UserSession: FetchableRecord, PersistableRecord {
    /// Table name.
    public static let databaseTableName = "reviewSession"
}

/// The `review-v1` migration: users and sessions of the review pages.
enum ReviewSchema {
    static func register(in m: inout DatabaseMigrator) {
        m.registerMigration("review-v1") { db in
            try db.create(table: "reviewUser") { t in
                t.column("name", .text).primaryKey()
                t.column("role", .text).notNull()
                t.column("passwordHash", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "reviewSession") { t in
                t.column("tokenHash", .text).primaryKey()
                t.column("userName", .text).notNull().references("reviewUser", onDelete: .cascade)
                t.column("csrfToken", .text).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
        }
    }
}

extension SQLiteTicketStore: ReviewStore {
    public func saveUser(_ user: UserAccount) async throws {
        try await writer.write { db in
            if let old = try UserAccount.fetchOne(db, key: user.name),
               old.passwordHash != user.passwordHash || old.role != user.role {
                try UserSession.filter(Column("userName") == user.name).deleteAll(db)
            }
            try user.save(db)
        }
    }

    public func user(named name: String) async throws -> UserAccount? {
        try await writer.read { db in try UserAccount.fetchOne(db, key: name) }
    }

    public func users() async throws -> [UserAccount] {
        try await writer.read { db in try UserAccount.order(Column("name")).fetchAll(db) }
    }

    public func createSession(_ session: UserSession) async throws {
        try await writer.write { db in
            try UserSession.filter(Column("expiresAt") < Date()).deleteAll(db)
            try session.insert(db)
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> (session: UserSession, user: UserAccount)? {
        try await writer.read { db in
            guard let s = try UserSession.fetchOne(db, key: tokenHash), s.expiresAt > now,
                  let u = try UserAccount.fetchOne(db, key: s.userName) else { return nil }
            return (s, u)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        _ = try await writer.write { db in try UserSession.deleteOne(db, key: tokenHash) }
    }

    public func surveys() async throws -> [SurveyRecord] {
        try await writer.read { db in try SurveyRecord.order(Column("id")).fetchAll(db) }
    }

    /// SQLite surveys run on one machine: there are no jobs.
    public func surveyProgress(surveyId: Int64) async throws -> SurveyProgress? { nil }

    public func merge(ticketId source: Int64, into target: Int64, actor: String) async throws -> Ticket {
        try await writer.write { db in
            guard source != target else {
                throw TicketError(.invalidTransition, "ticket \(source) cannot be merged into itself")
            }
            guard var from = try Ticket.fetchOne(db, key: source) else { throw TicketError(.notFound, "no ticket \(source)") }
            guard var into = try Ticket.fetchOne(db, key: target) else { throw TicketError(.notFound, "no ticket \(target)") }
            let now = Date()
            try db.execute(sql: "UPDATE finding SET ticketId = ? WHERE ticketId = ?", arguments: [target, source])
            into.sightings += from.sightings
            into.lastSeen = max(into.lastSeen, from.lastSeen)
            into.firstSeen = min(into.firstSeen, from.firstSeen)
            into.updatedAt = now
            try into.update(db)
            var note = TicketEvent(ticketId: target, at: now, actor: actor, kind: .sighting,
                                   note: "merged ticket \(source) into this one")
            try note.insert(db)
            from.sightings = 0
            try Self.setStatus(db, &from, .rejected, actor: actor, note: "merged into ticket \(target)", at: now)
            return into
        }
    }
}
