import ArgumentParser
import Foundation
#if Postgres
import PostgresStore
#endif

/// `pavewatch survey status ID`: progress of a distributed survey.
struct SurveyStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Progress of a distributed survey: jobs pending, running, done and failed, per worker.")

    @Argument(help: "The survey id (printed by `survey --enqueue`).")
    var id: Int64

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        #if Postgres
        let store = try await database.openPostgres(logger: logging.logger(command: "survey status"))
        defer { store.close() }
        guard let p = try await store.progress(survey: id) else { throw CommandFailure("no survey \(id) in \(store.location)") }
        if json {
            CLIOutput.printJSONLine(p)
            return
        }
        print("Survey \(p.surveyName) (id \(p.surveyId))\(p.folder.map { ", from \($0)" } ?? ""): \(p.done) done, "
              + "\(p.running) running, \(p.pending) pending, \(p.failed) failed")
        if !p.workers.isEmpty {
            print("\nworker\tdone\trunning\tfailed")
            for w in p.workers { print("\(w.worker)\t\(w.done)\t\(w.running)\t\(w.failed)") }
        }
        if !p.failures.isEmpty {
            print("\nFailed frames:")
            for f in p.failures { print("  \(f.path) (\(f.attempts) tries): \(f.reason)") }
        }
        #else
        throw DatabaseOptions.postgreSQLLeftOut
        #endif
    }
}
