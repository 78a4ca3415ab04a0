import Logging

/// One frame of a distributed survey, claimed by a worker.
public struct ClaimedJob: Sendable, Hashable {
    /// Job id.
    public var id: Int64
    /// The survey.
    public var surveyId: Int64
    /// The survey's name (ticket events name it).
    public var surveyName: String
    /// The frame's path relative to the survey root.
    public var path: String
    /// Tries so far, this one included.
    public var attempts: Int
    /// The folder the survey was enqueued from (the default survey root).
    public var folder: String?

    /// Creates a claimed job.
    public init(id: Int64, surveyId: Int64, surveyName: String, path: String, attempts: Int, folder: String?) {
        self.id = id
        self.surveyId = surveyId
        self.surveyName = surveyName
        self.path = path
        self.attempts = attempts
        self.folder = folder
    }
}

/// The queue of frame jobs of distributed surveys that a worker drains (`Pipeline.SurveyWorker`); the PostgreSQL
/// store's job table implements it (`PostgresJobQueue`). A job is claimed for a lease, which the worker renews while
/// it analyses the frame, then completed (the frame stored, in the same transaction) or failed (tried again by any
/// worker until `maxAttempts`). Calls may fail while the queue's server is away: the worker makes them through
/// ``retrying(deadline:logger:stop:_:)``.
public protocol JobQueue: Sendable {
    /// Takes the next pending job (or one whose lease ran out) for `lease` seconds; `nil` when none is waiting.
    /// - Parameters: worker: the name recorded on the job; survey: only this survey's jobs (any when `nil`).
    func claimJob(worker: String, lease: Double, maxAttempts: Int, survey: Int64?) async throws -> ClaimedJob?
    /// Extends a held job's lease; `false` when the worker no longer holds it.
    func renewLease(_ job: ClaimedJob, worker: String, lease: Double) async throws -> Bool
    /// Stores a processed frame and marks its job done, in one transaction; `nil` (and nothing stored) when the
    /// worker no longer holds the job.
    func completeJob(_ job: ClaimedJob, worker: String, frame: SurveyBatch.Frame, actor: String) async throws
        -> IngestSummary?
    /// Records a failed try: the job is pending again until `maxAttempts` tries, then failed with `reason`.
    func failJob(_ job: ClaimedJob, worker: String, reason: String, maxAttempts: Int) async throws
    /// Jobs not finished yet (pending or running) of one survey, or of all.
    func unfinishedJobs(survey: Int64?) async throws -> Int
    /// Runs `operation` (calls of this queue) until it succeeds, fails for good, the retries would pass `deadline`,
    /// or `stop()` says to give up; the queue's server being unreachable is retried.
    /// - Throws: the final error.
    func retrying<T: Sendable>(deadline: ContinuousClock.Instant?, logger: Logger, stop: @escaping @Sendable () -> Bool,
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T
    /// Calls `wake` whenever jobs may have been added, until the task is cancelled or `stop()` (reconnecting as
    /// needed).
    func listen(logger: Logger, stop: @escaping @Sendable () -> Bool, wake: @escaping @Sendable () -> Void) async
    /// Closes the queue's connections.
    func close()
}
