import ArgumentParser
import Codecs
import Dispatch
import Foundation
import Logging
import Pipeline
#if Postgres
import PostgresStore
#endif

/// `pavewatch worker`: one of many processes sharing surveys through the PostgreSQL job table.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Process frames of distributed surveys from a PostgreSQL job table (see `survey --enqueue`).",
        discussion: """
        Claims one frame at a time per thread (FOR UPDATE SKIP LOCKED, under a lease it renews), analyses
        it, and stores its findings and tickets in the same transaction that marks the job done. A worker
        that dies holds its jobs until the lease runs out; then another takes them. SIGTERM or SIGINT:
        no new job is taken, the ones in hand are finished, and the worker exits. A frame that fails is
        retried (on any worker) up to --max-attempts times, then marked failed with its reason.
        """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "This machine's path of the survey root: job paths are relative to it (default: the folder given to `survey --enqueue`).")
    var root: String?

    @Option(help: "Frames processed at once.")
    var threads = 1

    @Option(help: "Seconds a claimed job is held without renewal (renewed every third of it).")
    var lease = 30.0

    @Option(help: "Tries of a frame before it is marked failed.")
    var maxAttempts = 3

    @Option(help: "Only jobs of this survey id.")
    var survey: Int64?

    @Option(help: "Name recorded on the jobs (default: HOST:PID).")
    var name: String?

    @Flag(help: "Exit once no job is pending or running, instead of waiting for more.")
    var untilDone = false

    @OptionGroup var detector: DetectorOptions

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if lease < 1 { throw ValidationError("--lease must be at least 1 second") }
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
    }

    func run() async throws {
        #if Postgres
        let analysis = FrameAnalysis(inspector: try makeInspector(detector.kind, modelDirectory: detector.models),
                                     decode: detector.decode)
        let logger = logging.logger(command: "worker")
        let store = try await database.openPostgres(connections: threads + 2, logger: logger)
        defer { store.close() }
        var options = WorkerOptions(threads: threads, lease: lease, maxAttempts: maxAttempts, untilDone: untilDone,
                                    survey: survey)
        if let name { options.name = name }
        let stop = StopFlag()
        let signals = [SIGTERM, SIGINT].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.set() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let queue = PostgresJobQueue(store: store, logger: logger)
        defer { queue.close() }
        let worker = SurveyWorker(queue: queue, options: options, root: root, logger: logger) { path, relative in
            try analysis.analyse(try analysis.read(path), file: relative, threads: 1)
        }
        let summary = try await worker.run(stop: stop)
        if json {
            CLIOutput.printJSONLine(summary)
        } else {
            print("Worker \(options.name): \(summary.framesDone) frames stored, \(summary.framesSkipped) already stored, "
                  + "\(summary.framesFailed) failed tries, \(summary.jobsLost) lost to an expired lease "
                  + "(\(String(format: "%.1f", summary.elapsedSeconds)) s, \(String(format: "%.2f", summary.framesPerSecond)) frames/s)")
        }
        #else
        throw DatabaseOptions.postgreSQLLeftOut
        #endif
    }
}
