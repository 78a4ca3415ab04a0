import TestSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import ReviewServer
import Tickets

/// What the peer does with each POST, in arrival order (then: pass).
actor PeerScript {
    enum Action: Sendable {
        /// Handle normally.
        case pass
        /// Answer 500 without handling.
        case fail500
        /// Handle (the request is stored), then wait before answering, past the client's timeout.
        case delayAfter(Duration)
        /// Handle, then SIGKILL the forwarding child process before answering.
        case killChildAfter
        /// Reset the connection (TCP RST) without handling: nothing stored, no answer.
        case resetBefore
        /// Handle (the request is stored), then reset the connection instead of answering.
        case resetAfter
    }

    private var plan: [Action] = []
    private(set) var posts = 0
    /// Connections closed with a TCP reset so far.
    private(set) var resets = 0
    private var child: Int32?

    func setPlan(_ actions: [Action]) { plan = actions }
    func setChild(_ pid: Int32) { child = pid }
    func countReset() { resets += 1 }

    func next() -> (Action, Int32?) {
        posts += 1
        return (plan.isEmpty ? .pass : plan.removeFirst(), child)
    }
}

/// The peer's request context: Hummingbird's basic context plus the connection, which the reset faults close.
struct PeerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Closes `channel` with a TCP reset (SO_LINGER 0) and throws, so no answer is written; counts it in `script`.
func resetConnection(_ channel: any Channel, script: PeerScript) async throws -> Never {
    guard let socket = channel as? any SocketOptionProvider else { throw PeerStartError() }
    try await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
    try await channel.close().get()
    await script.countReset()
    throw CancellationError()
}

struct FaultMiddleware: RouterMiddleware {
    typealias Context = PeerContext
    let script: PeerScript

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let (action, child) = await script.next()
        switch action {
        case .pass:
            return try await next(request, context)
        case .fail500:
            return Response(status: .internalServerError)
        case .delayAfter(let d):
            let r = try await next(request, context)
            try await Task.sleep(for: d)
            return r
        case .killChildAfter:
            let r = try await next(request, context)
            if let child { kill(child, SIGKILL) }
            return r
        case .resetBefore:
            try await resetConnection(context.channel, script: script)
        case .resetAfter:
            _ = try await next(request, context)
            try await resetConnection(context.channel, script: script)
        }
    }
}

struct PeerStartError: Error {}

/// A second Open311 server on loopback (the real `Open311Routes` on its own in-memory store), with faults.
final class PeerServer: @unchecked Sendable {
    let store: SQLiteTicketStore
    let script = PeerScript()
    private var task: Task<Void, any Error>?
    static let apiKey = "peer-key"

    init() throws {
        store = try SQLiteTicketStore.inMemory()
    }

    static var quiet: Logger { Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }) }

    /// Starts listening on `port` (0: any free port) and returns the port.
    func start(port: Int = 0) async throws -> Int {
        let router = Router(context: PeerContext.self)
        router.add(middleware: FaultMiddleware(script: script))
        Open311Routes<PeerContext>(store: store, configuration: Open311Configuration(apiKeys: [Self.apiKey]))
            .register(on: router)
        let (ports, cont) = AsyncStream<Int>.makeStream()
        let app = Application(router: router,
                              configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { ch in cont.yield(ch.localAddress?.port ?? 0) },
                              logger: Self.quiet)
        task = Task {
            defer { cont.finish() }
            try await app.run()
        }
        for await p in ports { return p }
        throw PeerStartError()
    }

    /// Stops listening (the peer is "down").
    func stop() async {
        task?.cancel()
        _ = try? await task?.value
        task = nil
    }
}



/// `count` crack tickets at distinct places, confirmed and dispatched (so each has an outbox item).
func makeDispatched(_ store: any TicketStore, count: Int) async throws -> [Int64] {
    let frames = (0..<count).map { i in Fixtures.frame("d\(i)", [Fixtures.crack(east: Double(i) * 10, north: 0)]) }
    _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: frames), actor: "test")
    let ids = try await store.tickets(TicketQuery(orderByPriority: false)).compactMap(\.id)
    for id in ids {
        _ = try await store.transition(ticketId: id, to: .confirmed, actor: "alice", note: nil)
        _ = try await store.transition(ticketId: id, to: .dispatched, actor: "alice", note: nil)
    }
    return ids
}
