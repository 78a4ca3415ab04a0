import Foundation

/// Progress of a distributed survey (a survey whose frames are jobs that workers claim; see `pavewatch worker`).
public struct SurveyProgress: Sendable, Hashable, Codable {
    /// Jobs of one worker.
    public struct Worker: Sendable, Hashable, Codable {
        /// Worker name.
        public var worker: String
        /// Jobs it finished.
        public var done = 0
        /// Jobs it holds now.
        public var running = 0
        /// Jobs that failed for good on it.
        public var failed = 0

        /// A worker with no job counted yet.
        public init(worker: String) {
            self.worker = worker
        }
    }
    /// A frame that failed for good.
    public struct Failure: Sendable, Hashable, Codable {
        /// Path relative to the survey root.
        public var path: String
        /// Tries made.
        public var attempts: Int
        /// Why.
        public var reason: String

        /// Creates a failure.
        public init(path: String, attempts: Int, reason: String) {
            self.path = path
            self.attempts = attempts
            self.reason = reason
        }
    }

    /// Survey id.
    public var surveyId: Int64
    /// Survey name.
    public var surveyName: String
    /// The folder it was enqueued from (on the enqueueing machine).
    public var folder: String?
    /// Jobs waiting (including those to retry).
    public var pending = 0
    /// Jobs held by a worker.
    public var running = 0
    /// Jobs finished.
    public var done = 0
    /// Jobs failed for good.
    public var failed = 0
    /// Per worker, by name.
    public var workers: [Worker] = []
    /// The failed frames.
    public var failures: [Failure] = []

    /// An empty progress record.
    public init(surveyId: Int64, surveyName: String, folder: String?) {
        self.surveyId = surveyId
        self.surveyName = surveyName
        self.folder = folder
    }
}

