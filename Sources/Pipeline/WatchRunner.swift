import Codecs
import Findings
import Foundation
import Geo
import Inspection
import Logging
import Synchronization
import Tickets

/// Settings of `pavewatch watch`.
public struct WatchOptions: Sendable {
    /// Name of the survey the frames are stored under (one per camera).
    public var surveyName: String
    /// Persistence rule: sightings needed (N) ...
    public var persistence: Int
    /// ... within this many latest frames (M).
    public var window: Int
    /// Least pixel-box IoU for two sightings to be the same place.
    public var minimumIoU: Double
    /// Report a confirmed defect again after this many further sightings (0: only when confirmed).
    /// Needs positions (a camera file) for the store to match the known ticket.
    public var resightEvery: Int
    /// Frames received and waiting, at most.
    public var queueCapacity: Int
    /// Drop the oldest waiting frame instead of slowing the source (live cameras).
    public var dropWhenBehind: Bool
    /// Threads the inspector may use per frame.
    public var threads: Int
    /// Decoder limits (the pixel format comes from the inspector).
    public var decode: DecodeOptions
    /// Who the ticket events name.
    public var actor: String

    /// Creates options.
    public init(surveyName: String, persistence: Int = 3, window: Int = 5, minimumIoU: Double = 0.3,
                resightEvery: Int = 0, queueCapacity: Int = 4, dropWhenBehind: Bool = false,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                decode: DecodeOptions = DecodeOptions(), actor: String = "watch") {
        self.surveyName = surveyName
        self.persistence = persistence
        self.window = window
        self.minimumIoU = minimumIoU
        self.resightEvery = resightEvery
        self.queueCapacity = queueCapacity
        self.dropWhenBehind = dropWhenBehind
        self.threads = max(1, threads)
        self.decode = decode
        self.actor = actor
    }
}

/// What a watch run did.
public struct WatchSummary: Codable, Sendable, Hashable {
    /// Frames taken from the source.
    public var framesReceived = 0
    /// Frames decoded and inspected.
    public var framesProcessed = 0
    /// Frames that could not be decoded or inspected.
    public var framesFailed = 0
    /// Frames dropped because processing fell behind a live source.
    public var framesDropped = 0
    /// Findings detected (before the persistence rule).
    public var findings = 0
    /// Findings that passed the rule and were stored.
    public var findingsReported = 0
    public var ticketsCreated = 0
    public var ticketsUpdated = 0
    public var ticketsReopened = 0

    public init() {}
}

/// Runs `pavewatch watch`: frames from a source → decode → inspect → (geotag) → persistence rule → store.
///
/// The source is read by its own task into a bounded ``FrameQueue`` (so reading overlaps processing, and
/// memory holds at most `queueCapacity` frames plus the one being processed); frames are processed one at a
/// time in arrival order, the order the persistence rule needs, each with all `threads`. A frame with
/// reported findings is stored in its own transaction. ``stop()`` (SIGINT / SIGTERM) stops reading, finishes
/// the frames already received, and lets ``run(source:)`` return.
public final class WatchRunner: Sendable {
    public let store: any TicketStore
    public let inspector: any FrameInspector
    /// Fixed-camera geometry: findings get positions, so a defect seen again updates its ticket.
    public let camera: (any GroundProjection)?
    public let options: WatchOptions
    public let metrics: WatchMetrics?
    public let logger: Logger

    private struct Control {
        var stopped = false
        var queue: FrameQueue<WatchFrame>?
        var reader: Task<Void, Never>?
        var sourceError: (any Error)?
    }
    private let control = Mutex(Control())

    /// - Parameters:
    ///   - store: where tickets go.
    ///   - inspector: the detector.
    ///   - camera: fixed-camera geometry, or nil (findings then carry no position).
    ///   - options: the rule and limits.
    ///   - metrics: Prometheus metrics to update, or nil.
    ///   - logger: the run's logger.
    public init(store: any TicketStore, inspector: any FrameInspector, camera: (any GroundProjection)?,
                options: WatchOptions, metrics: WatchMetrics? = nil, logger: Logger) {
        self.store = store
        self.inspector = inspector
        self.camera = camera
        self.options = options
        self.metrics = metrics
        self.logger = logger
    }

    /// Stops reading the source; ``run(source:)`` finishes the frames received and returns. Safe from any thread,
    /// before or during `run`.
    public func stop() {
        let (queue, reader) = control.withLock { c in
            c.stopped = true
            return (c.queue, c.reader)
        }
        reader?.cancel()
        queue?.finish()
    }

    /// Whether ``stop()`` was called.
    public var isStopped: Bool { control.withLock { $0.stopped } }

    /// Processes frames until the source ends or ``stop()`` is called.
    /// - Parameters: source: the frames; onFrame: called after each frame with the summary so far.
    /// - Throws: errors of the source (a folder that vanished) after the received frames are processed; errors of
    ///   the store (a database that is gone). Frames that cannot be decoded or inspected are counted, not thrown.
    public func run<Source: AsyncSequence & Sendable>(source: Source,
                                                      onFrame: (@Sendable (WatchSummary) -> Void)? = nil)
        async throws -> WatchSummary where Source.Element == WatchFrame
    {
        let queue = FrameQueue<WatchFrame>(capacity: options.queueCapacity, dropOldest: options.dropWhenBehind)
        let logger = self.logger
        let metrics = self.metrics
        let reader = Task {
            do {
                for try await frame in source {
                    guard await queue.send(frame) else { break }
                    metrics?.setQueueDepth(queue.count)
                }
            } catch is CancellationError {
            } catch {
                if !Task.isCancelled {
                    self.control.withLock { $0.sourceError = error }
                    logger.error("frame source failed", metadata: ["error": "\(error)"])
                }
            }
            queue.finish()
        }
        let alreadyStopped = control.withLock { c in
            c.queue = queue
            c.reader = reader
            return c.stopped
        }
        if alreadyStopped { stop() }

        var tracker = PersistenceTracker(required: options.persistence, window: options.window,
                                         minimumIoU: options.minimumIoU,
                                         resightEvery: camera == nil ? 0 : options.resightEvery)
        var summary = WatchSummary()
        var decodeOptions = options.decode
        decodeOptions.format = inspector.preferredFormat
        logger.info("watch started", metadata: ["watch.survey": "\(options.surveyName)",
                                                "watch.rule": "\(options.persistence) of \(options.window)",
                                                "watch.geotagged": "\(camera != nil)"])
        var droppedSeen = 0
        while let frame = await queue.next() {
            metrics?.setQueueDepth(queue.count)
            let dropped = queue.droppedCount
            if dropped > droppedSeen {
                metrics?.recordDropped(dropped - droppedSeen)
                summary.framesDropped += dropped - droppedSeen
                droppedSeen = dropped
            }
            summary.framesReceived += 1
            try await process(frame, tracker: &tracker, summary: &summary, decode: decodeOptions)
            onFrame?(summary)
        }
        await reader.value
        logger.info("watch stopped", metadata: ["watch.received": "\(summary.framesReceived)",
                                                "watch.failed": "\(summary.framesFailed)",
                                                "watch.reported": "\(summary.findingsReported)"])
        if let error = control.withLock({ $0.sourceError }) { throw error }
        return summary
    }

    private func process(_ frame: WatchFrame, tracker: inout PersistenceTracker, summary: inout WatchSummary,
                         decode: DecodeOptions) async throws {
        let clock = ContinuousClock()
        var report: FrameReport
        do {
            let start = clock.now
            let image: DecodedImage
            do {
                image = try ImageDecoder.decode(frame.bytes, options: decode)
            } catch {
                metrics?.recordError(.decode)
                throw error
            }
            let decoded = clock.now
            metrics?.decode.record(decoded - start)
            do {
                report = try inspector.inspect(image, file: frame.name, threads: options.threads)
            } catch {
                metrics?.recordError(.inspect)
                throw error
            }
            metrics?.inspect.record(clock.now - decoded)
        } catch {
            summary.framesFailed += 1
            logger.warning("frame failed", metadata: ["frame.id": "\(frame.name)", "frame.reason": "\(error)"])
            // A frame that cannot be read is not evidence either way: the rule's window does not advance.
            return
        }
        summary.framesProcessed += 1
        metrics?.framesProcessed.increment()
        summary.findings += report.findings.count
        for f in report.findings { metrics?.findings(f.defectClass).increment() }

        let due = tracker.observe(report.findings)
        guard !due.isEmpty else { return }
        var findings = due.map { report.findings[$0] }
        if let camera {
            for i in findings.indices where findings[i].location == nil { Detector.geotag(&findings[i], geometry: camera) }
        }
        report.findings = findings
        if report.capturedAt == nil { report.capturedAt = ISO8601DateFormatter().string(from: frame.receivedAt) }
        let batch = SurveyBatch(surveyName: options.surveyName,
                                frames: [SurveyBatch.Frame(report: report, contentHash: ContentHash.sha256Hex(frame.bytes))])
        let start = clock.now
        let result: IngestSummary
        do {
            result = try await store.ingest(batch, actor: options.actor)
        } catch {
            metrics?.recordError(.store)
            throw error
        }
        metrics?.store.record(clock.now - start)
        summary.findingsReported += result.findingsAdded
        summary.ticketsCreated += result.ticketsCreated
        summary.ticketsUpdated += result.ticketsUpdated
        summary.ticketsReopened += result.ticketsReopened
        for f in findings where result.findingsAdded > 0 { metrics?.reported(f.defectClass).increment() }
        if result.ticketsCreated > 0 { metrics?.tickets("created").increment(by: Int64(result.ticketsCreated)) }
        if result.ticketsUpdated > 0 { metrics?.tickets("updated").increment(by: Int64(result.ticketsUpdated)) }
        logger.info("defect reported", metadata: ["frame.id": "\(frame.name)", "findings.count": "\(findings.count)",
                                                  "tickets.created": "\(result.ticketsCreated)",
                                                  "tickets.updated": "\(result.ticketsUpdated)"])
    }
}
