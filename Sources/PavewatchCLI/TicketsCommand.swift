import ArgumentParser
import Findings
import Foundation
import Tickets

/// `pavewatch tickets`: the ranked ticket list.
struct TicketsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tickets",
        abstract: "List tickets, highest priority first.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Only this status (new, confirmed, rejected, dispatched, fixed, reopened, verified).")
    var status: [TicketStatus] = []

    @Option(name: .customLong("class"), help: "Only this class (crack, leak).")
    var defectClass: [DefectClass] = []

    @Option(help: "At most this many tickets.")
    var limit: Int?

    @Flag(help: "One JSON object per ticket (JSON lines).")
    var json = false

    @Flag(help: "First cut every ticket larger than --ticket-extent / --ticket-area (tickets merged before work-order limits) into work orders; each part keeps the status, the first keeps the id and the new ones name it in their history.")
    var split = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be ≥ 0") }
    }

    func run() async throws {
        let store = try await database.openStore(logger: logging.logger(command: "tickets"))
        if database.zones != nil { try await store.rerank(try database.priorityModel()) }
        if split {
            let cut = try await store.splitOversizedTickets(actor: ProcessInfo.processInfo.environment["USER"].map { "split:\($0)" } ?? "split")
            CLIOutput.error("cut \(cut.count) ticket(s) into \(cut.values.map(\.count).reduce(0, +)) work orders"
                            + (cut.isEmpty ? "" : ": " + cut.keys.sorted().map { "\($0) → \(cut[$0]!.map(String.init).joined(separator: ", "))" }.joined(separator: "; ")))
        }
        let list = try await store.tickets(TicketQuery(statuses: status, classes: defectClass, limit: limit))
        if json {
            for t in list { CLIOutput.printJSONLine(t) }
            return
        }
        Self.printTable(list)
    }
}

extension TicketsCommand {
    /// Prints tickets as the ranked table (`tickets`, and the end of `survey`).
    static func printTable(_ list: [Ticket]) {
        let num = CLIOutput.num
        let rows = list.enumerated().map { i, t in
            [String(i + 1), String(t.id ?? 0), t.defectClass.rawValue + (t.subtype.map { "/" + $0 } ?? ""),
             t.severity.rawValue, String(format: "%.1f", t.priority), t.status.rawValue,
             num(t.lengthM, "%.2f"), num(t.widthMm, "%.1f"), num(t.areaM2, "%.2f"), String(t.sightings),
             num(t.latitude, "%.6f"), num(t.longitude, "%.6f"), CLIOutput.iso8601(t.lastSeen)]
        }
        CLIOutput.printTable(["rank", "id", "class", "severity", "priority", "status", "length_m", "width_mm",
                              "area_m2", "sightings", "lat", "lon", "last_seen"], rows)
    }
}

extension TicketStatus: ExpressibleByArgument {}
extension DefectClass: ExpressibleByArgument {}
