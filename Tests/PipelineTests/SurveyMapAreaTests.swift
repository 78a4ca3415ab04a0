import Findings
import Foundation
@testable import Reports
import Testing
import Tickets
@testable import Pipeline

@Suite("Map areas")
struct SurveyMapAreaTests {
    func frame(_ lat: Double?, _ lon: Double?) -> FrameRecord {
        FrameRecord(surveyId: 1, report: FrameReport(file: "f.jpg", width: 10, height: 10, findings: [],
                                                     latitude: lat, longitude: lon), contentHash: UUID().uuidString)
    }

    func ticket(_ lat: Double, _ lon: Double) -> Ticket {
        Ticket(id: Int64.random(in: 1...1_000_000), defectClass: .crack, latitude: lat, longitude: lon,
               source: "test", at: Date())
    }

    @Test("places far apart are separate areas, most defects first; positionless frames are left out")
    func farApart() {
        let frames = [frame(47.37, 8.54), frame(47.38, 8.55), frame(34.58, 135.45), frame(nil, nil)]
        let tickets = [ticket(34.586, 135.451), ticket(34.587, 135.452), ticket(47.375, 8.545)]
        let areas = SurveyMap.areas(frames: frames, tickets: tickets)
        #expect(areas.count == 2)
        #expect(areas[0].tickets.count == 2 && areas[0].frames.count == 1)
        #expect(areas[0].south == 34.58 && areas[0].north == 34.587 && areas[0].west == 135.45 && areas[0].east == 135.452)
        #expect(areas[1].tickets.count == 1 && areas[1].frames.count == 2)
    }

    @Test("a flight line crossing many cells stays one area; a gap of more than two cells splits it")
    func chains() {
        let line = (0..<20).map { frame(47.0 + Double($0) * 0.08, 8.0) }
        #expect(SurveyMap.areas(frames: line, tickets: []).count == 1)
        let split = line + [frame(47.0 + 19 * 0.08 + 0.25, 8.0)]
        #expect(SurveyMap.areas(frames: split, tickets: []).count == 2)
        #expect(SurveyMap.areas(frames: [], tickets: []).isEmpty)
    }

    @Test("the report draws one map per area")
    func reportMaps() {
        let one = SurveyReport.mapSection(frames: [frame(47.37, 8.54)], tickets: [ticket(47.37, 8.54)])
        #expect(one.components(separatedBy: "<svg").count == 2 && !one.contains("areas far apart"))
        let two = SurveyReport.mapSection(frames: [frame(47.37, 8.54), frame(34.58, 135.45)], tickets: [ticket(47.37, 8.54)])
        #expect(two.components(separatedBy: "<svg").count == 3 && two.contains("2 areas far apart"))
    }
}
