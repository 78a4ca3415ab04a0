// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Foundation
import Logging
import PostgresNIO
import Tickets

/// What enqueueing a folder did.
public struct EnqueueSummary: Sendable, Hashable, Codable {
    /// The survey.
    public var surveyId: Int64
    /// Jobs added.
    public var added: Int
    /// Frames that already had a job (enqueueing again adds nothing).
    public var existing: Int
}

/// The job table: one job per frame of a distributed survey, claimed with `FOR UPDATE SKIP LOCKED` under a
/// lease that a live worker renews and a dead one lets expire. `NOTIFY pavewatch_jobs` tells idle workers
/// that there is work.
extension PostgresTicketStore {
    /// The LISTEN/NOTIFY channel of new or returned jobs.
    public static let jobChannel = "pavewatch_jobs"

    /// Registers a survey and one job per frame; paths already enqueued for it are left alone.
    /// - Parameters: folder: recorded for `survey status`; paths: relative to the survey root.
    public func enqueue(surveyName: String, folder: String, paths: [String]) async throws -> EnqueueSummary {
        let logger = self.logger
        return try await write { c in
            let surveyId = try await Self.surveyId(named: surveyName, folder: folder, c, logger: logger)
            var added = 0
            for try await _ in try await c.query("""
                INSERT INTO job (survey_id, path) SELECT \(surveyId), p FROM unnest(\(paths)::text[]) AS p
                ON CONFLICT (survey_id, path) DO NOTHING RETURNING id
                """, logger: logger).decode(Int64.self) { added += 1 }
            if added > 0 { try await Self.notifyJobs(c, logger: logger) }
            return EnqueueSummary(surveyId: surveyId, added: added, existing: paths.count - added)
        }
    }

    static func notifyJobs(_ c: PostgresConnection, logger: Logger) async throws {
        try await c.query("SELECT pg_notify(\(jobChannel), '')", logger: logger)
    }

    /// Claims the oldest job that is pending or whose lease has run out. Jobs whose lease ran out on their
    /// last allowed try are marked failed first (a frame that kills every worker that takes it).
    /// - Parameters: survey: only jobs of this survey (any when `nil`); lease: seconds until it expires.
    public func claimJob(worker: String, lease: Double, maxAttempts: Int, survey: Int64?) async throws -> ClaimedJob? {
        let logger = self.logger
        return try await write { c in
            try await c.query("""
                UPDATE job SET state = 'failed', finished_at = now(),
                       last_error = 'its worker (' || coalesce(worker, '?') || ') stopped answering ' || attempts || ' times'
                WHERE state = 'running' AND lease_until < now() AND attempts >= \(maxAttempts)
                """, logger: logger)
            let rows = try await c.query("""
                UPDATE job SET state = 'running', worker = \(worker), attempts = attempts + 1,
                       lease_until = now() + make_interval(secs => \(lease))
                WHERE id = (SELECT id FROM job
                            WHERE (state = 'pending' OR (state = 'running' AND lease_until < now()))
                              AND (\(survey)::int8 IS NULL OR survey_id = \(survey))
                            ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING id, survey_id, path, attempts, (SELECT name FROM survey WHERE survey.id = job.survey_id),
                          (SELECT folder FROM survey WHERE survey.id = job.survey_id)
                """, logger: logger)
            for try await (id, surveyId, path, attempts, name, folder) in rows.decode((Int64, Int64, String, Int32, String, String?).self) {
                return ClaimedJob(id: id, surveyId: surveyId, surveyName: name, path: path, attempts: Int(attempts), folder: folder)
            }
            return nil
        }
    }

    /// Extends a held job's lease; `false` when the worker no longer holds it.
    public func renewLease(_ job: ClaimedJob, worker: String, lease: Double) async throws -> Bool {
        var held = false
        for try await _ in try await client.query("""
            UPDATE job SET lease_until = now() + make_interval(secs => \(lease))
            WHERE id = \(job.id) AND worker = \(worker) AND state = 'running' RETURNING id
            """, logger: logger).decode(Int64.self) { held = true }
        return held
    }

    /// Stores a processed frame and marks its job done, in one transaction; `nil` (and nothing stored)
    /// when the worker no longer holds the job (its lease ran out and another worker took it).
    public func completeJob(_ job: ClaimedJob, worker: String, frame: SurveyBatch.Frame,
                            actor: String) async throws -> IngestSummary? {
        let model = self.model, logger = self.logger, cache = findings, tickets = decodedTickets
        // A failed transaction empties the finding cache (its ids may be given to other findings).
        do {
            return try await completeJob(job, worker: worker, frame: frame, actor: actor, model: model, cache: cache,
                                         tickets: tickets, logger: logger)
        } catch {
            cache.removeAll()
            throw error
        }
    }

    func completeJob(_ job: ClaimedJob, worker: String, frame: SurveyBatch.Frame, actor: String, model: PriorityModel,
                     cache: FindingCache, tickets: TicketDecodeCache, logger: Logger) async throws -> IngestSummary? {
        try await write { c in
            guard try await Self.holds(job, worker: worker, c, logger: logger) else { return nil }
            let summary = try await Self.ingest([frame], surveyId: job.surveyId, surveyName: job.surveyName, actor: actor,
                                                model: model, at: Date(), c, logger: logger, cache: cache,
                                                tickets: tickets)
            try await c.query("""
                UPDATE job SET state = 'done', finished_at = now(), last_error = NULL, lease_until = NULL WHERE id = \(job.id)
                """, logger: logger)
            return summary
        }
    }

    static func holds(_ job: ClaimedJob, worker: String, _ c: PostgresConnection, logger: Logger) async throws -> Bool {
        for try await _ in try await c.query("""
            SELECT id FROM job WHERE id = \(job.id) AND worker = \(worker) AND state = 'running' FOR UPDATE
            """, logger: logger).decode(Int64.self) { return true }
        return false
    }

    /// Records a failed try: the job is pending again (another worker may take it) until `maxAttempts`
    /// tries, then failed with `reason`.
    public func failJob(_ job: ClaimedJob, worker: String, reason: String, maxAttempts: Int) async throws {
        let logger = self.logger
        try await write { c in
            guard try await Self.holds(job, worker: worker, c, logger: logger) else { return }
            let final = job.attempts >= maxAttempts
            try await c.query("""
                UPDATE job SET state = \(final ? "failed" : "pending"), last_error = \(String(reason.prefix(2000))),
                       lease_until = NULL, finished_at = CASE WHEN \(final) THEN now() END
                WHERE id = \(job.id)
                """, logger: logger)
            if !final { try await Self.notifyJobs(c, logger: logger) }
        }
    }

    /// Gives a held job back untried (a worker shutting down), without counting the try.
    public func releaseJob(_ job: ClaimedJob, worker: String) async throws {
        let logger = self.logger
        try await write { c in
            guard try await Self.holds(job, worker: worker, c, logger: logger) else { return }
            try await c.query("""
                UPDATE job SET state = 'pending', attempts = greatest(attempts - 1, 0), lease_until = NULL WHERE id = \(job.id)
                """, logger: logger)
            try await Self.notifyJobs(c, logger: logger)
        }
    }

    /// Jobs not finished yet (pending or running) of one survey, or of all.
    public func unfinishedJobs(survey: Int64?) async throws -> Int {
        for try await n in try await client.query("""
            SELECT count(*) FROM job WHERE state IN ('pending', 'running') AND (\(survey)::int8 IS NULL OR survey_id = \(survey))
            """, logger: logger).decode(Int64.self) { return Int(n) }
        return 0
    }

    /// Progress of a survey, per worker; `nil` for an unknown id.
    public func progress(survey id: Int64) async throws -> SurveyProgress? {
        try await withConnection { c in
            var p: SurveyProgress?
            for try await (name, folder) in try await c.query("SELECT name, folder FROM survey WHERE id = \(id)",
                                                              logger: self.logger).decode((String, String?).self) {
                p = SurveyProgress(surveyId: id, surveyName: name, folder: folder)
            }
            guard var p else { return nil }
            var workers: [String: SurveyProgress.Worker] = [:]
            for try await (worker, state, n) in try await c.query("""
                SELECT coalesce(worker, ''), state, count(*) FROM job WHERE survey_id = \(id) GROUP BY 1, 2 ORDER BY 1, 2
                """, logger: self.logger).decode((String, String, Int64).self) {
                let n = Int(n)
                switch state {
                case "pending": p.pending += n
                case "running": p.running += n
                case "done": p.done += n
                default: p.failed += n
                }
                guard !worker.isEmpty, state != "pending" else { continue }
                var w = workers[worker] ?? SurveyProgress.Worker(worker: worker)
                switch state {
                case "running": w.running += n
                case "done": w.done += n
                default: w.failed += n
                }
                workers[worker] = w
            }
            p.workers = workers.keys.sorted().map { workers[$0]! }
            for try await (path, attempts, reason) in try await c.query("""
                SELECT path, attempts, coalesce(last_error, '') FROM job WHERE survey_id = \(id) AND state = 'failed' ORDER BY path
                """, logger: self.logger).decode((String, Int32, String).self) {
                p.failures.append(SurveyProgress.Failure(path: path, attempts: Int(attempts), reason: reason))
            }
            return p
        }
    }
}
#endif
