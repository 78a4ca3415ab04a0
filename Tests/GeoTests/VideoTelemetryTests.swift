import Foundation
import Geodesy
import Metadata
import Testing
@testable import Geo

@Suite("GPX and NMEA tracks, sidecars, headings")
struct VideoTelemetryTests {
    static let gpx = """
    <?xml version="1.0" encoding="UTF-8"?>
    <gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
      <trk><name>drive</name><trkseg>
        <trkpt lat="51.92000" lon="4.47000"><ele>2.5</ele><time>2024-05-01T10:00:00Z</time></trkpt>
        <trkpt lat='51.92010' lon='4.47000'><ele>2.6</ele><time>2024-05-01T10:00:01.500Z</time></trkpt>
        <trkpt lat="51.92020" lon="4.47000"><time>2024-05-01T10:00:03Z</time></trkpt>
      </trkseg></trk>
    </gpx>
    """

    @Test("GPX: positions, sea-level heights and times from the first point")
    func gpxTrack() throws {
        let s = try GPXParser.parse(Array(Self.gpx.utf8), file: "drive.gpx")
        #expect(s.count == 3)
        #expect(s.map(\.time) == [0, 1.5, 3])
        #expect(s[1].latitude == 51.9201 && s[1].longitude == 4.47)
        #expect(s[0].absoluteAltitude == 2.5 && s[0].relativeAltitude == nil)
        #expect(s[2].absoluteAltitude == nil)
        #expect(s[0].date == ISO8601DateFormatter().date(from: "2024-05-01T10:00:00Z"))
    }

    @Test("GPX: a broken point names file and line and keeps the points before it", arguments: [
        ("<trkpt lon=\"4.47\"><time>2024-05-01T10:00:05Z</time></trkpt>", "without lat and lon"),
        ("<trkpt lat=\"91\" lon=\"4.47\"><time>2024-05-01T10:00:05Z</time></trkpt>", "out of range"),
        ("<trkpt lat=\"51.9\" lon=\"4.47\"></trkpt>", "without <time>"),
        ("<trkpt lat=\"51.9\" lon=\"4.47\"><time>yesterday</time></trkpt>", "unreadable time"),
        ("<trkpt lat=\"51.9\" lon=\"4.47\"><time>", "without </trkpt>"),
    ])
    func gpxErrors(bad: String, reason: String) throws {
        let text = Self.gpx.replacingOccurrences(of: "</trkseg>", with: "  \(bad)\n</trkseg>")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(bad.prefix(20)) }! + 1
        do {
            _ = try GPXParser.parse(Array(text.utf8), file: "drive.gpx")
            Issue.record("no error for \(bad)")
        } catch {
            #expect(error.file == "drive.gpx")
            #expect(error.line == line)
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(error.samples.count == 3)
        }
        #expect(throws: TelemetryParseError.self) { try GPXParser.parse(Array("<gpx></gpx>".utf8), file: "e.gpx") }
    }

    /// An NMEA sentence with its checksum.
    static func nmea(_ body: String) -> String {
        String(format: "$%@*%02X", body, body.utf8.reduce(UInt8(0), ^))
    }

    @Test("NMEA: RMC and GGA of one second make one sample with date, position and sea-level altitude")
    func nmeaTrack() throws {
        let text = [
            "2024-05-01 10:00:00 logger started",
            Self.nmea("GPRMC,100000.00,A,5155.2000,N,00428.2000,E,10.0,0.0,010524,,,A"),
            Self.nmea("GPGGA,100000.00,5155.2000,N,00428.2000,E,1,08,0.9,3.5,M,47.0,M,,"),
            Self.nmea("GPGSV,3,1,11,03,03,111,00"),
            Self.nmea("GNRMC,100001.00,A,5155.2060,N,00428.2000,E,10.0,0.0,010524,,,A"),
            Self.nmea("GPRMC,100002.00,V,,,,,,,010524,,,N"),
            "$GPGGA,100003.00,5155.2120,S,00428.2000,W,1,08,0.9,4.0,M,47.0,M,,",
        ].joined(separator: "\r\n")
        let s = try NMEAParser.parse(Array(text.utf8), file: "drive.nmea")
        #expect(s.count == 3)
        #expect(s.map(\.time) == [0, 1, 3])
        #expect(abs(s[0].latitude! - (51 + 55.2 / 60)) < 1e-12 && abs(s[0].longitude! - (4 + 28.2 / 60)) < 1e-12)
        #expect(s[0].absoluteAltitude == 3.5)
        #expect(s[1].absoluteAltitude == nil)
        #expect(s[2].latitude! < 0 && s[2].longitude! < 0)
        #expect(s[0].date == ISO8601DateFormatter().date(from: "2024-05-01T10:00:00Z"))
        #expect(s[2].date == ISO8601DateFormatter().date(from: "2024-05-01T10:00:03Z"))
    }

    @Test("NMEA: a wrong checksum or position names file and line; a file without a fix is an error")
    func nmeaErrors() throws {
        let good = Self.nmea("GPRMC,100000.00,A,5155.2000,N,00428.2000,E,10.0,0.0,010524,,,A")
        let badSum = String(good.dropLast(2)) + "00"
        let badPos = Self.nmea("GPRMC,100001.00,A,51x5.2000,N,00428.2000,E,10.0,0.0,010524,,,A")
        for (bad, reason) in [(badSum, "checksum"), (badPos, "bad position")] {
            do {
                _ = try NMEAParser.parse(Array([good, "", bad].joined(separator: "\n").utf8), file: "t.log")
                Issue.record("no error")
            } catch {
                #expect(error.file == "t.log" && error.line == 3 && error.reason.contains(reason), "\(error)")
                #expect(error.samples.count == 1)
            }
        }
        #expect(throws: TelemetryParseError.self) {
            try NMEAParser.parse(Array(Self.nmea("GPRMC,100002.00,V,,,,,,,010524,,,N").utf8), file: "v.nmea")
        }
    }

    @Test("A video's sidecar: same stem, any letter case, SRT first; formats by extension")
    func sidecar() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-sidecar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["DJI_0001.MP4", "DJI_0001.gpx", "DJI_0001.SRT", "DJI_0002.MP4", "DJI_0002.log", "DJI_00021.gpx"] {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data())
        }
        #expect(TelemetryTrack.sidecar(for: dir.appendingPathComponent("DJI_0001.MP4").path)?.hasSuffix("DJI_0001.SRT") == true)
        #expect(TelemetryTrack.sidecar(for: dir.appendingPathComponent("DJI_0002.MP4").path)?.hasSuffix("DJI_0002.log") == true)
        #expect(TelemetryTrack.sidecar(for: dir.appendingPathComponent("DJI_0003.MP4").path) == nil)
        #expect(TelemetryFormat(path: "a.LOG") == .nmea && TelemetryFormat(path: "a.Srt") == .srt)
        #expect(TelemetryFormat(path: "a.txt") == nil)
    }

    @Test("Heading of travel from the track; none while parked")
    func heading() throws {
        var samples: [TelemetrySample] = []
        let plane = LocalTangentPlane(origin: GeoPoint(latitude: 51.92, longitude: 4.47))
        // East for 10 s at 10 m/s, then parked for 10 s.
        for t in 0...20 {
            var s = TelemetrySample(time: Double(t))
            let p = plane.geodetic(SIMD3(Double(min(t, 10)) * 10, 0, 0))
            (s.latitude, s.longitude) = (p.latitude, p.longitude)
            samples.append(s)
        }
        let track = TelemetryTrack(samples)
        let h = try #require(track.heading(at: 5))
        #expect(abs(h - 90) < 0.01)
        #expect(track.heading(at: 15) == nil)
        #expect(track.heading(at: 25) == nil)
    }
}

@Suite("Video cameras: forward-looking vehicle cameras and drone video intrinsics")
struct VideoCameraTests {
    static let yaml = """
    name: van front
    horizontal_fov: 90
    height_above_road: 1.5
    pitch: -20
    detection_limit_mm: 8
    """

    @Test("A vehicle camera looks along the heading: the centre pixel meets the road at height / tan(pitch) ahead")
    func forwardProjection() throws {
        let cam = try VideoCamera.load(yaml: Self.yaml, file: "van.yaml")
        #expect(cam.isVehicle)
        var s = TelemetrySample(time: 0)
        (s.latitude, s.longitude) = (51.92, 4.47)
        s.relativeAltitude = 80  // a drone's height in the track is not the camera's
        let m = cam.metadata(sample: s, heading: 90, width: 1280, height: 720)
        let g = try FrameGeometry(metadata: m, width: 1280, height: 720)
        #expect(abs(g.intrinsics.focalLength - 640) < 1e-9)
        #expect(g.pose.heightAboveGround == 1.5)
        let centre = try g.groundPoint(x: 640, y: 360)
        let ahead = 1.5 / tan(20 * Double.pi / 180)
        #expect(abs(centre.x - ahead) < 1e-6 && abs(centre.y) < 1e-6, "east \(centre.x), north \(centre.y)")
        // GSD grows with distance; the range where it reaches the limit is where GSD = 8 mm.
        let range = try #require(g.range(whereGSDReaches: cam.detectionLimit))
        #expect(range > 1.5 / tan(65 * Double.pi / 180) && range < 20)
        func gsd(at d: Double) throws -> Double {
            let p = try g.pixel(ground: SIMD2(d, 0))
            return try g.groundSampleDistance(x: p.x, y: p.y) * 1000
        }
        #expect(try gsd(at: range - 0.5) < 8 && gsd(at: range + 0.5) > 8)
        let px = try g.pixel(ground: SIMD2(range, 0))
        let gsd = try g.groundSampleDistance(x: px.x, y: px.y)
        #expect(abs(gsd * 1000 - 8) < 0.05, "GSD \(gsd * 1000) mm at \(range) m")
    }

    @Test("A drone camera file gives intrinsics only: height and gimbal stay the telemetry's")
    func droneIntrinsics() throws {
        let cam = try VideoCamera.load(yaml: "focal_length_px: 1000\n", file: "d.yaml")
        #expect(!cam.isVehicle)
        var s = TelemetrySample(time: 0)
        (s.latitude, s.longitude, s.relativeAltitude, s.gimbalPitch, s.gimbalYaw) = (51.92, 4.47, 50, -90, 30)
        let g = try FrameGeometry(metadata: cam.metadata(sample: s, heading: nil, width: 1920, height: 1080),
                                  width: 1920, height: 1080)
        #expect(g.pose.heightAboveGround == 50)
        #expect(abs(g.nadirGSD - 0.05) < 1e-12)
        #expect(abs(g.pose.rotation.yaw - 30) < 1e-9)
        #expect(g.range(whereGSDReaches: 10) == 0, "coarser than 10 mm everywhere")
    }

    @Test("Camera file errors name the file and the field", arguments: [
        ("horizontal_fov: 200\n", "horizontal_fov"),
        ("height_above_road: 1.5\nhorizontal_fov: 90\n", "pitch"),
        ("pitch: -10\n", "horizontal_fov or focal_length_px"),
        ("horizontal_fov: [1, 2]\n", "not a camera file"),
    ])
    func errors(yaml: String, field: String) {
        do {
            _ = try VideoCamera.load(yaml: yaml, file: "cam.yaml")
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.message.hasPrefix("cam.yaml: ") && error.message.contains(field), "\(error)")
        }
    }
}
