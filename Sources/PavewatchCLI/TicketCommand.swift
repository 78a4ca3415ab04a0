import ArgumentParser
import Foundation
import Tickets

/// `pavewatch ticket ID [--set STATUS]`: one ticket with its history; optionally a status change.
struct TicketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "Show one ticket and its history, or change its status (dispatched queues it for forwarding).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Argument(help: "Ticket id.")
    var id: Int64

    @Option(name: .customLong("set"), help: "New status.")
    var newStatus: TicketStatus?

    @Option(help: "Who makes the change (default: $USER).")
    var actor: String?

    @Option(help: "A note for the history.")
    var note: String?

    func run() async throws {
        let store = try await database.openStore(logger: logging.logger(command: "ticket"))
        if let newStatus {
            let who = actor ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            do {
                _ = try await store.transition(ticketId: id, to: newStatus, actor: who, note: note)
            } catch let e as TicketError {
                throw CommandFailure(e.description)
            }
        }
        guard let t = try await store.ticket(id: id) else { throw CommandFailure("no ticket \(id)") }
        CLIOutput.printJSONLine(t)
        for e in try await store.events(ticketId: id) { CLIOutput.printJSONLine(e) }
    }
}
