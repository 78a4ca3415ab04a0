import Foundation
import Testing
import TestSupport
@testable import Metadata

/// DJI SRT files of github.com/JuanIrache/DJI_SRT_Parser (MIT; see Fixtures/srt/LICENSE); files over 20 kB are
/// cut to their first 40 cues. Expected values were read from the files by an independent Python regex
/// (`\[latitude\s*:\s*(..)\].*\[long(t)?itude\s*:\s*(..)\]` or `GPS\s*\((a),\s*(b),\s*(c)(M?)\)`, lon/lat order
/// unless the altitude has an `M`), not by this parser.
@Suite("DJI SRT and CSV telemetry")
struct TelemetryTests {
    static let dir = FixtureTests.fixtures.appendingPathComponent("srt")

    struct Expected: Sendable, CustomStringConvertible {
        var file: String, cues: Int, withPosition: Int
        var first: (Double, Double)?, last: (Double, Double)?
        var description: String { file }
    }

    static let good: [Expected] = [
        .init(file: "MAVIC3.srt", cues: 40, withPosition: 40, first: (3.41531, -3.3744), last: (3.41531, -3.3744)),
        .init(file: "air2s.srt", cues: 17, withPosition: 17, first: (41.424724, 2.234156), last: (41.42473, 2.234102)),
        .init(file: "m2zoom.SRT", cues: 40, withPosition: 40, first: (31.452012, 74.398751), last: (31.452013, 74.398751)),
        .init(file: "matrice_300.srt", cues: 40, withPosition: 40, first: (36.6146, -6.112), last: (36.6145, -6.1119)),
        .init(file: "mavic_2_style.SRT", cues: 40, withPosition: 40, first: (-20.2533, 149.0251), last: (-20.2534, 149.0253)),
        .init(file: "mavic_2pro_new.SRT", cues: 40, withPosition: 40, first: (-35.080155, -60.286702), last: (-35.080321, -60.286611)),
        .init(file: "mavic_air.SRT", cues: 2, withPosition: 0, first: nil, last: nil),
        .init(file: "mavic_air2.srt", cues: 25, withPosition: 25, first: (41.420684, 2.162162), last: (41.420686, 2.162162)),
        .init(file: "mavic_mini.SRT", cues: 117, withPosition: 117, first: (48.0771, -121.7458), last: (48.0775, -121.7476)),
        .init(file: "mavic_pro.SRT", cues: 40, withPosition: 40, first: (-20.2533, 149.0251), last: (-20.2534, 149.0253)),
        .init(file: "mavic_pro_buggy.SRT", cues: 40, withPosition: 24, first: (42.4668, -1.2218), last: (42.4668, -1.2218)),
        .init(file: "mix_p4rtk_mavic2pro.srt", cues: 12, withPosition: 12, first: (-34.6502, -59.409424), last: (-34.65118, -59.409483)),
        .init(file: "old_format.SRT", cues: 40, withPosition: 40, first: (-20.2533, 149.0251), last: (-20.2534, 149.0253)),
        .init(file: "p4_rtk.SRT", cues: 55, withPosition: 55, first: (-34.237922, -58.851745), last: (-34.232349, -58.849196)),
        .init(file: "p4p_sample.SRT", cues: 5, withPosition: 5, first: (47.4692, 8.209), last: (47.4692, 8.209)),
    ]

    static func read(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    @Test("Every good SRT layout", arguments: good)
    func goodFiles(e: Expected) throws {
        let samples = try SRTParser.parse(try Self.read(e.file), file: e.file)
        #expect(samples.count == e.cues)
        let positioned = samples.filter(\.hasPosition)
        #expect(positioned.count == e.withPosition)
        if let first = e.first, let last = e.last {
            #expect(positioned.first?.latitude == first.0 && positioned.first?.longitude == first.1)
            #expect(positioned.last?.latitude == last.0 && positioned.last?.longitude == last.1)
        }
        // Time never runs backwards within a file.
        for (a, b) in zip(samples, samples.dropFirst()) { #expect(b.time >= a.time) }
    }

    @Test("Heights, angles and clocks of the layouts")
    func fieldsPerLayout() throws {
        let m3 = try SRTParser.parse(try Self.read("MAVIC3.srt"), file: "MAVIC3.srt")[0]
        #expect(m3.relativeAltitude == -2.4 && m3.absoluteAltitude == 0.401 && m3.focalLength == 24)
        #expect(m3.date == FixtureTests.date("2021:12:25 12:27:52.373"))
        #expect(m3.time == 0)
        let rtk = try SRTParser.parse(try Self.read("p4_rtk.SRT"), file: "p4_rtk.SRT")[1]
        #expect(rtk.time == 1 && rtk.relativeAltitude == 85.83)
        #expect(rtk.gimbalPitch == -24.4 && rtk.gimbalRoll == 0 && rtk.gimbalYaw == 110.5)
        #expect(rtk.flightPitch == 3 && rtk.flightRoll == -19.9 && rtk.flightYaw == 110.3)
        let m300 = try SRTParser.parse(try Self.read("matrice_300.srt"), file: "matrice_300.srt")[4]
        #expect(m300.relativeAltitude == 4.1 && m300.absoluteAltitude == 0 && m300.time == 4)
        #expect(m300.date == FixtureTests.date("2022:06:21 16:06:21"))
        let pro = try SRTParser.parse(try Self.read("mavic_pro.SRT"), file: "mavic_pro.SRT")[2]
        #expect(pro.relativeAltitude == 2.0 && pro.time == 3)
        #expect(pro.date == FixtureTests.date("2017:08:05 14:11:53"))
        let old = try SRTParser.parse(try Self.read("old_format.SRT"), file: "old_format.SRT")[0]
        #expect(old.relativeAltitude == 1.9 && old.date == FixtureTests.date("2017:08:05 14:11:51"))
        let air2s = try SRTParser.parse(try Self.read("air2s.srt"), file: "air2s.srt")[1]
        #expect(air2s.absoluteAltitude == 117 && air2s.time == 0.033)
        #expect(air2s.date == FixtureTests.date("2022:08:07 13:40:40.808"))
        // No timing lines: time from the clock.
        let style = try SRTParser.parse(try Self.read("mavic_2_style.SRT"), file: "mavic_2_style.SRT")
        #expect(style[0].time == 0 && style[3].time == 3)
        let mini = try SRTParser.parse(try Self.read("mavic_mini.SRT"), file: "mavic_mini.SRT")[0]
        #expect(mini.relativeAltitude == 200.7 && mini.date == nil)
    }

    struct Broken: Sendable, CustomStringConvertible {
        var file: String, line: Int, kept: Int, reason: String
        var description: String { file }
    }

    static let broken: [Broken] = [
        .init(file: "broken_empty.SRT", line: 1, kept: 0, reason: "no telemetry records"),
        .init(file: "broken_empty2.SRT", line: 1, kept: 0, reason: "cue without text"),
        // Cue 20 stops after its HOME/date line (line 117, the last): no GPS line.
        .init(file: "broken_incomplete.SRT", line: 117, kept: 19, reason: "no position field"),
        // Cue 3's text stops inside `[latit` on line 17 (later cues are cut too).
        .init(file: "broken_incomplete2.SRT", line: 17, kept: 2, reason: "unterminated"),
    ]

    @Test("Broken SRT files name file and line and keep the records before", arguments: broken)
    func brokenFiles(b: Broken) throws {
        let data = try Self.read(b.file)
        let error = try #require(throws: TelemetryParseError.self) { try SRTParser.parse(data, file: b.file) }
        #expect(error.file == b.file)
        #expect(error.line == b.line)
        #expect(error.samples.count == b.kept)
        #expect(error.reason.contains(b.reason), "\(error.reason)")
        #expect(error.description.hasPrefix("\(b.file):\(b.line): "))
        let allPositioned = error.samples.allSatisfy { $0.hasPosition }
        #expect(allPositioned)
    }

    /// The full files of the shared data set, when this machine has them.
    @Test(
        "Full SRT files of the shared data set",
        .enabled(if: TestSupport.sharedDatasets != nil))
    func fullFiles() throws {
        let root = try #require(TestSupport.sharedDatasets).appendingPathComponent("dji-srt-telemetry")
        var good = 0, bad = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path) where name.lowercased().hasSuffix(".srt") {
            let data = try Data(contentsOf: root.appendingPathComponent(name))
            do throws(TelemetryParseError) {
                let s = try SRTParser.parse(data, file: name)
                #expect(!s.isEmpty)
                good += 1
            } catch {
                #expect(name.hasPrefix("broken"), "\(error)")
                bad += 1
            }
        }
        #expect(good == 15 && bad == 4)
    }

    @Test("CSV sidecar: header by name, seconds or dates, bad rows name their line")
    func csv() throws {
        let text = """
        # flight 7
        latitude;longitude;time;altitude
        52.1;4.3;0;30

        52.2;4.4;2.5;31
        """
        let s = try TelemetryCSV.parse(Array(text.utf8), file: "a.csv")
        #expect(s.count == 2 && s[1].time == 2.5 && s[1].latitude == 52.2 && s[1].relativeAltitude == 31)
        let dated = "time,lat,lon,alt\n2024-05-17T09:30:15Z,1,2,3\n2024-05-17T09:30:20Z,1.5,2,3\n"
        let d = try TelemetryCSV.parse(Array(dated.utf8), file: "d.csv")
        #expect(d[1].time == 5 && d[0].date == FixtureTests.date("2024:05:17 09:30:15"))
        let bad = "time,lat,lon\n0,1,2\n1,x,2\n2,1,2\n"
        let error = try #require(throws: TelemetryParseError.self) { try TelemetryCSV.parse(Array(bad.utf8), file: "b.csv") }
        #expect(error.line == 3 && error.samples.count == 1 && error.file == "b.csv")
        #expect(throws: TelemetryParseError.self) { try TelemetryCSV.parse(Array("a,b\n1,2\n".utf8), file: "c.csv") }
        #expect(throws: TelemetryParseError.self) { try TelemetryCSV.parse([UInt8](), file: "e.csv") }
    }
}
