import Codecs
import Findings
import Foundation
import ImagingCore
import Logging
@testable import Reports
import Testing
@testable import Tickets
@testable import Pipeline

/// A deliberately simple inspector for testing the runner's mechanics (failures, resume, storage): it
/// reports each row band that holds pixels darker than 40 as one crack finding. The real detector is
/// tested in InspectionTests and end to end through the CLI.
struct DarkRowInspector: FrameInspector {
    var preferredFormat: PixelFormat { .gray8 }
    func inspect(_ image: DecodedImage, file: String, threads: Int) throws -> FrameReport {
        let px = image.pixels
        var findings: [Finding] = []
        var y = 0
        while y < px.height {
            let dark = (0..<px.width).filter { px[$0, y] < 40 }
            if let x0 = dark.first, let x1 = dark.last {
                findings.append(Finding(defectClass: .crack, confidence: 0.9,
                                        bbox: BoundingBox(x: x0, y: y, width: x1 - x0 + 1, height: 1),
                                        lengthPx: Double(x1 - x0 + 1), widthPx: 1))
                y += 8
            } else {
                y += 1
            }
        }
        return FrameReport(file: file, width: px.width, height: px.height, findings: findings)
    }
}

/// A survey folder with good frames (JPEG and PNG, nested), a corrupt JPEG, a text file named .jpg and an empty file.
func makeSurveyFolder() throws -> URL {
    let fm = FileManager.default
    let root = fm.temporaryDirectory.appendingPathComponent("pw-survey-\(UUID().uuidString)")
    try fm.createDirectory(at: root.appendingPathComponent("day1/north"), withIntermediateDirectories: true)
    for i in 0..<5 {
        var img = PixelBuffer(width: 96, height: 64, format: .gray8)
        for y in 0..<64 { for x in 0..<96 { img[x, y] = 150 } }
        for x in 10..<(30 + i * 10) { img[x, 20 + i] = 10 }  // one dark line per frame, a different one each time
        let data: [UInt8] = i % 2 == 0 ? try ImageEncoder.png(img) : try ImageEncoder.jpeg(img, quality: 98)
        let sub = i < 3 ? "day1/north" : "day1"
        let name = "frame\(i).\(i % 2 == 0 ? "png" : "JPG")"
        try Data(data).write(to: root.appendingPathComponent("\(sub)/\(name)"))
    }
    var corrupt = try ImageEncoder.jpeg(PixelBuffer(width: 64, height: 64, format: .gray8))
    corrupt = Array(corrupt.prefix(corrupt.count / 2))
    try Data(corrupt).write(to: root.appendingPathComponent("day1/cut.jpg"))
    try Data("not an image".utf8).write(to: root.appendingPathComponent("notes.jpg"))
    fm.createFile(atPath: root.appendingPathComponent("empty.png").path, contents: Data())
    return root
}

@Suite("Survey runner")
struct SurveyRunnerTests {
    @Test("good, corrupt, non-image and empty frames: failures named, the rest stored; a rerun skips everything")
    func survey() async throws {
        let root = try makeSurveyFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try SQLiteTicketStore.inMemory()
        let runner = SurveyRunner(store: store, inspector: DarkRowInspector(),
                                  options: SurveyOptions(surveyName: "test", concurrency: 2),
                                  logger: Logger(label: "test"))
        let first = try await runner.run(folder: root.path)
        #expect(first.framesTotal == 8)
        #expect(first.framesProcessed == 5)
        #expect(first.failures.count == 3)
        let failed = Set(first.failures.map { URL(fileURLWithPath: $0.file).lastPathComponent })
        #expect(failed == ["cut.jpg", "notes.jpg", "empty.png"])
        #expect(first.failures.first { $0.file.hasSuffix("empty.png") }?.reason.contains("empty") == true)
        #expect(first.findings == 5)
        #expect(try await store.frames().count == 5)
        // The failures are stored with their reasons for the survey page.
        let stored = try await store.frameFailures(surveyId: try #require(first.surveyId))
        #expect(Set(stored.map { URL(fileURLWithPath: $0.path).lastPathComponent }) == failed)
        #expect(stored.first { $0.path.hasSuffix("empty.png") }?.reason.contains("empty") == true)
        let tickets = try await store.tickets(TicketQuery())
        #expect(tickets.count == first.ticketsCreated && first.ticketsCreated >= 1)

        let second = try await runner.run(folder: root.path)
        #expect(second.framesProcessed == 0)
        #expect(second.framesSkipped == 5)
        #expect(second.ticketsCreated == 0)
        #expect(try await store.tickets(TicketQuery()).count == tickets.count)
    }

    @Test("a missing folder is a clear error")
    func missing() async throws {
        let runner = SurveyRunner(store: try SQLiteTicketStore.inMemory(), inspector: DarkRowInspector(),
                                  options: SurveyOptions(surveyName: "x"), logger: Logger(label: "test"))
        await #expect(throws: PipelineError.notAFolder("/no/such/survey")) { try await runner.run(folder: "/no/such/survey") }
    }
}

@Suite("Survey summary")
struct SurveySummaryTests {
    @Test("surveyed area adds up over frames; the detection limit spans the frames that have one")
    func coverage() {
        var s = SurveySummary(surveyName: "s")
        var a = FrameReport(file: "a", width: 10, height: 10, findings: [])
        a.surveyedAreaM2 = 120; a.detectionLimitMm = 16.2
        var b = FrameReport(file: "b", width: 10, height: 10, findings: [])
        b.surveyedAreaM2 = 30.5; b.detectionLimitMm = 32.4; b.leaksNotLookedFor = true
        let c = FrameReport(file: "c", width: 10, height: 10, findings: [])  // no ground scale
        for r in [a, b, c] { s.addCoverage(of: r) }
        #expect(s.surveyedAreaM2 == 150.5)
        #expect(s.detectionLimitMm == 16.2...32.4)
        #expect(s.framesWithoutLeakSearch == 1)
        var none = SurveySummary(surveyName: "n")
        none.addCoverage(of: c)
        #expect(none.detectionLimitMm == nil && none.surveyedAreaM2 == 0)
    }

    @Test("the HTML report states the surveyed surface and the detection limits of its frames")
    func reportCoverage() {
        var a = FrameRecord(surveyId: 1, path: "a.jpg", contentHash: "a", width: 10, height: 10)
        a.surveyedAreaM2 = 120; a.detectionLimitMm = 16.2
        var b = FrameRecord(surveyId: 1, path: "b.jpg", contentHash: "b", width: 10, height: 10)
        b.surveyedAreaM2 = 30.4; b.detectionLimitMm = 32.4
        #expect(SurveyReport.coverage([a, b]).contains("Paved surface surveyed: 150 m²; detection limit 16.2–32.4 mm"))
        #expect(SurveyReport.coverage([FrameRecord(surveyId: 1, path: "c.jpg", contentHash: "c", width: 1, height: 1)]).isEmpty)
    }
}

@Suite("Survey report")
struct SurveyReportTests {
    @Test("GeoJSON, CSV and a self-contained HTML page with overlays and a map")
    func report() async throws {
        let root = try makeSurveyFolder()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pw-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root); try? FileManager.default.removeItem(at: out) }
        let store = try SQLiteTicketStore.inMemory()
        let runner = SurveyRunner(store: store, inspector: DarkRowInspector(),
                                  options: SurveyOptions(surveyName: "r", concurrency: 2), logger: Logger(label: "test"))
        let summary = try await runner.run(folder: root.path)
        try await SurveyReport.write(to: out.path, summary: summary, store: store)
        let geo = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("tickets.geojson"))) as? [String: Any]
        #expect(geo?["type"] as? String == "FeatureCollection")
        let csv = try String(contentsOf: out.appendingPathComponent("tickets.csv"), encoding: .utf8)
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == summary.ticketsCreated + 1)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("<svg") || html.contains("No frame or defect has a position"))
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == summary.ticketsCreated)
        #expect(html.contains("cut.jpg"))  // failures are listed
        #expect(!html.contains("http://") && !html.contains("https://") || html.contains("http://www.w3.org/2000/svg"))
    }

    @Test("the map draws positioned frames, footprints, defects, a scale bar and a north arrow")
    func map() {
        let frames = [
            FrameRecord(surveyId: 1, path: "a.jpg", contentHash: "a", width: 10, height: 10, latitude: 41.0, longitude: -83.0),
            FrameRecord(surveyId: 1, path: "b.jpg", contentHash: "b", width: 10, height: 10, latitude: 41.001, longitude: -83.0),
        ]
        var t = Ticket(defectClass: .crack, latitude: 41.0005, longitude: -83.0, confidence: 0.9, source: "test", at: Date())
        t.severity = .high
        let svg = SurveyMap.svg(frames: frames, tickets: [t], colours: [Severity.high: "#f00"])
        #expect(svg.contains("<polyline") && svg.contains("fill=\"#f00\"") && svg.contains(">N</text>") && svg.contains(" m</text>"))
    }
}
