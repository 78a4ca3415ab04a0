import Foundation
import Metadata
import Testing
@testable import Geo

@Suite("Telemetry tracks from every SRT sample")
struct TelemetryTrackTests {
    static let srt = GeoFixtures.metadataFixtures.appendingPathComponent("srt")
    static let files = [
        "MAVIC3.srt", "air2s.srt", "broken_empty.SRT", "broken_empty2.SRT", "broken_incomplete.SRT",
        "broken_incomplete2.SRT", "m2zoom.SRT", "matrice_300.srt", "mavic_2_style.SRT", "mavic_2pro_new.SRT",
        "mavic_air.SRT", "mavic_air2.srt", "mavic_mini.SRT", "mavic_pro.SRT", "mavic_pro_buggy.SRT",
        "mix_p4rtk_mavic2pro.srt", "old_format.SRT", "p4_rtk.SRT", "p4p_sample.SRT",
    ]

    /// Records of a file; a broken file gives the records before its error.
    static func records(_ name: String) throws -> [TelemetrySample] {
        let data = try Data(contentsOf: srt.appendingPathComponent(name))
        do throws(TelemetryParseError) {
            return try SRTParser.parse(data, file: name)
        } catch {
            return error.samples
        }
    }

    @Test("Interpolation between every pair of neighbours lies between them", arguments: files)
    func interpolation(name: String) throws {
        let track = TelemetryTrack(try Self.records(name))
        for (a, b) in zip(track.samples, track.samples.dropFirst()) where b.time > a.time {
            let mid = try #require(track.sample(at: (a.time + b.time) / 2))
            let lat = try #require(mid.latitude), lon = try #require(mid.longitude)
            #expect(abs(lat - (a.latitude! + b.latitude!) / 2) < 1e-9)
            #expect(abs(lon - (a.longitude! + b.longitude!) / 2) < 1e-9)
            #expect(min(a.time, b.time) <= mid.time)
        }
        if let first = track.samples.first, let last = track.samples.last {
            #expect(track.sample(at: first.time - 1) == nil)  // no extrapolation
            #expect(track.sample(at: last.time + 1) == nil)
            #expect(track.sample(at: first.time)?.latitude == first.latitude)
        }
    }

    @Test("Broken files still give a track from the records before the break")
    func brokenKeepRecords() throws {
        #expect(TelemetryTrack(try Self.records("broken_incomplete.SRT")).samples.count == 19)
        #expect(TelemetryTrack(try Self.records("broken_incomplete2.SRT")).samples.count == 2)
        #expect(TelemetryTrack(try Self.records("broken_empty.SRT")).samples.isEmpty)
    }

    @Test("A video frame placed from interpolated P4 RTK telemetry (oblique gimbal)")
    func videoFrame() throws {
        let track = TelemetryTrack(try Self.records("p4_rtk.SRT"))
        let s = try #require(track.sample(at: 10.5))
        var m = s.metadata
        (m.make, m.model, m.focalLength) = ("DJI", "FC6310R", 8.8)
        let g = try FrameGeometry(metadata: m, width: 3840, height: 2160)  // 4K video frame (16:9 crop)
        #expect(g.pose.attitudeSource == .djiGimbal)
        #expect(abs(g.pose.rotation.pitch - (s.gimbalPitch ?? 0)) < 1e-9)
        #expect(g.gsdCentimetresPerPixel != nil)
        #expect(throws: GeoError.self) { try g.groundPoint(x: 1920, y: 0) }  // gimbal at -24°: top rows see sky
    }

    @Test("The last SRT cue holds through its display time, no further; other records are instants")
    func lastCueHolds() throws {
        var a = TelemetrySample(time: 0), b = TelemetrySample(time: 1)
        (a.latitude, a.longitude, b.latitude, b.longitude) = (1, 2, 1.001, 2)
        b.date = Date(timeIntervalSince1970: 1000)
        #expect(TelemetryTrack([a, b]).sample(at: 1.5) == nil)
        b.duration = 1
        let held = try #require(TelemetryTrack([a, b]).sample(at: 1.5))
        #expect(held.latitude == 1.001 && held.time == 1.5 && held.date == Date(timeIntervalSince1970: 1000.5))
        #expect(TelemetryTrack([a, b]).sample(at: 2) == nil)
    }

    @Test("Yaw interpolates the short way round 360°")
    func yawWrap() {
        var a = TelemetrySample(time: 0), b = TelemetrySample(time: 2)
        (a.latitude, a.longitude, a.gimbalYaw) = (1, 179.9, 350)
        (b.latitude, b.longitude, b.gimbalYaw) = (1, -179.9, 10)
        let mid = TelemetryTrack([a, b]).sample(at: 1)
        #expect(mid?.gimbalYaw == 360 || mid?.gimbalYaw == 0)
        #expect(abs(abs(mid?.longitude ?? 0) - 180) < 1e-9)
    }
}
