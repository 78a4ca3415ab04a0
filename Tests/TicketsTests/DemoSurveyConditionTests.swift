import Findings
import Foundation
import Geodesy
import Testing
@testable import Tickets

/// The condition index over a real flight: the four frames of `datasets/demo-survey` (OpenDroneMap garfield, Parrot
/// Sequoia at 120 m) as `pavewatch survey datasets/demo-survey` stored them (position, footprint, paved share and
/// surveyed area from the detector; it found no defect on them), on both stores.
@Suite(.serialized) struct DemoSurveyConditionTests {
    /// The stored frame records of the real survey (release build of 290186d, 2026-12-07); capture times from EXIF.
    static let frames: [(file: String, time: String, surfaceFraction: Double, surveyedAreaM2: Double, footprint: [(Double, Double)])] = [
        ("IMG_161122_164145_0090_RGB.JPG", "2016-11-22T16:41:45Z", 0.318, 5373.3,
         [(41.429054408621006, -81.6068458248121), (41.42953140671753, -81.60507595677844), (41.4285625168972, -81.60469747738397), (41.428116153587574, -81.60629085480811)]),
        ("IMG_161122_164150_0091_RGB.JPG", "2016-11-22T16:41:50Z", 0.286, 4739.3,
         [(41.4294570315612, -81.60677046007447), (41.42995701058344, -81.60508291301515), (41.4290150134144, -81.60462685682019), (41.42853159786496, -81.60624484407039)]),
        ("IMG_161122_164155_0092_RGB.JPG", "2016-11-22T16:41:55Z", 0.231, 3841.4,
         [(41.42981835782261, -81.6067876297134), (41.43058201233087, -81.6052645972156), (41.429719548856504, -81.60456626016754), (41.42900277784559, -81.60600931983399)]),
        ("IMG_161122_164200_0093_RGB.JPG", "2016-11-22T16:42:00Z", 0.164, 2720.6,
         [(41.43050033366665, -81.60674155089909), (41.430958108641406, -81.60504364873347), (41.43000884391393, -81.60461889072526), (41.42956188668471, -81.60626371698582)]),
    ]

    /// The real frames as one survey batch; `findings` per frame index, capture times moved by `years`.
    static func batch(_ name: String, years: Int = 0, findings: [Int: [Finding]] = [:]) -> SurveyBatch {
        SurveyBatch(surveyName: name, frames: frames.enumerated().map { i, f in
            var r = FrameReport(file: f.file, width: 4608, height: 3456, findings: findings[i] ?? [],
                                footprint: f.footprint.map { GeoPoint(latitude: $0.0, longitude: $0.1) },
                                capturedAt: String(2016 + years) + f.time.dropFirst(4))
            r.surfaceFraction = f.surfaceFraction
            r.surveyedAreaM2 = f.surveyedAreaM2
            return SurveyBatch.Frame(report: r, contentHash: ContentHash.sha256Hex(Array("\(name)/\(f.file)".utf8)))
        })
    }

    /// A crack `lengthM` long running east from `east`/`north` metres of frame 0091's centre.
    static func crack(east: Double, north: Double, lengthM: Double, widthMm: Double, subtype: String = "transverse") -> Finding {
        let centre = GeoPoint(latitude: 41.42918794444444, longitude: -81.60564722222222)
        let a = Fixtures.point(east: east, north: north, from: centre), b = Fixtures.point(east: east + lengthM, north: north, from: centre)
        let c = Fixtures.point(east: east + lengthM / 2, north: north, from: centre)
        return Finding(defectClass: .crack, subtype: subtype, confidence: 0.8, bbox: BoundingBox(x: 0, y: 0, width: 10, height: 2),
                       latitude: c.latitude, longitude: c.longitude, uncertaintyM: 2, lengthM: lengthM, widthMm: widthMm,
                       geoOutline: GeoOutline(kind: .lineString, points: [a, b]))
    }

    @Test func sampledAreaOfOneFrameMatchesTheDetectorsArea() {
        // One frame alone: the samples inside its footprint times its paved share give the area the detector measured.
        for (i, f) in Self.frames.enumerated() {
            let record = FrameRecord(surveyId: 1, report: Self.batch("one").frames[i].report, contentHash: "h")
            let (units, _) = ConditionUnit.cells(frames: [record])
            let area = ConditionAssessment.surveyedAreas(units, frames: [record]).reduce(0, +)
            #expect(abs(area - f.surveyedAreaM2) / f.surveyedAreaM2 < 0.03, "\(f.file): \(area) vs \(f.surveyedAreaM2)")
        }
    }

    @Test(arguments: StoreBackend.allCases) func realFlightConditionAndALaterSurvey(_ backend: StoreBackend) async throws {
        let store = try await backend.reviewStore()
        _ = try await store.ingest(Self.batch("garfield-2016"), actor: "t")
        // A year later over the same footprints: a 30 m transverse crack 12 mm wide (cut into work orders) and a
        // narrower one; two years later the wide crack is 20 mm.
        _ = try await store.ingest(Self.batch("garfield-2017", years: 1, findings: [
            1: [Self.crack(east: -15, north: 0, lengthM: 30, widthMm: 12), Self.crack(east: 5, north: 20, lengthM: 4, widthMm: 4)],
        ]), actor: "t")
        _ = try await store.ingest(Self.batch("garfield-2018", years: 2, findings: [
            1: [Self.crack(east: -15, north: 0, lengthM: 30, widthMm: 20)],
        ]), actor: "t")
        let history = try await SurveyHistory.load(from: store)
        let a = ConditionAssessment(history: history, segments: nil)
        let real = try #require(a.surveys.first)
        #expect(real.survey == "garfield-2016" && real.date == SurveyHistory.parseDate("2016-11-22T16:41:45Z"))
        // Overlapping frames count once: between the largest frame's paved area and the sum of all four.
        #expect(real.surveyedAreaM2 > 5373 && real.surveyedAreaM2 < 16675 && real.conditionIndex == 100)
        #expect(real.unitsSurveyed == a.units.count && a.units.count > 400)
        let later = a.rows.filter { $0.survey == "garfield-2017" && !$0.tickets.isEmpty }
        #expect(later.count >= 4)  // the 30 m crack over three or four 10 m units, the short one in another
        #expect(later.allSatisfy { ($0.conditionIndex ?? 100) < 100 })
        #expect(later.filter { $0.distresses.contains { $0.severity == .medium } }.count >= 3)
        #expect(a.surveys[1].conditionIndex! < 100 && a.surveys[2].conditionIndex! < 100)
        // No ticket is longer than the work-order extent.
        let tickets = try await store.tickets(TicketQuery())
        for t in tickets {
            let s = IngestPlan.size(of: try #require(t.bounds))
            #expect((s * s).sum().squareRoot() <= 10 + 1e-6)
        }
        // The wide crack's tickets were seen in two surveys and grew: each gets a date for turning high (76 mm).
        let forecasts = Forecast.tickets(history).filter { $0.surveys == 2 }
        #expect(forecasts.count >= 4 && forecasts.allSatisfy { $0.nextSeverity == .high && $0.date != nil })
        // Units rated in three surveys get a trend.
        #expect(Forecast.units(a, threshold: 95).contains { $0.surveys == 3 && ($0.changePerYear ?? 0) < 0 && $0.date != nil })
    }
}
