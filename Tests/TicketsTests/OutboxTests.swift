import Foundation
import InMemoryLogging
import Logging
import Testing
@testable import Tickets

@Suite struct OutboxTests {
    @Test(arguments: StoreBackend.allCases) func claimsAreLeased(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        _ = try await makeDispatched(store, count: 2)
        let now = Date()
        let a = try await store.claimOutboxItems(now: now, lease: 30, limit: 1)
        let b = try await store.claimOutboxItems(now: now, lease: 30, limit: 5)
        #expect(a.count == 1 && b.count == 1 && a[0].id != b[0].id)
        #expect(try await store.claimOutboxItems(now: now, lease: 30, limit: 5).isEmpty)
        // A forwarder that died: its items are due again once the lease has run out.
        #expect(try await store.claimOutboxItems(now: now.addingTimeInterval(31), lease: 30, limit: 5).count == 2)
    }

    @Test(arguments: StoreBackend.allCases) func deliveryIsRecordedOnce(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        _ = try await makeDispatched(store, count: 1)
        let item = try #require(try await store.outboxItems().first)
        try await store.recordDelivery(itemId: item.id!, remoteId: "r-1", at: Date())
        try await store.recordDelivery(itemId: item.id!, remoteId: "r-2", at: Date())
        try await store.recordFailure(itemId: item.id!, error: "late", nextAttemptAt: Date(), permanent: true)
        let after = try #require(try await store.outboxItems().first)
        #expect(after.state == .sent && after.remoteId == "r-1" && after.attempts == 1 && after.lastError == nil)
        #expect(try await store.ticket(id: item.ticketId)?.remoteId == "r-1")
        #expect(try await store.events(ticketId: item.ticketId).filter { $0.kind == .forwarded }.count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func retriesAreLoggedWithThePeerButNeverTheKey(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        _ = try await makeDispatched(store, count: 1)
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test", factory: { _ in handler })
        // Port 9 (discard) on loopback: nothing listens there.
        let config = ForwarderConfiguration(peerURL: "http://127.0.0.1:9/open311/v2", apiKey: "s3cret-key",
                                            requestTimeout: .milliseconds(300), statusPoll: nil)
        let forwarder = OutboxForwarder(store: store, configuration: config, logger: logger)
        let before = Date()
        let pass = try await forwarder.forwardDue()
        try await forwarder.shutdown()
        #expect(pass.retrying == 1)
        let entries = handler.entries
        let retry = try #require(entries.first { $0.message.description == "forwarding failed, will retry" })
        #expect(retry.metadata["peer"]?.description == "http://127.0.0.1:9/open311/v2")
        #expect(retry.metadata["ticket.id"] != nil && retry.level == .info)
        #expect(!entries.contains { "\($0.message) \($0.metadata)".contains("s3cret-key") })
        let item = try #require(try await store.outboxItems().first)
        #expect(item.state == .pending && item.attempts == 1 && item.nextAttemptAt >= before.addingTimeInterval(0.5))
    }
}
