// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Foundation
import PostgresNIO
import Tickets

/// Where a PostgreSQL database is: parsed from a `postgres://user:password@host:port/database` URL.
///
/// Only plain connections are supported (`sslmode` other than `disable` is refused): run workers next to
/// the database or through an SSH or WireGuard tunnel.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port (default 5432).
    public var port: Int
    /// User name.
    public var user: String
    /// Password, if any (never printed).
    public var password: String?
    /// Database name (default: the user name).
    public var database: String

    /// Whether a `--db` value names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ s: String) -> Bool {
        s.hasPrefix("postgres://") || s.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` or `postgresql://` URL.
    /// - Throws: ``TicketError`` `.invalidInput` naming what is wrong (the password is never repeated).
    public init(url: String) throws(TicketError) {
        guard Self.isURL(url), let c = URLComponents(string: url), let host = c.host, !host.isEmpty else {
            throw TicketError(.invalidInput, "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard let user = c.user, !user.isEmpty else {
            throw TicketError(.invalidInput, "the PostgreSQL URL needs a user name (postgres://USER@\(host)/...)")
        }
        for item in c.queryItems ?? [] where item.name == "sslmode" && item.value != "disable" {
            throw TicketError(.invalidInput, "sslmode=\(item.value ?? "") is not supported; use sslmode=disable over a trusted network or a tunnel")
        }
        self.host = host
        self.port = c.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = c.password.map { $0.removingPercentEncoding ?? $0 }
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        self.database = path.isEmpty ? self.user : path
    }

    /// `host:port/database`, for messages (no user or password).
    public var description: String { "postgres://\(host):\(port)/\(database)" }

    /// The postgres-nio client configuration: no TLS, short connect timeout so that a database that is down
    /// is noticed quickly (callers retry with backoff).
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var c = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                             database: database, tls: .disable)
        c.options.connectTimeout = .seconds(3)
        c.options.maximumConnections = max(2, maximumConnections)
        c.options.connectionIdleTimeout = .seconds(30)
        c.options.keepAliveBehavior = .init(frequency: .seconds(10))
        return c
    }
}
#endif
