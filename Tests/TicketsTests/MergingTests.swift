import Findings
import Foundation
import GRDB
import Geodesy
import Testing
import TestSupport
@testable import Tickets

@Suite struct MergingTests {
    @Test(arguments: StoreBackend.allCases) func overlappingFramesMakeOneTicket(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        // One crack in three overlapping frames; each frame's geolocation is off by up to 0.3 m.
        let batch = SurveyBatch(surveyName: "s1", frames: [
            Fixtures.frame("f1", [Fixtures.crack(east: 0, north: 0, widthMm: 6)]),
            Fixtures.frame("f2", [Fixtures.crack(east: 0.3, north: 0, widthMm: 7)]),
            Fixtures.frame("f3", [Fixtures.crack(east: 0.1, north: 0.25, widthMm: 5)]),
        ])
        let s = try await store.ingest(batch, actor: "survey:s1")
        #expect(s.framesAdded == 3 && s.findingsAdded == 3 && s.ticketsCreated == 1)
        let tickets = try await store.tickets(TicketQuery())
        let t = try #require(tickets.first)
        #expect(tickets.count == 1)
        #expect(t.sightings == 3 && t.surveyCount == 1)
        #expect(t.widthMm == 7)
        let findings = try await store.findings(ticketId: t.id!)
        #expect(findings.count == 3)
        #expect(Set(findings.map(\.frameId)).count == 3)
        let events = try await store.events(ticketId: t.id!)
        #expect(events.map(\.kind) == [.created])
        #expect(events[0].actor == "survey:s1")
    }

    @Test(arguments: StoreBackend.allCases) func closeButDistinctCracksStayApart(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        // Two parallel cracks 1.5 m apart, RTK-grade location (0.2 m), each seen in two frames.
        let batch = SurveyBatch(surveyName: "s1", frames: [
            Fixtures.frame("f1", [Fixtures.crack(east: 0, north: 0, uncertaintyM: 0.2),
                                  Fixtures.crack(east: 0, north: 1.5, uncertaintyM: 0.2)]),
            Fixtures.frame("f2", [Fixtures.crack(east: 0.1, north: 0.05, uncertaintyM: 0.2),
                                  Fixtures.crack(east: 0.1, north: 1.55, uncertaintyM: 0.2)]),
        ])
        let s = try await store.ingest(batch, actor: "test")
        #expect(s.ticketsCreated == 2)
        let tickets = try await store.tickets(TicketQuery(orderByPriority: false))
        #expect(tickets.map(\.sightings) == [2, 2])
        // With consumer-GPS uncertainty (1 m each) the same two cannot be told apart: one ticket.
        let vague = try await backend.store()
        let s2 = try await vague.ingest(SurveyBatch(surveyName: "s1", frames: [
            Fixtures.frame("f1", [Fixtures.crack(east: 0, north: 0, uncertaintyM: 1),
                                  Fixtures.crack(east: 0, north: 1.5, uncertaintyM: 1)]),
        ]), actor: "test")
        #expect(s2.ticketsCreated == 1)
    }

    @Test(arguments: StoreBackend.allCases) func differentClassesNeverMerge(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        let s = try await store.ingest(SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("f", [Fixtures.crack(east: 0, north: 0), Fixtures.leak(east: 0.5, north: 0)]),
        ]), actor: "test")
        #expect(s.ticketsCreated == 2)
    }

    @Test func chainsMergeTransitively() {
        let m = Merging()
        let fs = [Fixtures.crack(east: 0, north: 0, uncertaintyM: 0.1),
                  Fixtures.crack(east: 10, north: 0, uncertaintyM: 0.1),
                  Fixtures.crack(east: 1.1, north: 0, uncertaintyM: 0.1),   // touches #0's end (1.0) within 0.2
                  Fixtures.crack(east: 2.2, north: 0, uncertaintyM: 0.1)]   // touches #2's end (2.1)
        #expect(m.cluster(fs) == [[0, 2, 3], [1]])
    }

    @Test(arguments: StoreBackend.allCases) func findingsWithoutLocationAreSeparateTickets(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        var f = Fixtures.crack(east: 0, north: 0)
        f.latitude = nil
        f.longitude = nil
        f.geoOutline = nil
        let s = try await store.ingest(SurveyBatch(surveyName: "s", frames: [Fixtures.frame("a", [f, f])]),
                                       actor: "test")
        #expect(s.ticketsCreated == 2)
        let t = try await store.tickets(TicketQuery())
        #expect(t.allSatisfy { $0.location == nil })
    }

    @Test(arguments: StoreBackend.allCases) func growthBetweenSurveysUpdatesTheTicket(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        _ = try await store.ingest(SurveyBatch(surveyName: "2026-05", frames: [
            Fixtures.frame("may-1", [Fixtures.crack(east: 0, north: 0, lengthM: 1.0, widthMm: 8)]),
        ]), actor: "survey:2026-05")
        let before = try #require(try await store.tickets(TicketQuery()).first)
        #expect(before.severity == .low)
        let s = try await store.ingest(SurveyBatch(surveyName: "2026-06", frames: [
            Fixtures.frame("jun-1", [Fixtures.crack(east: 0.2, north: 0.1, lengthM: 1.6, widthMm: 14)]),
        ]), actor: "survey:2026-06")
        #expect(s.ticketsCreated == 0 && s.ticketsUpdated == 1)
        let tickets = try await store.tickets(TicketQuery())
        #expect(tickets.count == 1)
        let t = tickets[0]
        #expect(t.id == before.id)
        #expect(t.surveyCount == 2 && t.sightings == 2)
        #expect(t.firstWidthMm == 8 && t.widthMm == 14)
        #expect(t.firstLengthM == 1.0 && t.lengthM == 1.6)
        #expect(abs(t.growth - 0.75) < 1e-9)
        #expect(t.severity == .medium)
        #expect(t.priority > before.priority)
        #expect(t.lastSeen >= before.lastSeen)
        #expect(try await store.events(ticketId: t.id!).map(\.kind) == [.created, .sighting])
    }

    /// A 60 m crack whose far end is seen again: the match reaches past the ticket's position (its centre,
    /// 30 m away) through the stored outline radius (without work-order limits, which would cut the crack).
    @Test(arguments: StoreBackend.allCases) func longCrackSeenAtItsEndMerges(_ backend: StoreBackend) async throws {
        let store = try await backend.store(model: PriorityModel(workOrder: .unlimited))
        _ = try await store.ingest(SurveyBatch(surveyName: "a", frames: [
            Fixtures.frame("a", [Fixtures.crack(east: 0, north: 0, lengthM: 60, uncertaintyM: 0.1)])]), actor: "t")
        let t = try #require(try await store.tickets(TicketQuery()).first)
        #expect(abs(t.radiusM - 30.1) < 0.05)  // half the length plus the finding's uncertainty
        let s = try await store.ingest(SurveyBatch(surveyName: "b", frames: [
            Fixtures.frame("b", [Fixtures.crack(east: 59.5, north: 0.1, lengthM: 1, uncertaintyM: 0.1)])]), actor: "t")
        #expect(s.ticketsCreated == 0 && s.ticketsUpdated == 1)
    }

    /// A defect seen in one survey as a chain of findings is found again by a later survey that sees only
    /// the far end of the chain, away from the ticket's representative outline.
    @Test(arguments: StoreBackend.allCases) func laterSurveyMatchesAnyPartOfAChain(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        let s1 = try await store.ingest(SurveyBatch(surveyName: "a", frames: [
            Fixtures.frame("a1", [Fixtures.crack(east: 0, north: 0, lengthM: 1.05, uncertaintyM: 0.1)]),
            Fixtures.frame("a2", [Fixtures.crack(east: 1.15, north: 0, lengthM: 1, uncertaintyM: 0.1)]),
            Fixtures.frame("a3", [Fixtures.crack(east: 2.25, north: 0, lengthM: 1, uncertaintyM: 0.1)]),
        ]), actor: "t")
        #expect(s1.ticketsCreated == 1)
        let s2 = try await store.ingest(SurveyBatch(surveyName: "b", frames: [
            Fixtures.frame("b1", [Fixtures.crack(east: 2.4, north: 0.2, lengthM: 1, uncertaintyM: 0.1)])]), actor: "t")
        #expect(s2.ticketsCreated == 0 && s2.ticketsUpdated == 1)
    }

    @Test(arguments: StoreBackend.allCases) func sameImportTwiceCreatesNothing(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        let batch = SurveyBatch(surveyName: "s", frames: [
            Fixtures.frame("f1", [Fixtures.crack(east: 0, north: 0), Fixtures.leak(east: 20, north: 0)]),
            Fixtures.frame("f2", [Fixtures.crack(east: 0.2, north: 0)]),
        ])
        let first = try await store.ingest(batch, actor: "test")
        #expect(first.ticketsCreated == 2)
        let ticketsBefore = try await store.tickets(TicketQuery(orderByPriority: false))
        let second = try await store.ingest(batch, actor: "test")
        #expect(second.framesSkipped == 2 && second.framesAdded == 0 && second.findingsAdded == 0)
        #expect(second.ticketsCreated == 0 && second.ticketsUpdated == 0)
        // Under another survey name the frames are still the same images.
        let third = try await store.ingest(SurveyBatch(surveyName: "other", frames: batch.frames), actor: "test")
        #expect(third.framesSkipped == 2 && third.ticketsCreated == 0)
        #expect(try await store.tickets(TicketQuery(orderByPriority: false)) == ticketsBefore)
    }

    /// A store with one crack ticket that was confirmed, dispatched and fixed.
    func fixedTicket(_ backend: StoreBackend) async throws -> (any TicketStore, Int64) {
        let store = try await backend.store()
        _ = try await store.ingest(SurveyBatch(surveyName: "a", frames: [
            Fixtures.frame("a1", [Fixtures.crack(east: 0, north: 0)])]), actor: "test")
        let id = try #require(try await store.tickets(TicketQuery()).first?.id)
        for s in [TicketStatus.confirmed, .dispatched, .fixed] {
            _ = try await store.transition(ticketId: id, to: s, actor: "alice", note: nil)
        }
        return (store, id)
    }

    @Test(arguments: StoreBackend.allCases) func fixedTicketSeenAgainIsReopened(_ backend: StoreBackend) async throws {
        let (store, id) = try await fixedTicket(backend)
        let s = try await store.ingest(SurveyBatch(surveyName: "b", frames: [
            Fixtures.frame("b1", [Fixtures.crack(east: 0.1, north: 0)], footprint: 50)]), actor: "survey:b")
        #expect(s.ticketsReopened == 1 && s.ticketsVerified == 0 && s.ticketsCreated == 0)
        #expect(try await store.ticket(id: id)?.status == .reopened)
        let last = try #require(try await store.events(ticketId: id).last)
        #expect(last.toStatus == .reopened && last.fromStatus == .fixed && last.note == "closed, not fixed")
        #expect(last.actor == "survey:b")
    }

    @Test(arguments: StoreBackend.allCases) func fixedTicketCoveredAndNotSeenIsVerified(_ backend: StoreBackend) async throws {
        let (store, id) = try await fixedTicket(backend)
        // A frame far away covers nothing: still fixed.
        var far = Fixtures.frame("far", [], footprint: 10)
        far.report.footprint = far.report.footprint!.map { GeoPoint(latitude: $0.latitude + 0.01, longitude: $0.longitude) }
        var s = try await store.ingest(SurveyBatch(surveyName: "b", frames: [far]), actor: "survey:b")
        #expect(s.ticketsVerified == 0)
        #expect(try await store.ticket(id: id)?.status == .fixed)
        s = try await store.ingest(SurveyBatch(surveyName: "c", frames: [Fixtures.frame("c1", [], footprint: 20)]),
                                   actor: "survey:c")
        #expect(s.ticketsVerified == 1)
        #expect(try await store.ticket(id: id)?.status == .verified)
    }

    @Test(arguments: StoreBackend.allCases) func rejectedTicketAbsorbsLaterSightings(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        _ = try await store.ingest(SurveyBatch(surveyName: "a", frames: [
            Fixtures.frame("a1", [Fixtures.crack(east: 0, north: 0)])]), actor: "test")
        let id = try #require(try await store.tickets(TicketQuery()).first?.id)
        _ = try await store.transition(ticketId: id, to: .rejected, actor: "bob", note: "lane marking")
        let s = try await store.ingest(SurveyBatch(surveyName: "b", frames: [
            Fixtures.frame("b1", [Fixtures.crack(east: 0, north: 0)])]), actor: "test")
        #expect(s.ticketsCreated == 0)
        #expect(try await store.ticket(id: id)?.status == .rejected)
    }

    @Test func gapIsMetricDistance() {
        let m = Merging()
        let a = Merging.Shape(Fixtures.crack(east: 0, north: 0, uncertaintyM: 0))!
        let b = Merging.Shape(Fixtures.crack(east: 0, north: 3, uncertaintyM: 0))!
        #expect(abs(m.gap(a, b) - 3) < 0.01)
        let l1 = Merging.Shape(Fixtures.leak(east: 0, north: 0, side: 2))!
        let l2 = Merging.Shape(Fixtures.leak(east: 0.5, north: 0.5, side: 0.2))!  // inside l1
        #expect(m.gap(l1, l2) == 0)
    }
}

@Suite struct ClusterSweepTests {
    /// The sweep finds exactly the pairs that the all-pairs definition finds.
    @Test(arguments: [1, 2, 3])
    func sweepEqualsAllPairs(seed: UInt64) {
        var rng = TestSupport.SeededRandom(seed: seed)
        func unit() -> Double { Double.random(in: 0..<1, using: &rng) }
        let m = Merging()
        var fs: [Finding] = []
        for _ in 0..<300 {
            let east = unit() * 400, north = unit() * 40
            let u = unit() * 0.8
            fs.append(unit() < 0.7 ? Fixtures.crack(east: east, north: north, lengthM: unit() * 3, uncertaintyM: u)
                                       : Fixtures.leak(east: east, north: north, side: 0.2 + unit() * 2, uncertaintyM: u))
        }
        // Reference: union over all pairs.
        var parent = Array(fs.indices)
        func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
        let shapes = fs.map(Merging.Shape.init)
        for i in fs.indices {
            for j in fs.indices where j > i && m.matches(shapes[i]!, shapes[j]!) {
                let a = root(i), b = root(j)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in fs.indices { groups[root(i), default: []].append(i) }
        let reference = groups.keys.sorted().map { groups[$0]! }
        let got = m.cluster(fs)
        #expect(got == reference)
        #expect(got.count > 20 && got.count < 300)  // the test data has both merges and singles
    }
}

@Suite struct MatchingGapTests {
    /// The bounding-box shortcut of `matchingGap` rejects only pairs that the exact distance rejects too.
    @Test(arguments: [4, 5])
    func boxTestNeverLosesAMatch(seed: UInt64) {
        var rng = TestSupport.SeededRandom(seed: seed)
        func unit() -> Double { Double.random(in: 0..<1, using: &rng) }
        let m = Merging()
        var shapes: [Merging.Shape] = []
        for _ in 0..<200 {
            // Close to each other (a few metres) so that many pairs match and many just miss.
            let east = unit() * 12, north = unit() * 12, u = unit() < 0.3 ? 0 : unit() * 0.6
            let f = unit() < 0.6 ? Fixtures.crack(east: east, north: north, lengthM: unit() * 3, uncertaintyM: u)
                                 : Fixtures.leak(east: east, north: north, side: 0.2 + unit() * 2, uncertaintyM: u)
            shapes.append(Merging.Shape(f)!)
        }
        var matched = 0
        for a in shapes {
            for b in shapes {
                let exact = a.defectClass == b.defectClass && m.gap(a, b) <= a.uncertaintyM + b.uncertaintyM + m.toleranceM
                let fast = m.matchingGap(a, b)
                #expect((fast != nil) == exact)
                if let fast { #expect(fast == m.gap(a, b)); matched += 1 }
            }
        }
        #expect(matched > 400 && matched < 200 * 200 / 2, "a mix of matching and distant pairs: \(matched)")
    }
}

@Suite struct MemberBoxTests {
    /// Reading only the tickets and sightings whose extent meets the group's (the R*Tree indexes) picks the same
    /// ticket as reading every ticket and sighting, and reads far fewer sightings when a ticket has grown long.
    @Test func sameMatchFewerReads() async throws {
        let store = try SQLiteTicketStore.inMemory(model: PriorityModel(workOrder: .unlimited))
        // One long crack seen as 60 touching pieces along 60 m of street: one ticket with 60 sightings (no work-order
        // limit: this tests the index on a long ticket).
        let pieces = (0..<60).map { Fixtures.crack(east: Double($0), north: 0, lengthM: 1.02, uncertaintyM: 0.1) }
        _ = try await store.ingest(SurveyBatch(surveyName: "a", frames: [Fixtures.frame("street", pieces)]), actor: "t")
        #expect(try await Fixtures.ticketCount(store) == 1)
        var rng = TestSupport.SeededRandom(seed: 9)
        let merging = Merging()
        var fewer = 0
        for _ in 0..<40 {
            let east = Double.random(in: -5..<65, using: &rng), north = Double.random(in: -2..<2, using: &rng)
            let group = [Fixtures.crack(east: east, north: north, lengthM: Double.random(in: 0.2..<2, using: &rng),
                                        uncertaintyM: Double.random(in: 0..<0.5, using: &rng))]
            let box = try #require(IngestPlan.searchExtent(for: group, merging: merging))
            let (all, near) = try await store.writer.read { db in
                (try Ticket.order(Column("id")).fetchAll(db).map { t in
                    (ticket: t, members: try FindingRecord.filter(Column("ticketId") == t.id).fetchAll(db).map(\.finding))
                 },
                 try SQLiteTicketStore.candidates(db, of: .crack, reaching: box))
            }
            #expect(IngestPlan.bestMatch(for: group, among: all, merging: merging)?.id
                    == IngestPlan.bestMatch(for: group, among: near, merging: merging)?.id)
            let (nearCount, allCount) = (near.flatMap { $0.members }.count, all.flatMap { $0.members }.count)
            #expect(nearCount <= allCount)
            if nearCount * 5 < allCount { fewer += 1 }
        }
        #expect(fewer > 30, "most groups read a fifth of the sightings or fewer: \(fewer)")
    }
}
