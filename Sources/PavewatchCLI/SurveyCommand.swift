import ArgumentParser
import Codecs
import Foundation
import Geo
import Inspection
import Logging
import Pipeline
import Reports
import Tickets

/// `pavewatch survey`: runs a survey (the default, ``SurveyCommand``) or shows a distributed one's progress.
struct SurveyGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Survey a folder or a video (`survey PATH`, the same as `survey run PATH`), or show a distributed survey's progress (`survey status ID`).",
        subcommands: [SurveyCommand.self, SurveyStatusCommand.self],
        defaultSubcommand: SurveyCommand.self)
}

/// `pavewatch survey [run] FOLDER|VIDEO`: the main job.
struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Inspect every JPEG/PNG and video below a folder (or one video) and store ranked, geotagged defect tickets.",
        discussion: """
        Frames are decoded, analysed and geotagged on all cores, and each frame's findings are merged into
        tickets and written to the database before it counts as done. Rerunning the same command resumes:
        frames already stored (same content) are skipped. Frames that cannot be read are listed with the
        reason and the exit status is 1; everything else is kept.

        Videos (MP4, MOV, MKV; a folder may mix them with stills) are decoded by ffmpeg (Debian package ffmpeg).
        Each frame is placed by the telemetry at its time: the sidecar with the video's name (.SRT from DJI drones,
        .gpx, NMEA .nmea/.log, .csv) or --telemetry FILE; GPX and NMEA tracks are matched by the video's recording
        time. Frames are taken by ground covered: the next one when the ground moved by half a footprint (a
        hovering drone or a parked car gives one frame), or --every SECONDS / --every-metres M. Video frames carry
        no camera data: give --camera FILE (horizontal_fov or focal_length_px) or --focal-length and
        --sensor-width. For a forward-looking vehicle camera the file also gives height_above_road and pitch; the
        track's heading orients it, and findings where a pixel covers more than detection_limit_mm (default 10)
        are dropped. A video is identified by its content and its frames by number: a rerun skips frames already
        stored. A truncated or corrupt video keeps the frames stored before the damage and is listed as failed;
        frames the telemetry does not cover are stored with "no location".

        With --db postgres://... --enqueue, nothing is analysed here: the survey and one job per frame (its
        path relative to FOLDER) go into the job table for `pavewatch worker` processes on any machine that
        sees the folder; enqueueing the same folder again adds nothing. `pavewatch survey status ID` shows
        the progress. (A folder named "status" or "run" is given as ./status or ./run.)
        """)

    @Argument(help: "The survey folder (searched recursively for stills and videos; symbolic links are followed, loops end), or one video file.")
    var folder: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Survey name (default: the folder's name). The same name resumes the same survey.")
    var name: String?

    @Option(help: "Frames analysed at once (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Tickets to list at the end (0 for none).")
    var top = 10

    @Option(help: "Write GeoJSON, CSV and an HTML report with overlays and a map to this folder.")
    var report: String?

    @OptionGroup var detector: DetectorOptions

    @Flag(help: "Print the summary as one JSON object (no table, no progress bar).")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false

    @OptionGroup(title: "Camera (over the folder's pavewatch.yaml)") var camera: CameraOverrideOptions

    @Option(help: ArgumentHelp("Telemetry of the video (.srt, .gpx, .nmea, .log, .csv; default: the sidecar with the video's name).",
                               valueName: "file"))
    var telemetry: String?

    @Option(name: .customLong("camera"), help: ArgumentHelp("Camera YAML of the videos: horizontal_fov or focal_length_px; for a vehicle camera height_above_road, pitch, roll, yaw_offset, detection_limit_mm.",
                                                            valueName: "file"))
    var videoCamera: String?

    @Option(help: ArgumentHelp("Take a video frame every SECONDS of video (default: by ground covered).", valueName: "seconds"))
    var every: Double?

    @Option(name: .customLong("every-metres"), help: ArgumentHelp("Take a video frame every M metres travelled.", valueName: "m"))
    var everyMetres: Double?

    @Option(help: ArgumentHelp("Seconds added to video time before the telemetry is read (clock offset).", valueName: "seconds"))
    var telemetryOffset: Double = 0

    @Flag(help: "Only register the survey and one job per frame for `pavewatch worker` (needs --db postgres://...).")
    var enqueue = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if every != nil && everyMetres != nil { throw ValidationError("give --every or --every-metres, not both") }
        if let every, !(every > 0) { throw ValidationError("--every must be a positive number of seconds") }
        if let everyMetres, !(everyMetres > 0) { throw ValidationError("--every-metres must be a positive number of metres") }
    }

    func run() async throws {
        if enqueue { return try await runEnqueue() }
        let logger = logging.logger(command: "survey")
        let store = try await database.openStore(logger: logger)
        let isVideo = FrameDiscovery.isVideo(folder) && !FrameDiscovery.isFolder(folder)
        let settingsFolder = isVideo ? (folder as NSString).deletingLastPathComponent : folder
        let settings: SurveySettings
        do { settings = try SurveySettings.load(folder: settingsFolder.isEmpty ? "." : settingsFolder) } catch {
            throw CommandFailure("\(error)")
        }
        let overrides = camera.overrides.merged(over: settings.camera)
        let inspector = try makeInspector(detector.kind, modelDirectory: detector.models, camera: overrides)
        let videoSettings = try videoOptions(overrides: overrides, isVideo: isVideo)
        let surveyName = name ?? URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        let options = SurveyOptions(surveyName: surveyName, concurrency: threads,
                                    decode: detector.decode)
        let runner = SurveyRunner(store: store, inspector: inspector, options: options, logger: logger)
        let progress = ProgressBox(enabled: !json && !quiet)
        let summary: SurveySummary
        do {
            summary = try await runner.run(path: folder, video: videoSettings) { event in progress.handle(event) }
        } catch let e as VideoError {
            progress.finish()
            throw CommandFailure(e.description)
        } catch let e as PipelineError {
            progress.finish()
            throw CommandFailure(e.description)
        } catch let e as CancellationError {
            progress.finish()
            throw e
        } catch {
            // The store failed (a full disk or file-size limit shows as SQLite's "disk I/O error" / "disk is full",
            // a PostgreSQL server gone away): each frame is stored in its own transaction, so what was stored stays.
            progress.finish()
            throw CommandFailure(Self.storeFailure(error, database: database.path))
        }
        progress.finish()
        let top = self.top > 0 ? try await store.tickets(TicketQuery(limit: self.top)) : []
        if let report {
            try await SurveyReport.write(to: report, summary: summary, store: store)
        }
        if json {
            CLIOutput.printJSONLine(SurveyJSON(summary: summary, top: top))
        } else {
            Self.printSummary(summary)
            if !top.isEmpty {
                print("\nTop \(top.count) tickets (all surveys, highest priority first):")
                TicketsCommand.printTable(top)
            }
            if let report { print("\nReport: \(report)/index.html") }
        }
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }

    /// What to tell the user when the store fails in the middle of a survey.
    static func storeFailure(_ error: any Error, database: String) -> String {
        let text = "\(error)"
        let lower = text.lowercased()
        let hint = lower.contains("disk i/o error") || lower.contains("disk is full") || lower.contains("file too large")
            || lower.contains("no space")
            ? "the disk holding it is probably full (or a file-size limit was reached): free space"
            : "check that it is reachable and writable"
        return "\(database): the survey stopped, a frame could not be stored (\(text)). Every frame stored before is "
            + "kept; \(hint), then run the same command again to go on where it stopped."
    }

    /// The video settings of the flags.
    /// - Throws: `CommandFailure` for a camera file that cannot be read; `ValidationError` for --telemetry with a
    ///   folder holding several videos.
    func videoOptions(overrides: CameraOverrides, isVideo: Bool) throws -> VideoSurveyOptions {
        var v = VideoSurveyOptions(telemetry: telemetry, telemetryOffset: telemetryOffset, overrides: overrides)
        if let every { v.sampling = .seconds(every) } else if let everyMetres { v.sampling = .metres(everyMetres) }
        if let path = videoCamera {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot be read") }
            do { v.camera = try VideoCamera.load(yaml: String(decoding: data, as: UTF8.self), file: path) } catch {
                throw CommandFailure("\(error)")
            }
        }
        if telemetry != nil, !isVideo, (try? FrameDiscovery.videos(in: folder).count) ?? 0 > 1 {
            throw ValidationError("--telemetry names one video's track; \(folder) holds several videos (give each a sidecar)")
        }
        return v
    }

    func runEnqueue() async throws {
        #if Postgres
        let store = try await database.openPostgres(logger: logging.logger(command: "survey"))
        defer { store.close() }
        let surveyName = name ?? URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        if FrameDiscovery.isVideo(folder) || !((try? FrameDiscovery.videos(in: folder)) ?? []).isEmpty {
            throw CommandFailure("--enqueue takes folders of stills; survey videos on one machine (without --enqueue)")
        }
        let paths = try FrameDiscovery.relativeFrames(in: folder)
        let s = try await store.enqueue(surveyName: surveyName,
                                        folder: URL(fileURLWithPath: folder).standardizedFileURL.path, paths: paths)
        if json {
            CLIOutput.printJSONLine(s)
        } else {
            print("Survey \(surveyName) (id \(s.surveyId)): \(s.added) jobs added, \(s.existing) already enqueued.")
            print("Run `pavewatch worker --db ... --root \(folder)` on each machine; `pavewatch survey status \(s.surveyId)` shows progress.")
        }
        #else
        throw DatabaseOptions.postgreSQLLeftOut
        #endif
    }

    static func printSummary(_ s: SurveySummary) {
        let videos = s.videos > 0 ? " (\(s.videos) video\(s.videos == 1 ? "" : "s"))" : ""
        print("Survey \(s.surveyName): \(s.framesTotal) frames\(videos), \(s.framesProcessed) analysed, "
              + "\(s.framesSkipped) already stored, \(s.failures.count) failed "
              + "(\(String(format: "%.1f", s.elapsedSeconds)) s, \(String(format: "%.2f", s.framesPerSecond)) frames/s)")
        print("Findings: \(s.findings); tickets: \(s.ticketsCreated) new, \(s.ticketsUpdated) updated"
              + (s.ticketsReopened > 0 ? ", \(s.ticketsReopened) reopened (closed, not fixed)" : ""))
        if let d = s.detectionLimitMm {
            let limit = d.lowerBound == d.upperBound ? String(format: "%.1f", d.lowerBound)
                : String(format: "%.1f-%.1f", d.lowerBound, d.upperBound)
            print(String(format: "Paved surface surveyed: %.0f m²; detection limit %@ mm (narrower cracks may be missed)",
                         s.surveyedAreaM2, limit))
        }
        if s.framesWithoutLeakSearch > 0 {
            print("Leaks not looked for on \(s.framesWithoutLeakSearch) of \(s.framesProcessed) frames analysed: coarser than the "
                  + "leak finder's \(Int(LeakConfiguration().maximumGSDMillimetres)) mm/px (fly lower to survey for leaks)")
        }
        if s.framesWithoutLocation > 0 {
            print("Frames without location: \(s.framesWithoutLocation) (findings kept, in pixels only)")
        }
        for w in s.warnings { print("Warning: \(w)") }
        if !s.failures.isEmpty {
            print("\nFailed frames (kept out; fix or remove them and rerun to resume):")
            for f in s.failures { print("  \(f.file): \(f.reason)") }
        }
    }
}

/// The `--json` output of `survey`.
struct SurveyJSON: Encodable {
    var summary: SurveySummary
    var top: [Ticket]
    var framesPerSecond: Double { summary.framesPerSecond }

    enum CodingKeys: String, CodingKey { case summary, top, framesPerSecond }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(summary, forKey: .summary)
        try c.encode(top, forKey: .top)
        try c.encode(framesPerSecond, forKey: .framesPerSecond)
    }
}

/// Feeds survey events to a progress bar.
final class ProgressBox: @unchecked Sendable {
    private var reporter: ProgressReporter?
    private let enabled: Bool
    private var videoDuration = 0.0
    private var reporterTotal = 0
    init(enabled: Bool) { self.enabled = enabled }

    func handle(_ event: SurveyProgressEvent) {
        switch event {
        case .started(let total):
            reporter = ProgressReporter(total: total, enabled: enabled)
            reporterTotal = total
        case .videoStarted(let file, let frames, let duration):
            // The stills' bar (or the last video's) ends; a folder of videos only has no stills' bar to show.
            if reporterTotal > 0 { reporter?.finish() }
            reporter = ProgressReporter(total: frames, label: "frames taken", enabled: enabled)
            reporterTotal = frames
            videoDuration = duration
            if enabled { FileHandle.standardError.write(Data("\(file):\n".utf8)) }
        case .videoTime(let t):
            reporter?.setNote("video \(ProgressReporter.duration(t))/\(ProgressReporter.duration(videoDuration))")
        case .frameDone(_, let findings, let failed, _):
            reporter?.advance(frames: 1, failures: failed ? 1 : 0, newFindings: findings)
        }
    }

    func finish() { if reporterTotal > 0 { reporter?.finish() } }
}

