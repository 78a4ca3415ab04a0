import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Where and how to forward tickets.
public struct ForwarderConfiguration: Sendable {
    /// The peer's GeoReport v2 base URL, e.g. `https://city.example/open311/v2` (`/requests.json` is appended).
    public var peerURL: String
    /// The peer's API key, sent as `api_key`.
    public var apiKey: String
    /// Time limit of one request (connect, send, answer).
    public var requestTimeout: Duration
    /// First retry delay; doubles with every failed attempt.
    public var backoffBase: Duration
    /// Largest retry delay.
    public var backoffCap: Duration
    /// Longest sleep while nothing is due.
    public var idlePoll: Duration
    /// How often dispatched tickets' statuses are fetched back from the peer (`nil`: never).
    public var statusPoll: Duration?

    /// Creates a configuration.
    public init(peerURL: String, apiKey: String, requestTimeout: Duration = .seconds(10),
                backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300),
                idlePoll: Duration = .seconds(5), statusPoll: Duration? = .seconds(300)) {
        self.peerURL = peerURL.hasSuffix("/") ? String(peerURL.dropLast()) : peerURL
        self.apiKey = apiKey
        self.requestTimeout = requestTimeout
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.idlePoll = idlePoll
        self.statusPoll = statusPoll
    }

    /// The delay before attempt `attempts + 1`: exponential with "equal jitter", half fixed and half
    /// uniformly random, `d = min(cap, base · 2^(attempts-1))`, delay ∈ [d/2, d].
    /// - Parameter unit: a random number in 0...1.
    public func backoff(afterAttempts attempts: Int, unit: Double) -> Double {
        let base = backoffBase.seconds, cap = backoffCap.seconds
        let d = min(cap, base * pow(2, Double(max(0, min(attempts - 1, 40)))))
        return d / 2 + unit * d / 2
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }
}

/// Delivers dispatched tickets from the outbox to an external Open311 GeoReport v2 endpoint.
///
/// Exactly once: every attempt of a ticket carries the same `Idempotency-Key` header, so a peer that
/// honours it (as `pavewatch serve` does) answers a repeat with the first `service_request_id`; the
/// delivery is recorded only after the peer answered, and the outbox row stays pending (surviving a crash or
/// restart) until then. A peer that is down, times out, or answers 5xx / 408 / 429 is retried with
/// exponential backoff and jitter; any other 4xx marks the item `failed` for a person to look at.
/// Items are claimed one at a time with a lease (request timeout + 2 s), so several forwarders on one
/// database never send the same item at once, and the items of a forwarder that died are retried once
/// their lease runs out.
public final class OutboxForwarder: Sendable {
    /// What one attempt ended with.
    public enum Outcome: Sendable, Hashable {
        /// Accepted with this remote id.
        case delivered(String)
        /// Retry later.
        case retry(String)
        /// Refused for good.
        case rejected(String)
    }

    /// Counts of one pass over the due items.
    public struct Pass: Sendable, Hashable {
        /// Items accepted by the peer.
        public var delivered = 0
        /// Items that will be retried.
        public var retrying = 0
        /// Items refused for good.
        public var rejected = 0
    }

    let store: any TicketStore
    let configuration: ForwarderConfiguration
    let client: HTTPClient
    let logger: Logger

    /// Creates a forwarder with its own HTTP client; call ``shutdown()`` when done.
    public init(store: any TicketStore, configuration: ForwarderConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        let t = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))
        var c = HTTPClient.Configuration(timeout: .init(connect: t, read: t))
        c.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
    }

    /// Shuts the HTTP client down.
    /// - Throws: when the client was shut down already.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Attempts every item due now once (items that fail become due again later, after their backoff).
    /// - Throws: store errors only; peer failures are recorded on the items.
    public func forwardDue() async throws -> Pass {
        var pass = Pass()
        let lease = configuration.requestTimeout.seconds + 2
        let start = Date()  // items that fail in this pass are due after `start`: each is tried once
        while let item = try await store.claimOutboxItems(now: start, lease: lease, limit: 1).first {
            try Task.checkCancellation()
            guard let ticket = try await store.ticket(id: item.ticketId) else {
                try await store.recordFailure(itemId: item.id!, error: "ticket deleted", nextAttemptAt: Date(),
                                              permanent: true)
                pass.rejected += 1
                continue
            }
            let outcome = await deliver(ticket, key: item.idempotencyKey)
            switch outcome {
            case .delivered(let remoteId):
                try await store.recordDelivery(itemId: item.id!, remoteId: remoteId, at: Date())
                logger.info("forwarded ticket", metadata: ["ticket.id": "\(item.ticketId)", "remote.id": "\(remoteId)"])
                pass.delivered += 1
            case .retry(let why):
                let delay = configuration.backoff(afterAttempts: item.attempts + 1, unit: Double.random(in: 0...1))
                try await store.recordFailure(itemId: item.id!, error: why,
                                              nextAttemptAt: Date().addingTimeInterval(delay), permanent: false)
                logger.info("forwarding failed, will retry", metadata: [
                    "ticket.id": "\(item.ticketId)", "peer": "\(configuration.peerURL)", "error": "\(why)",
                    "retry.in_s": "\(delay)"])
                pass.retrying += 1
            case .rejected(let why):
                try await store.recordFailure(itemId: item.id!, error: why, nextAttemptAt: Date(), permanent: true)
                logger.info("peer refused ticket", metadata: ["ticket.id": "\(item.ticketId)", "error": "\(why)"])
                pass.rejected += 1
            }
        }
        return pass
    }

    /// The form fields sent for a ticket.
    public func form(for t: Ticket) -> [(String, String)] {
        var desc = "Pavewatch ticket #\(t.id ?? 0): \(t.defectClass.rawValue)"
        if let s = t.subtype { desc += " (\(s))" }
        desc += ", severity \(t.severity.rawValue), priority \(t.priority)"
        if let w = t.widthMm { desc += String(format: ", width %.1f mm", w) }
        if let l = t.lengthM { desc += String(format: ", length %.2f m", l) }
        if let a = t.areaM2 { desc += String(format: ", area %.2f m²", a) }
        if let d = t.details, !d.isEmpty { desc += ". " + d }
        var f: [(String, String)] = [("api_key", configuration.apiKey), ("service_code", t.defectClass.rawValue)]
        if let lat = t.latitude, let lon = t.longitude {
            f.append(("lat", String(lat)))
            f.append(("long", String(lon)))
        }
        f.append(("description", String(desc.prefix(4000))))
        if let m = t.mediaUrl { f.append(("media_url", m)) }
        if let a = t.address { f.append(("address_string", a)) }
        if let id = t.attributes?[Ticket.addressIdAttribute] { f.append(("address_id", id)) }
        f.append(("attribute[pavewatch_ticket]", String(t.id ?? 0)))
        switch t.defectClass {
        case .crack:
            if let s = t.subtype, ["longitudinal", "transverse", "block", "alligator"].contains(s) {
                f.append(("attribute[subtype]", s))
            }
            if let w = t.widthMm { f.append(("attribute[width_mm]", String(w))) }
            if let l = t.lengthM { f.append(("attribute[length_m]", String(l))) }
        case .leak:
            if let a = t.areaM2 { f.append(("attribute[area_m2]", String(a))) }
        }
        f.append(("attribute[severity]", t.severity.rawValue))
        return f
    }

    /// One POST of a ticket to the peer.
    public func deliver(_ ticket: Ticket, key: String) async -> Outcome {
        do {
            var req = HTTPClientRequest(url: configuration.peerURL + "/requests.json")
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            req.headers.add(name: "Idempotency-Key", value: key)
            req.body = .bytes(ByteBuffer(string: FormURLEncoded.encode(form(for: ticket))))
            let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))
            let resp = try await client.execute(req, timeout: timeout)
            let body = try await resp.body.collect(upTo: 1 << 20)
            let code = Int(resp.status.code)
            if (200..<300).contains(code) {
                guard let id = Open311Reply.remoteId(in: Data(body.readableBytesView)) else {
                    return .retry("HTTP \(code) without service_request_id")
                }
                return .delivered(id)
            }
            if code >= 500 || code == 408 || code == 429 { return .retry("HTTP \(code)") }
            return .rejected("HTTP \(code): \(String(buffer: body).prefix(300))")
        } catch {
            return .retry("\(error)")
        }
    }

    /// Fetches the statuses of dispatched tickets back from the peer (`GET requests.json?service_request_id=…`).
    /// - Returns: how many tickets changed.
    public func syncStatuses() async throws -> Int {
        let tickets = try await store.tickets(TicketQuery(statuses: [.dispatched], orderByPriority: false))
            .filter { $0.remoteId != nil }
        var changed = 0
        var start = 0
        while start < tickets.count {
            let chunk = Array(tickets[start..<min(start + 50, tickets.count)])
            start += 50
            let ids = chunk.compactMap(\.remoteId).joined(separator: ",")
            let url = configuration.peerURL + "/requests.json?" + FormURLEncoded.encode([("service_request_id", ids)])
            do {
                let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))
                let resp = try await client.execute(HTTPClientRequest(url: url), timeout: timeout)
                let body = try await resp.body.collect(upTo: 4 << 20)
                guard resp.status.code == 200, let list = Open311Reply.statuses(in: Data(body.readableBytesView)) else { continue }
                for (rid, status) in list {
                    guard let t = chunk.first(where: { $0.remoteId == rid }), t.remoteStatus != status else { continue }
                    try await store.applyRemoteStatus(ticketId: t.id!, remoteStatus: status, actor: "open311:peer")
                    changed += 1
                }
            } catch {
                logger.info("status fetch failed", metadata: ["peer": "\(configuration.peerURL)", "error": "\(error)"])
            }
        }
        return changed
    }

    /// Forwards until cancelled, or with `untilEmpty` until no item is pending.
    /// - Throws: `CancellationError`, store errors.
    public func run(untilEmpty: Bool = false) async throws {
        var lastStatusPoll = Date.distantPast
        while true {
            try Task.checkCancellation()
            _ = try await forwardDue()
            if let poll = configuration.statusPoll, Date().timeIntervalSince(lastStatusPoll) >= poll.seconds {
                _ = try await syncStatuses()
                lastStatusPoll = Date()
            }
            let next = try await store.nextOutboxAttempt()
            if untilEmpty, next == nil { return }
            var wait = configuration.idlePoll.seconds
            if let next { wait = min(wait, next.timeIntervalSinceNow) }
            if let poll = configuration.statusPoll {
                wait = min(wait, poll.seconds - Date().timeIntervalSince(lastStatusPoll))
            }
            try await Task.sleep(for: .seconds(max(0.01, wait)))
        }
    }
}
