import ArgumentParser
import Foundation
import Pipeline
import Reports
import Tickets

/// `pavewatch export --format geojson|csv|kml [--out FILE]`, or `pavewatch export --training DIR`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write tickets as GeoJSON, CSV or KML, or reviewed findings as labelled training crops.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "geojson, csv or kml.")
    var format: TicketExport.Format?

    @Option(help: ArgumentHelp("Write confirmed / rejected findings as crops into DIR/{crack,leak,background} (train with source folder:DIR).", valueName: "DIR"))
    var training: String?

    @Option(help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "Only this status.")
    var status: [TicketStatus] = []

    func validate() throws {
        guard (format == nil) != (training == nil) else { throw ValidationError("give exactly one of --format and --training") }
    }

    func run() async throws {
        let store = try await database.openStore(logger: logging.logger(command: "export"))
        if let training {
            let s = try await TrainingExport.write(to: training, store: store)
            let counts = ["crack", "leak", "background"].map { "\($0) \(s.written[$0] ?? 0)" }.joined(separator: ", ")
            print("pavewatch: wrote \(counts) crops to \(training)" + (s.unreadable > 0 ? "; \(s.unreadable) frames unreadable" : ""))
            return
        }
        guard let format else { return }
        let text = TicketExport.render(try await store.tickets(TicketQuery(statuses: status)), as: format)
        if let out {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } else {
            print(text, terminator: "")
        }
    }
}

extension TicketExport.Format: ExpressibleByArgument {}
