import Findings

/// A frame that could not be processed, and why.
public struct FrameFailure: Codable, Sendable, Hashable {
    /// The frame's file (or `VIDEO#frame=N`, or the video).
    public var file: String
    /// Why, for people.
    public var reason: String

    /// Creates a failure of `file` for `reason`.
    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
}

/// What a survey run did.
public struct SurveySummary: Codable, Sendable {
    /// The survey's name (a rerun with the same name resumes it).
    public var surveyName: String
    /// The survey's id in the store, once it has one.
    public var surveyId: Int64?
    /// Frames found in the folder.
    public var framesTotal = 0
    /// Frames analysed and stored in this run.
    public var framesProcessed = 0
    /// Frames skipped because an earlier run stored them (same content hash).
    public var framesSkipped = 0
    /// Frames that failed, with the reason (a video that stopped early is one failure naming the video).
    public var failures: [FrameFailure] = []
    /// Videos surveyed (their frames taken count in ``framesTotal``).
    public var videos = 0
    /// Frames analysed that nothing placed on the ground (no GPS, telemetry not covering them, no camera).
    public var framesWithoutLocation = 0
    /// Problems that did not stop the run: a telemetry file broken part way, a video without telemetry.
    public var warnings: [String] = []
    /// Findings stored in this run.
    public var findings = 0
    /// Tickets this run created.
    public var ticketsCreated = 0
    /// Tickets this run's findings merged into.
    public var ticketsUpdated = 0
    /// Fixed tickets this run saw again and reopened.
    public var ticketsReopened = 0
    /// Wall time of the run, seconds.
    public var elapsedSeconds = 0.0
    /// Paved surface the frames analysed in this run looked at, square metres on the ground (frames without a ground
    /// scale add nothing; overlapping frames count their overlap twice).
    public var surveyedAreaM2 = 0.0
    /// Narrowest and widest detection limit of the frames analysed in this run, millimetres (nil: no frame had a
    /// ground scale).
    public var detectionLimitMm: ClosedRange<Double>?
    /// Frames analysed in this run that were too coarse for the leak finder (``FrameReport/leaksNotLookedFor``).
    public var framesWithoutLeakSearch = 0

    /// A summary of nothing done yet for the survey `surveyName`.
    public init(surveyName: String, surveyId: Int64? = nil) {
        self.surveyName = surveyName
        self.surveyId = surveyId
    }

    /// Adds a frame's surface and detection limit.
    public mutating func addCoverage(of report: FrameReport) {
        surveyedAreaM2 += report.surveyedAreaM2 ?? 0
        if report.leaksNotLookedFor == true { framesWithoutLeakSearch += 1 }
        if let d = report.detectionLimitMm {
            detectionLimitMm = detectionLimitMm.map { min($0.lowerBound, d)...max($0.upperBound, d) } ?? d...d
        }
    }

    /// Frames analysed per second of wall time.
    public var framesPerSecond: Double { elapsedSeconds > 0 ? Double(framesProcessed) / elapsedSeconds : 0 }
}
