import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Synchronization
import Tickets

/// Passwords, session cookies and CSRF tokens of the review pages.
///
/// A session cookie (`pw_session`, HttpOnly, SameSite=Strict, Path=/) carries a random 256-bit token; the
/// store keeps its SHA-256 only. Each session has its own CSRF token, which every POST form must send back
/// as the `csrf` field. The login form is protected the same way by a pre-session cookie (`pw_login`).
enum ReviewAuth {
    static let sessionCookie = "pw_session"
    static let loginCookie = "pw_login"

    /// Hashes a password with bcrypt.
    /// - Parameters: cost: bcrypt's log2 work factor (12 for real users; tests use less).
    static func hash(password: String, cost: UInt8 = PasswordHash.defaultCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// The dummy hash at the default cost, made once on first use (a global's lazy initialisation, so callers
    /// that come at the same time wait for the one computation).
    private static let defaultCostDummyHash = hash(password: randomToken(), cost: PasswordHash.defaultCost)

    /// Dummy hashes at other costs, made on first use.
    private static let dummyHashes = Mutex<[UInt8: String]>([:])

    /// A bcrypt hash of a random password with `cost`, checked against when the user name is unknown so that
    /// unknown names cost the same bcrypt work as real ones.
    static func dummyHash(cost: UInt8) -> String {
        if cost == PasswordHash.defaultCost { return defaultCostDummyHash }
        if let h = dummyHashes.withLock({ $0[cost] }) { return h }
        let made = hash(password: randomToken(), cost: cost)
        return dummyHashes.withLock { hashes in
            if let h = hashes[cost] { return h }
            hashes[cost] = made
            return made
        }
    }

    /// Checks a password against a bcrypt hash (false for malformed hashes and passwords over 256 bytes).
    static func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= 256, hash.hasPrefix("$2") else { return false }
        return Bcrypt.verify(password, hash: hash)
    }

    /// A random 256-bit token as 64 hex digits.
    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let v = g.next() as UInt64
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }.joined()
    }

    /// The cookies of a request, by name (the first of each).
    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers[values: .cookie] {
            for part in field.split(separator: ";") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                let name = kv[0].trimmingCharacters(in: .whitespaces)
                if out[name] == nil { out[name] = kv[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return out
    }

    /// A `Set-Cookie` value.
    static func setCookie(_ name: String, _ value: String, maxAge: Int, secure: Bool) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Compares two strings in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// The logged-in user of a request.
struct Viewer: Sendable {
    var user: UserAccount
    var session: UserSession
}

/// bcrypt password hashes for review-page users (used by `pavewatch users add`).
public enum PasswordHash {
    /// The bcrypt cost (log2 rounds) of new passwords unless told otherwise.
    public static let defaultCost: UInt8 = 12

    /// Hashes `password` with bcrypt.
    /// - Parameters:
    ///   - password: at most 72 bytes count (bcrypt's limit).
    ///   - cost: log2 of the rounds; 12 by default.
    public static func make(_ password: String, cost: UInt8 = defaultCost) -> String {
        ReviewAuth.hash(password: password, cost: cost)
    }

    /// Whether `password` matches `hash`.
    public static func verify(_ password: String, hash: String) -> Bool {
        ReviewAuth.verify(password, hash: hash)
    }
}
