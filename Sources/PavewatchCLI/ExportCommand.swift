import ArgumentParser
import Foundation
import Tickets

/// `pavewatch export --format geojson|csv|kml [--out FILE]`.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write tickets as GeoJSON, CSV or KML.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "geojson, csv or kml.")
    var format: TicketExport.Format

    @Option(help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "Only this status.")
    var status: [TicketStatus] = []

    func run() async throws {
        let store = try database.open()
        let text = TicketExport.render(try await store.tickets(TicketQuery(statuses: status)), as: format)
        if let out {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } else {
            print(text, terminator: "")
        }
    }
}

extension TicketExport.Format: ExpressibleByArgument {}
