import Foundation
import Logging
import Synchronization
import Tickets

/// Settings of a ``SurveyWorker``.
public struct WorkerOptions: Sendable {
    /// Name recorded on the jobs it takes (default: host name and process id).
    public var name: String
    /// Frames processed at once, each on its own thread with its own connection.
    public var threads: Int
    /// Seconds a claimed job stays held without a renewal; renewed every third of it. A worker that dies
    /// holds its jobs at most this long.
    public var lease: Double
    /// Tries of a frame before it is marked failed.
    public var maxAttempts: Int
    /// Exit once no job is pending or running (instead of waiting for new surveys).
    public var untilDone: Bool
    /// Only jobs of this survey (any when `nil`).
    public var survey: Int64?
    /// Seconds between looks at the job table while idle, besides NOTIFY wake-ups (expired leases are only
    /// found by looking).
    public var idlePoll: Double

    /// Creates options.
    public init(name: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)",
                threads: Int = 1, lease: Double = 30, maxAttempts: Int = 3, untilDone: Bool = false,
                survey: Int64? = nil, idlePoll: Double = 2) {
        self.name = name
        self.threads = max(1, threads)
        self.lease = max(1, lease)
        self.maxAttempts = max(1, maxAttempts)
        self.untilDone = untilDone
        self.survey = survey
        self.idlePoll = max(0.05, idlePoll)
    }
}

/// What a worker did.
public struct WorkerSummary: Sendable, Hashable, Codable {
    /// Frames stored.
    public var framesDone = 0
    /// Frames skipped because the same image was stored already.
    public var framesSkipped = 0
    /// Tries that failed (retried or marked failed).
    public var framesFailed = 0
    /// Jobs it lost because its lease ran out before it finished.
    public var jobsLost = 0
    /// Wall time in seconds.
    public var elapsedSeconds = 0.0

    /// Frames stored per second of wall time.
    public var framesPerSecond: Double { elapsedSeconds > 0 ? Double(framesDone) / elapsedSeconds : 0 }
}

/// A flag that asks a worker to stop (set from a SIGTERM handler): it takes no new job, finishes the
/// ones it holds, and returns.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Creates an unset flag.
    public init() {}
    /// Asks to stop.
    public func set() { flag.store(true, ordering: .sequentiallyConsistent) }
    /// Whether stopping was asked.
    public var isSet: Bool { flag.load(ordering: .sequentiallyConsistent) }
}

/// One worker process of a distributed survey: `threads` loops that claim a job from a ``JobQueue``, analyse its
/// frame on a thread of their own (so lease renewals keep running), and store the findings and the job's completion
/// in one transaction. Idle loops sleep until the queue wakes them or the next poll. Every call to the queue goes
/// through its ``JobQueue/retrying(deadline:logger:stop:_:)``, so a queue whose server goes away is waited for.
public final class SurveyWorker: Sendable {
    /// Analyses one frame: `(absolute path, path relative to the survey root)` to the frame and its
    /// content hash. Runs on a thread of its own; a thrown error is the failure reason.
    public typealias Analyse = @Sendable (_ path: String, _ relative: String) throws -> SurveyBatch.Frame

    let queue: any JobQueue
    let options: WorkerOptions
    let root: String?
    let analyse: Analyse
    let logger: Logger
    private let wakeups = Atomic<Int>(0)

    /// Creates a worker on a queue.
    /// - Parameters: root: this machine's path of the survey root (job paths are relative to it); `nil`:
    ///   the folder the survey was enqueued from.
    public init(queue: any JobQueue, options: WorkerOptions, root: String?, logger: Logger, analyse: @escaping Analyse) {
        self.queue = queue
        self.options = options
        self.root = root
        self.analyse = analyse
        self.logger = logger
    }

    /// Runs until `stop` is set (then finishes the jobs in hand) or, with `untilDone`, until no job is left.
    /// - Throws: only final errors of the database (not its being unreachable: that is retried).
    public func run(stop: StopFlag) async throws -> WorkerSummary {
        let started = ContinuousClock.now
        let listener = Task { await listen(stop: stop) }
        defer { listener.cancel() }
        var total = WorkerSummary()
        try await withThrowingTaskGroup(of: WorkerSummary.self) { group in
            for _ in 0..<options.threads { group.addTask { try await self.loop(stop: stop) } }
            for try await s in group {
                total.framesDone += s.framesDone
                total.framesSkipped += s.framesSkipped
                total.framesFailed += s.framesFailed
                total.jobsLost += s.jobsLost
            }
        }
        let elapsed = ContinuousClock.now - started
        total.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return total
    }

    /// Runs `op` on the queue, retrying while its server is away, until it succeeds, a final error, the deadline,
    /// or `stop`.
    func retrying<T: Sendable>(deadline: ContinuousClock.Instant? = nil, logger: Logger, stop: StopFlag? = nil,
                               _ op: @escaping @Sendable (any JobQueue) async throws -> T) async throws -> T {
        let queue = self.queue
        return try await queue.retrying(deadline: deadline, logger: logger, stop: { stop?.isSet ?? false }) {
            try await op(queue)
        }
    }

    /// Listens for new jobs on the queue; each wake-up wakes the idle loops.
    func listen(stop: StopFlag) async {
        await queue.listen(logger: logger, stop: { stop.isSet }) { self.wakeups.add(1, ordering: .relaxed) }
    }

    /// Sleeps up to `seconds`, waking early on a notification or a stop.
    func idle(_ seconds: Double, stop: StopFlag) async {
        let seen = wakeups.load(ordering: .relaxed)
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end, !stop.isSet, wakeups.load(ordering: .relaxed) == seen {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// One thread: claim, analyse, store, until stopped or (with `untilDone`) nothing is left.
    func loop(stop: StopFlag) async throws -> WorkerSummary {
        var summary = WorkerSummary()
        let name = options.name, o = options
        while !stop.isSet {
            let job = try await retrying(logger: logger, stop: stop) {
                try await $0.claimJob(worker: name, lease: o.lease, maxAttempts: o.maxAttempts, survey: o.survey)
            }
            guard let job else {
                if o.untilDone, try await retrying(logger: logger, stop: stop, { try await $0.unfinishedJobs(survey: o.survey) }) == 0 {
                    break
                }
                await idle(o.idlePoll, stop: stop)
                continue
            }
            var jobLogger = logger
            jobLogger[metadataKey: "job.id"] = "\(job.id)"
            jobLogger[metadataKey: "frame.path"] = "\(job.path)"
            let heartbeat = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(Int(o.lease * 1000 / 3)))
                    _ = try? await self.queue.renewLease(job, worker: name, lease: o.lease)
                }
            }
            let outcome = await analyseOnThread(job)
            heartbeat.cancel()
            // Finishing a job in hand: retried until the database answers, or, once stopping, until the
            // lease would have run out anyway (then the job goes back to the queue by itself).
            let deadline: ContinuousClock.Instant? = stop.isSet ? .now + .seconds(o.lease) : nil
            switch outcome {
            case .success(let frame):
                let stored = try await retrying(deadline: deadline, logger: jobLogger) {
                    try await $0.completeJob(job, worker: name, frame: frame, actor: "survey:\(job.surveyName)")
                }
                if let stored {
                    if stored.framesSkipped > 0 { summary.framesSkipped += 1 } else { summary.framesDone += 1 }
                } else {
                    summary.jobsLost += 1
                    jobLogger.info("job lost: its lease ran out and another worker took it")
                }
            case .failure(let error):
                summary.framesFailed += 1
                jobLogger.warning("frame failed", metadata: ["frame.reason": "\(error)", "job.attempt": "\(job.attempts)"])
                try await retrying(deadline: deadline, logger: jobLogger) {
                    try await $0.failJob(job, worker: name, reason: "\(error)", maxAttempts: o.maxAttempts)
                }
            }
        }
        return summary
    }

    /// Runs the analysis on a new thread, so that CPU-bound work never blocks the tasks renewing leases.
    func analyseOnThread(_ job: ClaimedJob) async -> Result<SurveyBatch.Frame, any Error> {
        let path = URL(fileURLWithPath: root ?? job.folder ?? ".").appendingPathComponent(job.path).path
        let analyse = self.analyse
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { try analyse(path, job.path) })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
