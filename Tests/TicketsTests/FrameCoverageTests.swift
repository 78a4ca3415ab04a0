import Findings
import Testing
import Tickets

/// What a frame surveyed (paved share, area, detection limit) is stored with it on both backends: the condition
/// index divides distress by surveyed area.
@Suite("Frame coverage")
struct FrameCoverageTests {
    @Test("surface share, surveyed area and detection limit round-trip through the store", arguments: StoreBackend.allCases)
    func roundTrip(_ backend: StoreBackend) async throws {
        let store = try await backend.store()
        var frame = Fixtures.frame("covered", [])
        frame.report.surfaceFraction = 0.31
        frame.report.surveyedAreaM2 = 1225.6
        frame.report.detectionLimitMm = 16.2
        _ = try await store.ingest(SurveyBatch(surveyName: "s", frames: [frame, Fixtures.frame("unknown", [])]),
                                   actor: "test")
        let frames = try await store.frames().sorted { $0.path < $1.path }
        try #require(frames.count == 2)
        #expect(frames[0].path == "covered" && frames[0].surfaceFraction == 0.31)
        #expect(frames[0].surveyedAreaM2 == 1225.6 && frames[0].detectionLimitMm == 16.2)
        #expect(frames[1].surfaceFraction == nil && frames[1].detectionLimitMm == nil)
    }
}
