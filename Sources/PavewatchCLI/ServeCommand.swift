import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Prometheus
import ReviewServer
import Tickets

/// `pavewatch serve`: the Open311 GeoReport v2 API (and, with `--peer`, the forwarder alongside).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Open311 GeoReport v2 API under /open311/v2 and the review pages (and, with --metrics, Prometheus metrics at /metrics).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var peer: PeerOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind (0: any free port, printed on start).")
    var port = 8080

    @Option(name: .customLong("public-url"),
            help: ArgumentHelp("The URL clients reach this server at, e.g. https://roads.example.org (named by Open311 discovery; default: http://HOST:PORT of the bound address).", valueName: "url"))
    var publicURL: String?

    @Option(help: "Contact named by Open311 discovery (an e-mail address or phone number of the operator).")
    var contact: String?

    @Option(name: .customLong("api-key"), help: "API key accepted for POST requests (repeatable; also $PAVEWATCH_API_KEYS, comma-separated).")
    var apiKeys: [String] = []

    @OptionGroup var review: ReviewOptions

    @Flag(help: "Count requests and serve them in the Prometheus text format at /metrics (readable by anyone who reaches the server).")
    var metrics = false

    @Option(name: .customLong("idle-timeout"),
            help: ArgumentHelp("Close a connection that sends no whole request head (or body part) for this long; bounds slow header reads.", valueName: "seconds"))
    var idleTimeout: Double = 30

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard idleTimeout > 0 && idleTimeout <= 3600 else { throw ValidationError("--idle-timeout must be more than 0 and at most 3600 seconds") }
        if let publicURL, Open311Configuration.publicURL(parsing: publicURL) == nil {
            throw ValidationError("--public-url must be an http(s) URL with a host and no query, e.g. https://roads.example.org")
        }
    }

    /// The Open311 settings of these options.
    func open311(keys: [String]) -> Open311Configuration {
        Open311Configuration(apiKeys: keys, contact: contact ?? "",
                             publicURL: publicURL.flatMap(Open311Configuration.publicURL(parsing:))
                                 ?? Open311Configuration.publicURL(host: host, port: port))
    }

    func run() async throws {
        var keys = apiKeys
        if let env = ProcessInfo.processInfo.environment["PAVEWATCH_API_KEYS"] {
            keys += env.split(separator: ",").map(String.init)
        }
        keys = keys.filter { !$0.isEmpty }
        let reviewConfiguration = try review.loadConfiguration()
        let logger = logging.logger(command: "serve")
        let store = try await database.openReviewStore(logger: logger)
        let forwarder = try peer.configuration().map {
            OutboxForwarder(store: store, configuration: $0, logger: logger)
        }
        let app = buildApplication(store: store, open311: open311(keys: keys),
                                   review: reviewConfiguration, host: host,
                                   port: port, logger: logger, metrics: metrics ? PrometheusCollectorRegistry() : nil,
                                   idleTimeout: .milliseconds(Int64(idleTimeout * 1000))) { channel in
            if let addr = channel.localAddress { print("pavewatch: serving on \(addr)") }
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.runService() }
                if let forwarder {
                    group.addTask { try await forwarder.run() }
                }
                // The server ends on SIGTERM/SIGINT; the forwarder only on error or cancellation.
                try await group.next()
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            try? await forwarder?.shutdown()
            throw error
        }
        try? await forwarder?.shutdown()
    }
}
