import Findings
import Foundation
import Pipeline
import Testing
import Tickets

@Suite("Persistence rule")
struct PersistenceRuleTests {
    static func leak(_ x: Int, _ y: Int, _ size: Int = 10) -> Finding {
        Finding(defectClass: .leak, confidence: 0.9, bbox: BoundingBox(x: x, y: y, width: size, height: size))
    }

    @Test("N of the last M frames at the same place")
    func tracker() {
        var t = PersistenceTracker(required: 3, window: 5)
        // 1 of 5: never reported.
        #expect(t.observe([Self.leak(10, 10)]) == [])
        for _ in 0..<5 { #expect(t.observe([]) == []) }
        #expect(t.tracks.isEmpty)
        // Seen, missed, seen (jittered by a pixel), missed, seen: the third sighting within 5 frames confirms.
        #expect(t.observe([Self.leak(10, 10)]) == [])
        #expect(t.observe([]) == [])
        #expect(t.observe([Self.leak(11, 10)]) == [])
        #expect(t.observe([Self.leak(40, 30)]) == [])  // elsewhere: another track
        #expect(t.observe([Self.leak(40, 30), Self.leak(10, 11)]) == [1])
        // Confirmed: not reported again without resighting.
        #expect(t.observe([Self.leak(10, 10)]) == [])
        // Other class at the same place is another defect.
        var crack = Self.leak(10, 10)
        crack.defectClass = .crack
        #expect(t.observe([crack]) == [])
    }

    @Test("sightings spread too thin do not count: 3 over 6 frames with M = 5")
    func window() {
        var t = PersistenceTracker(required: 3, window: 5)
        let seen = [true, false, false, false, true, true]
        var reported = 0
        for s in seen { reported += t.observe(s ? [Self.leak(5, 5)] : []).count }
        #expect(reported == 0)
        reported += t.observe([Self.leak(5, 5)]).count  // now 3 in the last 5
        #expect(reported == 1)
    }

    @Test("re-sightings of a confirmed defect every K sightings")
    func resight() {
        var t = PersistenceTracker(required: 2, window: 3, resightEvery: 3)
        var reports: [Int] = []
        for i in 0..<9 where !t.observe([Self.leak(20, 20)]).isEmpty { reports.append(i) }
        #expect(reports == [1, 4, 7])
    }

    @Test("IoU")
    func iou() {
        let a = BoundingBox(x: 0, y: 0, width: 10, height: 10)
        #expect(PersistenceTracker.iou(a, a) == 1)
        #expect(PersistenceTracker.iou(a, BoundingBox(x: 5, y: 0, width: 10, height: 10)) == 50.0 / 150.0)
        #expect(PersistenceTracker.iou(a, BoundingBox(x: 10, y: 0, width: 10, height: 10)) == 0)
    }

    /// End to end through decode, the dark-region inspector, the rule, geotagging and the SQLite store.
    @Test("1 of 5 frames: no ticket; 3 of 5: one ticket; seen again: the same ticket updated")
    func tickets() async throws {
        let store = try SQLiteTicketStore.inMemory()
        let runner = try WatchFixtures.runner(persist: 3, window: 5, camera: try WatchFixtures.camera(), store: store)
        let blob = [(20, 15, 10)]
        // Frames 0-4: the blob once. 5-9: nothing. 10-14: three times. 15-24: gone (track forgotten).
        // 25-29: back three times, jittered.
        var plan: [[(Int, Int, Int)]] = [blob, [], [], [], []]
        plan += Array(repeating: [], count: 5)
        plan += [blob, [], blob, blob, []]
        plan += Array(repeating: [], count: 10)
        plan += [[(21, 15, 10)], [(21, 16, 10)], [], [(20, 16, 10)], []]
        var frames: [WatchFrame] = []
        for (i, blobs) in plan.enumerated() {
            frames.append(WatchFrame(name: "cam#\(i)", bytes: try WatchFixtures.frame(i, blobs: blobs)))
        }
        // After the first 10 frames: nothing stored.
        let first = try await runner.run(source: ArrayFrameSource(frames: Array(frames.prefix(10))))
        #expect(first.framesProcessed == 10)
        #expect(first.findings == 1)
        #expect(try await store.tickets(TicketQuery()).isEmpty)

        let runner2 = try WatchFixtures.runner(persist: 3, window: 5, camera: try WatchFixtures.camera(), store: store)
        let second = try await runner2.run(source: ArrayFrameSource(frames: Array(frames.dropFirst(10))))
        #expect(second.framesFailed == 0)
        #expect(second.ticketsCreated == 1)
        #expect(second.ticketsUpdated == 1)
        let tickets = try await store.tickets(TicketQuery())
        try #require(tickets.count == 1)
        #expect(tickets[0].defectClass == .leak)
        #expect(tickets[0].sightings == 2)
        let position = try #require(tickets[0].location)
        // The blob's centre (25, 20) px at 10 cm/px from the top-left corner.
        let expected = try WatchFixtures.camera().coordinate(x: 25, y: 20)
        #expect(abs(position.latitude - expected.latitude) < 2e-6)
        #expect(abs(position.longitude - expected.longitude) < 3e-6)
    }

    /// Fixed cameras are geotagged like survey frames (one geotagger): a crack seen through the camera's homography
    /// gets its length in metres, its width in millimetres and so a severity.
    @Test("a fixed camera's crack ticket has width, length and severity")
    func fixedCameraMeasures() async throws {
        let store = try SQLiteTicketStore.inMemory()
        let runner = try WatchFixtures.runner(persist: 1, window: 1, camera: try WatchFixtures.camera(), store: store)
        // A dark bar 30 px long and 3 px wide: 3.0 m by 300 mm at the camera's 10 cm per pixel.
        let bytes = try WatchFixtures.frame(0, bars: [(10, 20, 30, 3)])
        let summary = try await runner.run(source: ArrayFrameSource(frames: [WatchFrame(name: "cam#0", bytes: bytes)]))
        #expect(summary.ticketsCreated == 1)
        let ticket = try #require(try await store.tickets(TicketQuery()).first)
        #expect(ticket.defectClass == .crack)
        // JPEG blurs the bar's edges by a pixel or so.
        let width = try #require(ticket.widthMm)
        #expect(width > 200 && width < 400)
        #expect(abs(try #require(ticket.lengthM) - 3.0) < 0.3)
        #expect(ticket.severity == .high)
    }
}
