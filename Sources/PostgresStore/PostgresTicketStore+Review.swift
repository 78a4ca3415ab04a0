// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Foundation
import Logging
import PostgresNIO
import Tickets

/// Users, sessions, surveys and merging for the review pages, so `pavewatch serve --db postgres://…` serves
/// the same pages as on SQLite, plus the job progress of distributed surveys.
extension PostgresTicketStore: ReviewStore {
    public func saveUser(_ user: UserAccount) async throws {
        let logger = self.logger
        try await write { c in
            try await c.query("""
                DELETE FROM review_session WHERE user_name = \(user.name) AND EXISTS (
                    SELECT 1 FROM review_user WHERE name = \(user.name)
                    AND (role <> \(user.role.rawValue) OR password_hash <> \(user.passwordHash)))
                """, logger: logger)
            try await c.query("""
                INSERT INTO review_user (name, role, password_hash, created_at)
                VALUES (\(user.name), \(user.role.rawValue), \(user.passwordHash), \(user.createdAt.timeIntervalSinceReferenceDate))
                ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash
                """, logger: logger)
        }
    }

    /// Users matching the query's rows `(name, role, password_hash, created_at)`.
    static func users(_ rows: PostgresRowSequence) async throws -> [UserAccount] {
        var out: [UserAccount] = []
        for try await (name, role, hash, created) in rows.decode((String, String, String, Double).self) {
            guard let role = UserRole(rawValue: role) else {
                throw TicketError(.database, "user \(name) has an unknown role \(role)")
            }
            out.append(UserAccount(name: name, role: role, passwordHash: hash,
                                   createdAt: Date(timeIntervalSinceReferenceDate: created)))
        }
        return out
    }

    public func user(named name: String) async throws -> UserAccount? {
        try await withConnection { c in
            try await Self.users(c.query("""
                SELECT name, role, password_hash, created_at FROM review_user WHERE name = \(name)
                """, logger: self.logger)).first
        }
    }

    public func users() async throws -> [UserAccount] {
        try await withConnection { c in
            try await Self.users(c.query("SELECT name, role, password_hash, created_at FROM review_user ORDER BY name",
                                         logger: self.logger))
        }
    }

    public func createSession(_ session: UserSession) async throws {
        let logger = self.logger
        try await write { c in
            try await c.query("DELETE FROM review_session WHERE expires_at < \(Date().timeIntervalSinceReferenceDate)",
                              logger: logger)
            try await c.query("""
                INSERT INTO review_session (token_hash, user_name, csrf_token, expires_at)
                VALUES (\(session.tokenHash), \(session.userName), \(session.csrfToken), \(session.expiresAt.timeIntervalSinceReferenceDate))
                """, logger: logger)
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> (session: UserSession, user: UserAccount)? {
        try await withConnection { c in
            var found: UserSession?
            for try await (name, csrf, expires) in try await c.query("""
                SELECT user_name, csrf_token, expires_at FROM review_session
                WHERE token_hash = \(tokenHash) AND expires_at > \(now.timeIntervalSinceReferenceDate)
                """, logger: self.logger).decode((String, String, Double).self) {
                found = UserSession(tokenHash: tokenHash, userName: name, csrfToken: csrf,
                                    expiresAt: Date(timeIntervalSinceReferenceDate: expires))
            }
            guard let found else { return nil }
            guard let user = try await Self.users(c.query("""
                SELECT name, role, password_hash, created_at FROM review_user WHERE name = \(found.userName)
                """, logger: self.logger)).first else { return nil }
            return (found, user)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        let logger = self.logger
        try await write { c in
            try await c.query("DELETE FROM review_session WHERE token_hash = \(tokenHash)", logger: logger)
        }
    }

    public func surveys() async throws -> [SurveyRecord] {
        try await withConnection { c in
            var out: [SurveyRecord] = []
            for try await (id, name, started) in try await c.query("SELECT id, name, started_at FROM survey ORDER BY id",
                                                                   logger: self.logger).decode((Int64, String, Double).self) {
                out.append(SurveyRecord(id: id, name: name, startedAt: Date(timeIntervalSinceReferenceDate: started)))
            }
            return out
        }
    }

    /// The survey's job counts; `nil` when it has no jobs (it was not enqueued) or is unknown.
    public func surveyProgress(surveyId: Int64) async throws -> SurveyProgress? {
        guard let p = try await progress(survey: surveyId), p.pending + p.running + p.done + p.failed > 0 else { return nil }
        return p
    }

    public func merge(ticketId source: Int64, into target: Int64, actor: String) async throws -> Ticket {
        guard source != target else {
            throw TicketError(.invalidTransition, "ticket \(source) cannot be merged into itself")
        }
        let logger = self.logger
        return try await write { c in
            // Both rows locked, lower id first, so two opposite merges cannot deadlock.
            var locked: [Int64: Ticket] = [:]
            for id in [source, target].sorted() {
                if let t = try await Self.lockedTicket(id, c, logger: logger) { locked[id] = t }
            }
            guard var from = locked[source] else { throw TicketError(.notFound, "no ticket \(source)") }
            guard var into = locked[target] else { throw TicketError(.notFound, "no ticket \(target)") }
            let now = Date()
            try await c.query("UPDATE finding SET ticket_id = \(target) WHERE ticket_id = \(source)", logger: logger)
            into.sightings += from.sightings
            into.lastSeen = max(into.lastSeen, from.lastSeen)
            into.firstSeen = min(into.firstSeen, from.firstSeen)
            into.updatedAt = now
            try await Self.save(&into, c, logger: logger)
            try await Self.insert(TicketEvent(ticketId: target, at: now, actor: actor, kind: .sighting,
                                              note: "merged ticket \(source) into this one"), c, logger: logger)
            from.sightings = 0
            try await Self.setStatus(&from, .rejected, actor: actor, note: "merged into ticket \(target)", at: now,
                                     c, logger: logger)
            return into
        }
    }
}
#endif
