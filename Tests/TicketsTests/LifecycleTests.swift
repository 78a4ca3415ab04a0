import Findings
import Foundation
import Testing
@testable import Tickets

@Suite struct LifecycleTests {
    func storeWithTicket(_ backend: StoreBackend) async throws -> (any TicketStore, Int64) {
        let store = try await backend.store()
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("f", [Fixtures.crack(east: 0, north: 0)])]), actor: "survey:s")
        return (store, try #require(try await store.tickets(TicketQuery()).first?.id))
    }

    @Test(arguments: StoreBackend.allCases) func everyTransitionIsAnEventWithActorAndTime(_ backend: StoreBackend) async throws {
        let (store, id) = try await storeWithTicket(backend)
        let start = Date()
        _ = try await store.transition(ticketId: id, to: .confirmed, actor: "alice", note: "real crack")
        _ = try await store.transition(ticketId: id, to: .dispatched, actor: "bob", note: nil)
        let t = try await store.transition(ticketId: id, to: .fixed, actor: "crew-7", note: nil)
        #expect(t.status == .fixed)
        let events = try await store.events(ticketId: id)
        #expect(events.map(\.kind) == [.created, .status, .status, .status])
        #expect(events.dropFirst().map(\.actor) == ["alice", "bob", "crew-7"])
        #expect(events.dropFirst().map(\.toStatus) == [.confirmed, .dispatched, .fixed])
        #expect(events.dropFirst().map(\.fromStatus) == [.new, .confirmed, .dispatched])
        #expect(events[1].note == "real crack")
        #expect(events.dropFirst().allSatisfy { $0.at >= start.addingTimeInterval(-1) })
    }

    @Test(arguments: StoreBackend.allCases, [TicketStatus.dispatched, .fixed, .verified, .reopened, .new])
    func illegalTransitionsFromNewAreRefused(_ backend: StoreBackend, to status: TicketStatus) async throws {
        let (store, id) = try await storeWithTicket(backend)
        await #expect(throws: TicketError.self) {
            _ = try await store.transition(ticketId: id, to: status, actor: "x", note: nil)
        }
        #expect(try await store.ticket(id: id)?.status == .new)
        #expect(try await store.events(ticketId: id).count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func unknownTicketIsNotFound(_ backend: StoreBackend) async throws {
        let (store, _) = try await storeWithTicket(backend)
        do {
            _ = try await store.transition(ticketId: 999, to: .confirmed, actor: "x", note: nil)
            Issue.record("expected an error")
        } catch let e as TicketError {
            #expect(e.code == .notFound)
        }
    }

    @Test(arguments: StoreBackend.allCases) func dispatchEnqueuesOnceWithAStableKey(_ backend: StoreBackend) async throws {
        let (store, id) = try await storeWithTicket(backend)
        _ = try await store.transition(ticketId: id, to: .confirmed, actor: "a", note: nil)
        _ = try await store.transition(ticketId: id, to: .dispatched, actor: "a", note: nil)
        _ = try await store.transition(ticketId: id, to: .rejected, actor: "a", note: nil)
        _ = try await store.transition(ticketId: id, to: .confirmed, actor: "a", note: nil)
        _ = try await store.transition(ticketId: id, to: .dispatched, actor: "a", note: nil)
        let items = try await store.outboxItems()
        #expect(items.count == 1)
        #expect(items[0].state == .pending && items[0].ticketId == id)
        #expect(items[0].idempotencyKey.hasPrefix("pavewatch-") && items[0].idempotencyKey.hasSuffix("-\(id)"))
        // A second database has another instance id, so its keys never collide at a shared peer.
        let (other, otherId) = try await storeWithTicket(backend)
        _ = try await other.transition(ticketId: otherId, to: .confirmed, actor: "a", note: nil)
        _ = try await other.transition(ticketId: otherId, to: .dispatched, actor: "a", note: nil)
        #expect(try await other.outboxItems()[0].idempotencyKey != items[0].idempotencyKey)
    }

    @Test func open311StatusMapping() {
        #expect(TicketStatus.matching(open311: "open") == [.new, .confirmed, .dispatched, .reopened])
        #expect(TicketStatus.matching(open311: "closed") == [.rejected, .fixed, .verified])
        #expect(TicketStatus.matching(open311: "OPEN") == nil)
    }
}

@Suite struct FrameFailureTests {
    @Test("A failed frame is kept with its reason, replaced by a later failure, removed by a later success",
          arguments: StoreBackend.allCases)
    func failuresAreRecorded(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let id = try await store.recordFrameFailure(surveyName: "s", path: "/flight/a.jpg", reason: "truncated", at: t0)
        _ = try await store.recordFrameFailure(surveyName: "s", path: "/flight/b.jpg", reason: "not an image", at: t0)
        #expect(try await store.recordFrameFailure(surveyName: "s", path: "/flight/a.jpg", reason: "corrupt",
                                                   at: t0.addingTimeInterval(60)) == id)
        var failures = try await store.frameFailures(surveyId: id)
        #expect(failures.map(\.path) == ["/flight/a.jpg", "/flight/b.jpg"])
        #expect(failures.map(\.reason) == ["corrupt", "not an image"])
        #expect(failures[0].failedAt == t0.addingTimeInterval(60))
        // The same survey name is the same survey: a later ingest of a.jpg clears its failure.
        let frame = SurveyBatch.Frame(report: FrameReport(file: "/flight/a.jpg", width: 10, height: 10, findings: []),
                                      contentHash: "a")
        #expect(try await store.ingest(SurveyBatch(surveyName: "s", frames: [frame]), actor: "t").surveyId == id)
        failures = try await store.frameFailures(surveyId: nil)
        #expect(failures.map(\.path) == ["/flight/b.jpg"])
        #expect(try await store.frameFailures(surveyId: id + 1).isEmpty)
    }
}
