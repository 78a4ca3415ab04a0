import ArgumentParser
import Codecs
import Foundation
import Geo
import Logging
import Pipeline
import Tickets

/// `pavewatch survey`: runs a survey (the default, ``SurveyCommand``) or shows a distributed one's progress.
struct SurveyGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "survey",
        abstract: "Survey a folder (`survey FOLDER`, the same as `survey run FOLDER`), or show a distributed survey's progress (`survey status ID`).",
        subcommands: [SurveyCommand.self, SurveyStatusCommand.self],
        defaultSubcommand: SurveyCommand.self)
}

/// `pavewatch survey [run] FOLDER`: the main job.
struct SurveyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Inspect every JPEG/PNG below a folder and store ranked, geotagged defect tickets.",
        discussion: """
        Frames are decoded, analysed and geotagged on all cores, and each frame's findings are merged into
        tickets and written to the database before it counts as done. Rerunning the same command resumes:
        frames already stored (same content) are skipped. Frames that cannot be read are listed with the
        reason and the exit status is 1; everything else is kept.

        With --db postgres://... --enqueue, nothing is analysed here: the survey and one job per frame (its
        path relative to FOLDER) go into the job table for `pavewatch worker` processes on any machine that
        sees the folder; enqueueing the same folder again adds nothing. `pavewatch survey status ID` shows
        the progress. (A folder named "status" or "run" is given as ./status or ./run.)
        """)

    @Argument(help: "The survey folder (searched recursively; symbolic links are followed, loops end).")
    var folder: String

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Survey name (default: the folder's name). The same name resumes the same survey.")
    var name: String?

    @Option(help: "Frames analysed at once (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Largest frame accepted, in pixels (decompression-bomb guard).")
    var maxPixels: Int = DecodeOptions.defaultMaxPixels

    @Option(help: "Tickets to list at the end (0 for none).")
    var top = 10

    @Option(help: "Write GeoJSON, CSV and an HTML report with overlays and a map to this folder.")
    var report: String?

    @Option(name: .customLong("inspector"), help: "Which detector runs (detector, or dark-regions to try the pipeline without a model).")
    var inspectorKind: InspectorKind = .detector

    @Option(help: "The detector's model file, or a folder holding it (default: models/).")
    var models: String?

    @Flag(help: "Print the summary as one JSON object (no table, no progress bar).")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false

    @OptionGroup(title: "Camera (over the folder's pavewatch.yaml)") var camera: CameraOverrideOptions

    @Flag(help: "Only register the survey and one job per frame for `pavewatch worker` (needs --db postgres://...).")
    var enqueue = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be positive") }
    }

    func run() async throws {
        if enqueue { return try await runEnqueue() }
        let store = try await database.openStore()
        let settings: SurveySettings
        do { settings = try SurveySettings.load(folder: folder) } catch { throw CommandFailure("\(error)") }
        let inspector = try makeInspector(inspectorKind, modelDirectory: models,
                                          camera: camera.overrides.merged(over: settings.camera))
        let surveyName = name ?? URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        let options = SurveyOptions(surveyName: surveyName, concurrency: threads,
                                    decode: DecodeOptions(maxPixels: maxPixels))
        let runner = SurveyRunner(store: store, inspector: inspector, options: options,
                                  logger: Logger(label: "pavewatch.survey"))
        let progress = ProgressBox(enabled: !json && !quiet)
        let summary = try await runner.run(folder: folder) { event in progress.handle(event) }
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

    func runEnqueue() async throws {
        let store = try await database.openPostgres()
        defer { store.close() }
        let surveyName = name ?? URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        let paths = try FrameDiscovery.relativeFrames(in: folder)
        let s = try await store.enqueue(surveyName: surveyName,
                                        folder: URL(fileURLWithPath: folder).standardizedFileURL.path, paths: paths)
        if json {
            CLIOutput.printJSONLine(s)
        } else {
            print("Survey \(surveyName) (id \(s.surveyId)): \(s.added) jobs added, \(s.existing) already enqueued.")
            print("Run `pavewatch worker --db ... --root \(folder)` on each machine; `pavewatch survey status \(s.surveyId)` shows progress.")
        }
    }

    static func printSummary(_ s: SurveySummary) {
        print("Survey \(s.surveyName): \(s.framesTotal) frames, \(s.framesProcessed) analysed, "
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
    init(enabled: Bool) { self.enabled = enabled }

    func handle(_ event: SurveyProgressEvent) {
        switch event {
        case .started(let total):
            reporter = ProgressReporter(total: total, enabled: enabled)
        case .frameDone(_, let findings, let failed, _):
            reporter?.advance(frames: 1, failures: failed ? 1 : 0, newFindings: findings)
        }
    }

    func finish() { reporter?.finish() }
}
