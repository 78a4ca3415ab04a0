import ArgumentParser
import Foundation
import Tickets

/// The external Open311 system tickets are forwarded to.
struct PeerOptions: ParsableArguments {
    @Option(help: "Peer GeoReport v2 base URL, e.g. https://city.example/open311/v2 (default: $PAVEWATCH_PEER_URL).")
    var peer: String?

    @Option(help: "Peer API key (default: $PAVEWATCH_PEER_API_KEY).")
    var peerApiKey: String?

    @Option(help: "Seconds one request may take.")
    var peerTimeout: Double = 10

    @Option(help: "First retry delay in seconds (doubles per failure, with jitter).")
    var backoffBase: Double = 1

    @Option(help: "Longest retry delay in seconds.")
    var backoffCap: Double = 300

    @Option(help: "Seconds between fetches of dispatched tickets' statuses from the peer (0: never).")
    var statusPoll: Double = 300

    /// The forwarder configuration, or `nil` when no peer is configured.
    func configuration() throws -> ForwarderConfiguration? {
        let env = ProcessInfo.processInfo.environment
        guard let url = peer ?? env["PAVEWATCH_PEER_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let u = URL(string: url), let s = u.scheme, s == "http" || s == "https", u.host != nil else {
            throw ValidationError("--peer must be an http(s) URL")
        }
        guard let key = peerApiKey ?? env["PAVEWATCH_PEER_API_KEY"] else {
            throw ValidationError("a peer needs --peer-api-key or PAVEWATCH_PEER_API_KEY")
        }
        guard peerTimeout > 0, backoffBase > 0, backoffCap >= backoffBase, statusPoll >= 0 else {
            throw ValidationError("timeouts and delays must be positive, --backoff-cap ≥ --backoff-base")
        }
        return ForwarderConfiguration(peerURL: url, apiKey: key, requestTimeout: .seconds(peerTimeout),
                                      backoffBase: .seconds(backoffBase), backoffCap: .seconds(backoffCap),
                                      idlePoll: .seconds(min(5, backoffCap)),
                                      statusPoll: statusPoll > 0 ? .seconds(statusPoll) : nil)
    }
}
