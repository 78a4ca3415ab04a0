import ArgumentParser
import Findings
import Foundation
import Tickets

/// `pavewatch import FILE.json...`: stores `pavewatch inspect --json` output and merges it into tickets.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import inspect JSON (one frame object or an array of them per file) into the ticket store.",
        discussion: """
        A frame is identified by the SHA-256 of its image file (found next to the JSON file or as given), or of
        its report when the image is absent: importing the same frames again adds nothing.
        """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Argument(help: "JSON files written by `pavewatch inspect --json`.")
    var files: [String]

    @Option(help: "Survey name (default: import-YYYY-MM-DD).")
    var survey: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "Ingest each frame in its own transaction, as `pavewatch survey` does (counts of updated tickets are then summed over frames).")
    var perFrame = false

    func run() async throws {
        var frames: [SurveyBatch.Frame] = []
        let decoder = JSONDecoder()
        for file in files {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure("\(file): cannot read (\(error.localizedDescription))")
            }
            let reports: [FrameReport]
            do {
                if data.first(where: { !$0.isWhitespace }) == UInt8(ascii: "[") {
                    reports = try decoder.decode([FrameReport].self, from: data)
                } else {
                    reports = [try decoder.decode(FrameReport.self, from: data)]
                }
            } catch {
                throw CommandFailure("\(file): not inspect JSON (\(error))")
            }
            let dir = URL(fileURLWithPath: file).deletingLastPathComponent()
            let hashes = await Self.hashes(reports, near: dir)
            for (r, h) in zip(reports, hashes) { frames.append(.init(report: r, contentHash: h)) }
        }
        let name = survey ?? "import-" + String(CLIOutput.iso8601(Date()).prefix(10))
        let store = try await database.openStore(logger: logging.logger(command: "import"))
        let who = ProcessInfo.processInfo.environment["USER"].map { "import:\($0)" } ?? "import"
        let s = perFrame ? try await Self.ingestEach(frames, surveyName: name, into: store, actor: who)
            : try await store.ingest(SurveyBatch(surveyName: name, frames: frames), actor: who)
        if json {
            CLIOutput.printJSONLine(s)
        } else {
            print("survey \(name): \(s.framesAdded) frames added, \(s.framesSkipped) already stored, "
                  + "\(s.findingsAdded) findings; tickets: \(s.ticketsCreated) new, \(s.ticketsUpdated) updated, "
                  + "\(s.ticketsReopened) reopened, \(s.ticketsVerified) verified")
        }
    }

    /// Ingests the frames one batch each, in order, and sums the summaries.
    static func ingestEach(_ frames: [SurveyBatch.Frame], surveyName: String, into store: any TicketStore,
                           actor: String) async throws -> IngestSummary {
        var total: IngestSummary?
        for frame in frames {
            let s = try await store.ingest(SurveyBatch(surveyName: surveyName, frames: [frame]), actor: actor)
            var t = total ?? IngestSummary(surveyId: s.surveyId)
            t.framesAdded += s.framesAdded
            t.framesSkipped += s.framesSkipped
            t.findingsAdded += s.findingsAdded
            t.ticketsCreated += s.ticketsCreated
            t.ticketsUpdated += s.ticketsUpdated
            t.ticketsReopened += s.ticketsReopened
            t.ticketsVerified += s.ticketsVerified
            t.candidatesRead += s.candidatesRead
            t.comparisons += s.comparisons
            total = t
        }
        if let total { return total }
        return try await store.ingest(SurveyBatch(surveyName: surveyName, frames: []), actor: actor)
    }

    /// ``hash(_:near:)`` of each report, in order, computed in one slice per core.
    static func hashes(_ reports: [FrameReport], near dir: URL) async -> [String] {
        let width = max(1, min(ProcessInfo.processInfo.activeProcessorCount, reports.count))
        let slice = (reports.count + width - 1) / width
        return await withTaskGroup(of: (Int, [String]).self) { group in
            for start in stride(from: 0, to: reports.count, by: max(1, slice)) {
                let part = Array(reports[start..<min(start + slice, reports.count)])
                group.addTask { (start, part.map { hash($0, near: dir) }) }
            }
            var out = [String](repeating: "", count: reports.count)
            for await (start, part) in group { out.replaceSubrange(start..<(start + part.count), with: part) }
            return out
        }
    }

    /// SHA-256 of the image if it can be read, else of the report's canonical JSON.
    static func hash(_ r: FrameReport, near dir: URL) -> String {
        let candidates = r.file.hasPrefix("/") ? [URL(fileURLWithPath: r.file)]
            : [dir.appendingPathComponent(r.file), URL(fileURLWithPath: r.file)]
        for url in candidates {
            if let bytes = try? Data(contentsOf: url) { return ContentHash.sha256Hex(bytes) }
        }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let bytes = (try? e.encode(r)) ?? Data(r.file.utf8)
        return ContentHash.sha256Hex(bytes)
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
