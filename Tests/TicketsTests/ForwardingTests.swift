import TestSupport
import Foundation
import Logging
import Testing
@testable import Tickets

@Suite(.serialized) struct ForwardingTests {
    /// Checks that the peer holds exactly one request per outbox item, under the item's idempotency key,
    /// and that the local tickets carry the peer's ids.
    func expectExactlyOnce(local: any TicketStore, peer: PeerServer, count: Int) async throws {
        let items = try await local.outboxItems()
        #expect(items.count == count)
        #expect(items.allSatisfy { $0.state == .sent && $0.remoteId != nil })
        let remote = try await peer.store.tickets(TicketQuery(orderByPriority: false))
        #expect(remote.count == count)
        #expect(Set(remote.compactMap(\.externalKey)) == Set(items.map(\.idempotencyKey)))
        for item in items {
            let r = try #require(remote.first { $0.externalKey == item.idempotencyKey })
            #expect(item.remoteId == String(r.id!))
            let t = try #require(try await local.ticket(id: item.ticketId))
            #expect(t.remoteId == item.remoteId)
            #expect(r.defectClass == t.defectClass)
            #expect(abs(r.latitude! - t.latitude!) < 1e-9 && abs(r.longitude! - t.longitude!) < 1e-9)
            let forwarded = try await local.events(ticketId: item.ticketId).filter { $0.kind == .forwarded }
            #expect(forwarded.count == 1)
        }
    }

    @Test(arguments: StoreBackend.allCases) func downThen500ThenTimeoutThenAccepted(_ backend: StoreBackend) async throws {
        let peer = try PeerServer()
        let port = try await peer.start()
        await peer.stop()  // down
        let local = try await backend.store()
        let n = 6
        _ = try await makeDispatched(local, count: n)
        let config = ForwarderConfiguration(peerURL: "http://127.0.0.1:\(port)/open311/v2", apiKey: PeerServer.apiKey,
                                            requestTimeout: .milliseconds(400), backoffBase: .milliseconds(20),
                                            backoffCap: .milliseconds(100), idlePoll: .milliseconds(50),
                                            statusPoll: nil)
        let forwarder = OutboxForwarder(store: local, configuration: config, logger: PeerServer.quiet)

        let down = try await forwarder.forwardDue()
        #expect(down == OutboxForwarder.Pass(delivered: 0, retrying: n, rejected: 0))
        let waiting = try await local.outboxItems()
        #expect(waiting.allSatisfy { $0.state == .pending && $0.attempts == 1 && $0.lastError != nil })

        // Up again: three 500s, then three answers that come after the client gave up (the peer has stored
        // the request each time), then normal answers.
        await peer.script.setPlan([.fail500, .fail500, .fail500,
                                   .delayAfter(.seconds(1)), .delayAfter(.seconds(1)), .delayAfter(.seconds(1))])
        _ = try await peer.start(port: port)
        try await withTimeout(60) { try await forwarder.run(untilEmpty: true) }

        try await expectExactlyOnce(local: local, peer: peer, count: n)
        let posts = await peer.script.posts
        #expect(posts >= n + 6)  // every failure was retried; repeats after timeouts were deduplicated
        let attempts = try await local.outboxItems().map(\.attempts).reduce(0, +)
        #expect(attempts >= 2 * n + 6)

        // Status changes at the peer come back: a closed request marks the dispatched ticket fixed. The 400 ms
        // timeout above made the peer's late answers time out; a status read under CI load may take longer than
        // that (a failed read is logged and skipped), so the status checks use a forwarder with a usual timeout.
        try await forwarder.shutdown()
        var patient = config
        patient.requestTimeout = .seconds(30)
        let syncing = OutboxForwarder(store: local, configuration: patient, logger: PeerServer.quiet)
        let items = try await local.outboxItems()
        let closedRemote = try #require(Int64(items[0].remoteId!))
        _ = try await peer.store.transition(ticketId: closedRemote, to: .rejected, actor: "city", note: nil)
        #expect(try await syncing.syncStatuses() == n)
        #expect(try await local.ticket(id: items[0].ticketId)?.status == .fixed)
        #expect(try await local.ticket(id: items[1].ticketId)?.status == .dispatched)
        #expect(try await local.ticket(id: items[1].ticketId)?.remoteStatus == "open")
        #expect(try await syncing.syncStatuses() == 0)

        try await syncing.shutdown()
        await peer.stop()
    }

    /// A database file with `count` dispatched tickets, a running peer, and the `pavewatch forward`
    /// arguments that deliver to it with short timeouts and delays.
    struct Rig {
        let binary: URL
        let dir: URL
        let local: SQLiteTicketStore
        let peer: PeerServer
        let port: Int
        let args: [String]

        init(count: Int, peerTimeout: String) async throws {
            binary = try #require(CLIProcess.binary(), "the pavewatch executable must be built next to the tests")
            dir = try CLIProcess.temporaryDirectory()
            let db = dir.appendingPathComponent("pw.sqlite").path
            local = try SQLiteTicketStore(path: db)
            _ = try await makeDispatched(local, count: count)
            peer = try PeerServer()
            port = try await peer.start()
            args = ["forward", "--db", db, "--peer", "http://127.0.0.1:\(port)/open311/v2",
                    "--peer-api-key", PeerServer.apiKey, "--until-empty", "--backoff-base", "0.05",
                    "--backoff-cap", "0.2", "--peer-timeout", peerTimeout, "--status-poll", "0"]
        }

        /// Starts `pavewatch forward`, optionally with another request timeout.
        func start(_ name: String, peerTimeout: String? = nil) throws -> Process {
            var a = args
            if let peerTimeout, let i = a.firstIndex(of: "--peer-timeout") { a[i + 1] = peerTimeout }
            return try CLIProcess.start(binary, a, log: dir.appendingPathComponent("\(name).log"))
        }
    }

    /// The same sequence with the forwarder as a separate process (`pavewatch forward`).
    @Test func separateProcessesDownThen500ThenTimeoutThenAccepted() async throws {
        let n = 5
        let rig = try await Rig(count: n, peerTimeout: "0.4")
        defer { try? FileManager.default.removeItem(at: rig.dir) }
        let (local, peer, port) = (rig.local, rig.peer, rig.port)
        await peer.stop()
        let child = try rig.start("forward")
        // Wait until every item has failed at least twice against the closed port.
        let deadline = Date().addingTimeInterval(30)
        while try await local.outboxItems().contains(where: { $0.attempts < 2 }) {
            #expect(Date() < deadline && child.isRunning)
            if Date() >= deadline || !child.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await peer.script.setPlan([.fail500, .fail500, .delayAfter(.seconds(1)), .delayAfter(.seconds(1))])
        _ = try await peer.start(port: port)
        try await CLIProcess.wait(child, seconds: 60)
        #expect(child.terminationReason == .exit && child.terminationStatus == 0)
        try await expectExactlyOnce(local: local, peer: peer, count: n)
        #expect(await peer.script.posts >= n + 4)
        await peer.stop()
    }

    @Test("The peer resets connections, before and after storing a request: every ticket arrives once",
          arguments: StoreBackend.allCases)
    func peerResetsConnections(_ backend: StoreBackend) async throws {
        let peer = try PeerServer()
        let port = try await peer.start()
        let local = try await backend.store()
        let n = 5
        _ = try await makeDispatched(local, count: n)
        await peer.script.setPlan([.resetBefore, .resetAfter, .resetBefore, .resetAfter, .resetAfter, .resetBefore])
        let config = ForwarderConfiguration(peerURL: "http://127.0.0.1:\(port)/open311/v2", apiKey: PeerServer.apiKey,
                                            requestTimeout: .seconds(5), backoffBase: .milliseconds(20),
                                            backoffCap: .milliseconds(100), idlePoll: .milliseconds(50),
                                            statusPoll: nil)
        let forwarder = OutboxForwarder(store: local, configuration: config, logger: PeerServer.quiet)
        try await withTimeout(60) { try await forwarder.run(untilEmpty: true) }
        try await expectExactlyOnce(local: local, peer: peer, count: n)
        #expect(await peer.script.resets == 6, "the connections were reset, not answered")
        #expect(await peer.script.posts >= n + 6, "each reset was retried")
        let attempts = try await local.outboxItems().map(\.attempts).reduce(0, +)
        #expect(attempts >= n + 6)
        try await forwarder.shutdown()
        await peer.stop()
    }

    @Test(arguments: StoreBackend.allCases) func peerRefusalIsPermanentAndVisible(_ backend: StoreBackend) async throws {
        let peer = try PeerServer()
        let port = try await peer.start()
        let local = try await backend.store()
        _ = try await makeDispatched(local, count: 1)
        let config = ForwarderConfiguration(peerURL: "http://127.0.0.1:\(port)/open311/v2", apiKey: "wrong",
                                            requestTimeout: .seconds(5), statusPoll: nil)
        let forwarder = OutboxForwarder(store: local, configuration: config, logger: PeerServer.quiet)
        let pass = try await forwarder.forwardDue()
        #expect(pass.rejected == 1)
        let item = try #require(try await local.outboxItems().first)
        #expect(item.state == .failed && item.lastError?.contains("403") == true)
        #expect(try await peer.store.tickets(TicketQuery()).isEmpty)
        try await forwarder.shutdown()
        await peer.stop()
    }

    @Test func killNineMidwayThenRestartStillExactlyOnce() async throws {
        let n = 8
        let rig = try await Rig(count: n, peerTimeout: "1")
        defer { try? FileManager.default.removeItem(at: rig.dir) }
        let (local, peer) = (rig.local, rig.peer)
        await peer.script.setPlan([.pass, .pass, .pass, .killChildAfter])
        // A generous timeout, so a slow machine cannot add retries before the kill; its 5 s lease on the
        // 4th item is what the second process waits out.
        let first = try rig.start("first", peerTimeout: "3")
        await peer.script.setChild(first.processIdentifier)
        try await CLIProcess.wait(first, seconds: 60)
        #expect(first.terminationReason == .uncaughtSignal && first.terminationStatus == SIGKILL)

        // Killed after the peer stored the 4th ticket and before the forwarder heard back.
        let mid = try await local.outboxItems()
        #expect(mid.filter { $0.state == .sent }.count == 3)
        #expect(try await peer.store.tickets(TicketQuery()).count == 4)

        let second = try rig.start("second")
        try await CLIProcess.wait(second, seconds: 60)
        #expect(second.terminationReason == .exit && second.terminationStatus == 0)
        try await expectExactlyOnce(local: local, peer: peer, count: n)
        #expect(await peer.script.posts >= n + 1)  // the 4th was sent at least twice and stored once
        await peer.stop()
    }
}

extension OutboxForwarder.Pass {
    init(delivered: Int, retrying: Int, rejected: Int) {
        self.init()
        self.delivered = delivered
        self.retrying = retrying
        self.rejected = rejected
    }
}
