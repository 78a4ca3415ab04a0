import Foundation

/// A role of a review-page user; each includes the rights of the ones before it.
public enum UserRole: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// May read every page.
    case viewer
    /// May also confirm, reject, dispatch, merge and mark tickets fixed.
    case reviewer
    /// May also manage users.
    case admin

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: UserRole, b: UserRole) -> Bool { a.rank < b.rank }
}

/// A user of the review pages. The password is stored only as a bcrypt hash.
public struct UserAccount: Codable, Sendable, Hashable {
    /// Unique login name (also the actor of every event the user causes).
    public var name: String
    /// Role.
    public var role: UserRole
    /// bcrypt hash (`$2b$...`).
    public var passwordHash: String
    /// Creation time.
    public var createdAt: Date

    /// Creates an account.
    public init(name: String, role: UserRole, passwordHash: String, createdAt: Date = Date()) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A login session. The cookie holds a random token; the store keeps only its SHA-256.
public struct UserSession: Codable, Sendable, Hashable {
    /// Lowercase hex SHA-256 of the cookie token.
    public var tokenHash: String
    /// The user's name.
    public var userName: String
    /// The token every state-changing form must carry.
    public var csrfToken: String
    /// When the session ends.
    public var expiresAt: Date

    /// Creates a session.
    public init(tokenHash: String, userName: String, csrfToken: String, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.userName = userName
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
}

/// What the review pages need beyond ``TicketStore``: users, sessions, surveys and merging. Kept apart so
/// each database backend can add it on its own; ``SQLiteTicketStore`` and the PostgreSQL store implement it.
public protocol ReviewStore: TicketStore {
    /// Adds a user, or replaces the role and password of an existing one. When either changes, every session
    /// of that user ends (in the same transaction), so a new password or a lower role takes effect at once.
    func saveUser(_ user: UserAccount) async throws
    /// One user by name.
    func user(named name: String) async throws -> UserAccount?
    /// Every user, by name.
    func users() async throws -> [UserAccount]
    /// Stores a new session.
    func createSession(_ session: UserSession) async throws
    /// The live session with this token hash and its user (`nil` when unknown or expired at `now`).
    func session(tokenHash: String, now: Date) async throws -> (session: UserSession, user: UserAccount)?
    /// Ends a session.
    func deleteSession(tokenHash: String) async throws
    /// Every survey, oldest first.
    func surveys() async throws -> [SurveyRecord]
    /// Job progress of a survey that workers share (`nil` for a survey without jobs, or a store without a job
    /// table, such as SQLite).
    func surveyProgress(surveyId: Int64) async throws -> SurveyProgress?
    /// Merges ticket `source` into `target`: its findings move to `target`, whose sightings and last-seen
    /// time are updated; `source` becomes `rejected` with a note naming `target`. Both get an event by `actor`.
    /// - Throws: ``TicketError`` `.notFound` for an unknown id, `.invalidTransition` when both are the same.
    func merge(ticketId source: Int64, into target: Int64, actor: String) async throws -> Ticket
}
