import Codecs
import Findings
import Foundation
import Logging
import Reports
import Tickets

/// Settings of one survey run.
public struct SurveyOptions: Sendable {
    /// Survey name: a rerun with the same name resumes the same survey.
    public var surveyName: String
    /// Frames processed at once (each on its own core); also the bound on frames held in memory.
    public var concurrency: Int
    /// Decoder limits (the pixel format comes from the inspector).
    public var decode: DecodeOptions
    /// Who the ticket events name.
    public var actor: String

    public init(surveyName: String, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                decode: DecodeOptions = DecodeOptions(), actor: String = "survey") {
        self.surveyName = surveyName
        self.concurrency = max(1, concurrency)
        self.decode = decode
        self.actor = actor
    }
}

/// Runs a survey: every frame of a folder through decode → inspect (geotagged) → store, on all cores.
///
/// Frames are analysed concurrently (at most `concurrency` in flight, so memory does not grow with the
/// folder) and stored one at a time, each in its own transaction: a frame counts as done only once its
/// findings and tickets are durable, so an interrupted run loses at most the frames in flight, and a rerun
/// skips every stored frame by content hash.
public struct SurveyRunner: Sendable {
    public let store: any TicketStore
    public let inspector: any FrameInspector
    public let options: SurveyOptions
    public let logger: Logger

    public init(store: any TicketStore, inspector: any FrameInspector, options: SurveyOptions, logger: Logger) {
        self.store = store
        self.inspector = inspector
        self.options = options
        self.logger = logger
    }

    /// The outcome of one frame's concurrent part.
    enum FrameOutcome: Sendable {
        case analysed(FrameReport, hash: String)
        case skipped
        case failed(String)
    }

    /// Processes every frame below `folder`.
    /// - Parameters: folder: the survey folder; progress: where progress goes (nil = silent).
    /// - Throws: ``PipelineError`` for an unusable folder; errors of the store (a database that is gone).
    ///   Per-frame problems are not thrown: they are listed in the summary's `failures`.
    public func run(folder: String, progress: ((SurveyProgressEvent) -> Void)? = nil) async throws -> SurveySummary {
        let started = Date()
        let frames = try FrameDiscovery.frames(in: folder)
        var summary = SurveySummary(surveyName: options.surveyName)
        summary.framesTotal = frames.count
        progress?(.started(total: frames.count))
        let known = Set(try await store.frames().map(\.contentHash))
        logger.info("survey started", metadata: ["survey.name": "\(options.surveyName)", "survey.frames": "\(frames.count)",
                                                 "survey.alreadyStored": "\(known.count)"])
        let analysis = FrameAnalysis(inspector: inspector, decode: options.decode)
        // Frames analysed in parallel each use one thread; a single frame may use them all.
        let innerThreads = frames.count == 1 ? options.concurrency : 1
        try await BoundedWork.run(frames, width: options.concurrency, work: { path -> FrameOutcome in
            do {
                let input = try analysis.read(path)
                if known.contains(input.hash) { return .skipped }
                let frame = try analysis.analyse(input, file: path, threads: innerThreads)
                return .analysed(frame.report, hash: frame.contentHash)
            } catch {
                return .failed("\(error)")
            }
        }, consume: { path, outcome in
            try await record(outcome, file: path, in: &summary, progress: progress)
        })
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        logger.info("survey finished", metadata: ["survey.name": "\(options.surveyName)",
                                                  "survey.processed": "\(summary.framesProcessed)",
                                                  "survey.failed": "\(summary.failures.count)"])
        return summary
    }

    /// Counts a frame's outcome and stores what it found, in its own transaction (the frame counts as done only
    /// once that is durable).
    /// - Throws: errors of the store.
    func record(_ outcome: FrameOutcome, file path: String, in summary: inout SurveySummary,
                progress: ((SurveyProgressEvent) -> Void)?) async throws
    {
        switch outcome {
        case .skipped:
            summary.framesSkipped += 1
            progress?(.frameDone(file: path, findings: 0, failed: false, skipped: true))
        case .failed(let reason):
            summary.failures.append(FrameFailure(file: path, reason: reason))
            logger.warning("frame failed", metadata: ["frame.file": "\(path)", "frame.reason": "\(reason)"])
            // Kept in the store too, so the survey page lists it (a later success removes it).
            summary.surveyId = try await store.recordFrameFailure(surveyName: options.surveyName, path: path,
                                                                  reason: reason, at: Date())
            progress?(.frameDone(file: path, findings: 0, failed: true, skipped: false))
        case .analysed(let report, let hash):
            summary.addCoverage(of: report)
            if report.noLocation == true || report.latitude == nil { summary.framesWithoutLocation += 1 }
            let batch = SurveyBatch(surveyName: options.surveyName,
                                    frames: [SurveyBatch.Frame(report: report, contentHash: hash)])
            let result = try await store.ingest(batch, actor: options.actor)
            summary.surveyId = result.surveyId
            if result.framesSkipped > 0 {
                summary.framesSkipped += 1
            } else {
                summary.framesProcessed += 1
            }
            summary.findings += result.findingsAdded
            summary.ticketsCreated += result.ticketsCreated
            summary.ticketsUpdated += result.ticketsUpdated
            summary.ticketsReopened += result.ticketsReopened
            progress?(.frameDone(file: path, findings: result.findingsAdded, failed: false, skipped: false))
        }
    }
}

/// Progress events of a survey, for a progress bar.
public enum SurveyProgressEvent: Sendable {
    case started(total: Int)
    /// A video's frames are being taken: `file`, the frames it gives, its length in seconds.
    case videoStarted(file: String, frames: Int, duration: Double)
    /// The video time reached, seconds.
    case videoTime(Double)
    case frameDone(file: String, findings: Int, failed: Bool, skipped: Bool)
}
