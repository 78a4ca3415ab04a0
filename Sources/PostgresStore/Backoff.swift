// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Logging
import Synchronization
import PostgresNIO
import Tickets

/// Retries an operation on a database that may be restarting: exponential backoff from `initial` to
/// `maximum`, each attempt bounded by `attemptTimeout`, all of them by `deadline` (none: until `stop`).
struct Backoff: Sendable {
    /// Give up (rethrow the last error) once a retry would start after this instant.
    var deadline: ContinuousClock.Instant?
    var initial: Duration = .milliseconds(100)
    var maximum: Duration = .seconds(2)
    var attemptTimeout: Duration = .seconds(10)

    struct AttemptTimedOut: Error, CustomStringConvertible {
        var description: String { "no answer in time" }
    }

    /// Errors that say "try again": the connection failed or closed, the server is starting or shutting
    /// down, or a deadlock or serialization failure rolled the transaction back. Errors of the store's own
    /// (``TicketError``, except `.unavailable`, which wraps such an error), cancellation and other SQL errors are
    /// final.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let e as TicketError: return e.code == .unavailable
        case is CancellationError: return false
        case let e as PostgresTransactionError:
            return isTransient(e.closureError ?? e.commitError ?? e.beginError ?? e.rollbackError ?? e)
        case let e as PSQLError:
            guard e.code == .server, let state = e.serverInfo?[.sqlState] else { return true }
            return state.hasPrefix("08") || state.hasPrefix("57P") || state == "40001" || state == "40P01"
        default: return true
        }
    }

    /// Runs `op` until it succeeds, a final error, the deadline, or `stop()` says to give up.
    /// - Parameter failed: called after each failed attempt with the number of failures so far and the error.
    func retry<T: Sendable>(logger: Logger, peer: PostgresLocation, stop: @Sendable () -> Bool = { false },
                            failed: @Sendable (Int, any Error) async -> Void = { _, _ in },
                            _ op: @escaping @Sendable () async throws -> T) async throws -> T {
        var delay = initial
        var failures = 0
        while true {
            do {
                return try await Self.withTimeout(attemptTimeout, op)
            } catch where Self.isTransient(error) && !Task.isCancelled {
                failures += 1
                await failed(failures, error)
                if stop() { throw error }
                if let deadline, ContinuousClock.now + delay > deadline { throw error }
                logger.info("database unreachable, retrying", metadata: [
                    "db.peer": "\(peer)", "db.error": "\(PostgresTicketStore.describe(error))", "retry.in": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, maximum)
            }
        }
    }

    /// Runs `op`, giving up after `timeout` without waiting for it: a task group would wait for a call
    /// stuck on a connection of a server that died, however it is cancelled. The abandoned call is
    /// cancelled and ends when its connection pool is closed.
    static func withTimeout<T: Sendable>(_ timeout: Duration,
                                         _ op: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Mutex<CheckedContinuation<T, any Error>?>(nil)
        let finish = { @Sendable (result: Result<T, any Error>) -> Bool in
            guard let c = outcome.withLock({ state in defer { state = nil }; return state }) else { return false }
            c.resume(with: result)
            return true
        }
        return try await withCheckedThrowingContinuation { continuation in
            outcome.withLock { $0 = continuation }
            let work = Task {
                do {
                    _ = finish(.success(try await op()))
                } catch {
                    _ = finish(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                if finish(.failure(AttemptTimedOut())) { work.cancel() }
            }
        }
    }
}
#endif
