import Foundation
import Testing
import Tickets

/// The review pages' part of the store (users, sessions, surveys, merging) on both backends.
@Suite struct ReviewStoreTests {
    @Test("users are saved, replaced and listed by name", arguments: StoreBackend.allCases)
    func users(_ backend: StoreBackend) async throws {
        let store = try await backend.reviewStore()
        let t0 = Date(timeIntervalSinceReferenceDate: 800_000_000)
        try await store.saveUser(UserAccount(name: "zoe", role: .viewer, passwordHash: "$2b$x", createdAt: t0))
        try await store.saveUser(UserAccount(name: "ann", role: .reviewer, passwordHash: "$2b$y", createdAt: t0))
        try await store.saveUser(UserAccount(name: "zoe", role: .admin, passwordHash: "$2b$z", createdAt: t0))
        #expect(try await store.users().map(\.name) == ["ann", "zoe"])
        let zoe = try #require(try await store.user(named: "zoe"))
        #expect(zoe.role == .admin && zoe.passwordHash == "$2b$z" && zoe.createdAt == t0)
        #expect(try await store.user(named: "nobody") == nil)
        #expect(try await store.user(named: "zoe' OR '1'='1") == nil)
    }

    @Test("a session is found until it expires or is deleted", arguments: StoreBackend.allCases)
    func sessions(_ backend: StoreBackend) async throws {
        let store = try await backend.reviewStore()
        try await store.saveUser(UserAccount(name: "ann", role: .reviewer, passwordHash: "$2b$y"))
        let now = Date()
        try await store.createSession(UserSession(tokenHash: "h1", userName: "ann", csrfToken: "c1",
                                                  expiresAt: now.addingTimeInterval(3600)))
        let found = try #require(try await store.session(tokenHash: "h1", now: now))
        #expect(found.user.name == "ann" && found.session.csrfToken == "c1")
        #expect(try await store.session(tokenHash: "h1", now: now.addingTimeInterval(3601)) == nil)
        #expect(try await store.session(tokenHash: "other", now: now) == nil)
        try await store.deleteSession(tokenHash: "h1")
        #expect(try await store.session(tokenHash: "h1", now: now) == nil)
    }

    @Test("merging moves findings and sightings and rejects the source with events on both", arguments: StoreBackend.allCases)
    func merge(_ backend: StoreBackend) async throws {
        let store = try await backend.reviewStore()
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("a", [Fixtures.crack(east: 0, north: 0)]),
            Fixtures.frame("b", [Fixtures.crack(east: 300, north: 0)])]), actor: "test")
        let tickets = try await store.tickets(TicketQuery())
        try #require(tickets.count == 2)
        let (source, target) = (tickets[0].id!, tickets[1].id!)
        let before = try await store.findings(ticketId: source).count + store.findings(ticketId: target).count
        let merged = try await store.merge(ticketId: source, into: target, actor: "ann")
        #expect(merged.id == target)
        #expect(try await store.findings(ticketId: target).count == before)
        #expect(try await store.findings(ticketId: source).isEmpty)
        #expect(try await store.ticket(id: source)?.status == .rejected)
        #expect(try await store.events(ticketId: source).contains { $0.actor == "ann" && $0.toStatus == .rejected })
        #expect(try await store.events(ticketId: target).contains { $0.actor == "ann" && $0.note?.contains("merged") == true })
        await #expect(throws: TicketError.self) { try await store.merge(ticketId: target, into: target, actor: "ann") }
        await #expect(throws: TicketError.self) { try await store.merge(ticketId: target, into: 9999, actor: "ann") }
        #expect(try await store.surveys().map(\.name) == ["s"])
        let surveyId = try #require(try await store.surveys().first?.id)
        // A survey stored directly (not enqueued for workers) has no job progress on either backend.
        #expect(try await store.surveyProgress(surveyId: surveyId) == nil)
    }
}
