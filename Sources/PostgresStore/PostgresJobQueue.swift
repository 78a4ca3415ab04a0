// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Logging
import PostgresNIO
import Synchronization
import Tickets

/// The job table of a PostgreSQL store as the ``JobQueue`` a worker drains. Calls go to the store in use now; when
/// the database goes away they are retried with exponential backoff (up to 2 s apart) until it is back, and after a
/// call that got no answer in 3 s, and after every third failure in a row, the queue opens a new connection pool, so
/// that connections that died with the old server are not waited on. Wake-ups come from `NOTIFY pavewatch_jobs`.
public final class PostgresJobQueue: JobQueue {
    private let current: Mutex<PostgresTicketStore>
    let logger: Logger

    /// A queue on an open store (a worker's pool needs `threads + 2` connections).
    /// - Parameter logger: logs reconnections.
    public init(store: PostgresTicketStore, logger: Logger) {
        current = Mutex(store)
        self.logger = logger
    }

    /// The store in use now.
    var store: PostgresTicketStore { current.withLock { $0 } }

    public func claimJob(worker: String, lease: Double, maxAttempts: Int, survey: Int64?) async throws -> ClaimedJob? {
        try await store.claimJob(worker: worker, lease: lease, maxAttempts: maxAttempts, survey: survey)
    }

    public func renewLease(_ job: ClaimedJob, worker: String, lease: Double) async throws -> Bool {
        try await store.renewLease(job, worker: worker, lease: lease)
    }

    public func completeJob(_ job: ClaimedJob, worker: String, frame: SurveyBatch.Frame, actor: String) async throws
        -> IngestSummary?
    {
        try await store.completeJob(job, worker: worker, frame: frame, actor: actor)
    }

    public func failJob(_ job: ClaimedJob, worker: String, reason: String, maxAttempts: Int) async throws {
        try await store.failJob(job, worker: worker, reason: reason, maxAttempts: maxAttempts)
    }

    public func unfinishedJobs(survey: Int64?) async throws -> Int {
        try await store.unfinishedJobs(survey: survey)
    }

    /// Replaces the connection pool by a new one, if the server answers: after an attempt that got no
    /// answer in time (a connection of the old server is being waited on), or after every third failure.
    func reopen(after failures: Int, _ error: any Error) async {
        guard error is Backoff.AttemptTimedOut || failures % 3 == 0 else { return }
        let old = store
        guard let fresh = try? await old.reopened() else { return }
        // Another thread may have replaced it meanwhile: keep theirs.
        let swapped = current.withLock { now in
            guard now === old else { return false }
            now = fresh
            return true
        }
        old.close()
        guard swapped else { return fresh.close() }
        logger.info("reconnected with a new connection pool", metadata: ["db.peer": "\(fresh.location)"])
    }

    public func retrying<T: Sendable>(deadline: ContinuousClock.Instant?, logger: Logger,
                                      stop: @escaping @Sendable () -> Bool,
                                      _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        var b = Backoff(deadline: deadline)
        b.attemptTimeout = .seconds(3)
        return try await b.retry(logger: logger, peer: store.location, stop: stop,
                                 failed: { await self.reopen(after: $0, $1) }, operation)
    }

    /// LISTEN on the job channel, reconnecting with backoff.
    public func listen(logger: Logger, stop: @escaping @Sendable () -> Bool, wake: @escaping @Sendable () -> Void) async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled && !stop() {
            do {
                try await store.client.withConnection { c in
                    try await c.listen(on: PostgresTicketStore.jobChannel) { notifications in
                        delay = .milliseconds(100)
                        for try await _ in notifications { wake() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("listen failed", metadata: ["db.peer": "\(store.location)", "db.error": "\(PostgresTicketStore.describe(error))"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// Closes the connections of the store in use (the queue may have replaced the one it was given).
    public func close() {
        store.close()
    }
}
#endif
