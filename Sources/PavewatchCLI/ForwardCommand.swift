import ArgumentParser
import Foundation
import Logging
import Tickets

/// `pavewatch forward`: delivers dispatched tickets to the external Open311 system through the outbox.
struct ForwardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Forward dispatched tickets to an external Open311 endpoint (retries with backoff; exactly once).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var peer: PeerOptions

    @Flag(help: "Exit when no ticket is waiting (otherwise run until interrupted).")
    var untilEmpty = false

    @Flag(help: "Print the outbox (JSON lines) and exit.")
    var list = false

    func run() async throws {
        let logger = logging.logger(command: "forward")
        let store = try await database.openStore(logger: logger)
        if list {
            for item in try await store.outboxItems() { CLIOutput.printJSONLine(item) }
            return
        }
        guard let config = try peer.configuration() else {
            throw ValidationError("no peer: give --peer URL or set PAVEWATCH_PEER_URL")
        }
        let forwarder = OutboxForwarder(store: store, configuration: config, logger: logger)
        do {
            try await forwarder.run(untilEmpty: untilEmpty)
        } catch {
            try? await forwarder.shutdown()
            throw error
        }
        try await forwarder.shutdown()
        let items = try await store.outboxItems()
        let sent = items.filter { $0.state == .sent }.count
        let failed = items.filter { $0.state == .failed }.count
        print("outbox: \(sent) sent, \(failed) failed, \(items.count - sent - failed) pending")
    }
}
