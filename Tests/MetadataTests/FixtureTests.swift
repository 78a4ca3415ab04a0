import Foundation
import Testing
import TestSupport
@testable import Metadata

/// Real photos' metadata against exiftool 12.57 (see Fixtures/SOURCE.txt for the exact command that wrote
/// Fixtures/exiftool-expected.json). exiftool is an independent reader; its numbers are compared, not ours.
@Suite("Real fixtures vs exiftool")
struct FixtureTests {
    static let fixtures: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static func expected() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("exiftool-expected.json"))
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        var out: [String: [String: Any]] = [:]
        for e in list { out[e["SourceFile"] as! String] = e }
        return out
    }

    static let names = [
        "nikon-DSCN0010.jpg", "nikon-DSCN0042.jpg",
        "sensefly-IMG_0446.jpg", "sensefly-IMG_0447.jpg", "sensefly-IMG_0448.jpg",
        "sensefly-IMG_0449.jpg", "sensefly-IMG_0450.jpg", "sensefly-IMG_0451.jpg",
        "autel-MAX_0006_5m_11_10.jpg", "autel-MAX_0954_4_15.jpg",
    ]

    /// "2013:06:04 17:38:03" / "2008:10:23 14:27:07.24Z" → Date (UTC), computed with Foundation's calendar,
    /// independently of the parser's own date arithmetic.
    static func date(_ s: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        let t = s.hasSuffix("Z") ? String(s.dropLast()) : s
        f.dateFormat = t.contains(".") ? "yyyy:MM:dd HH:mm:ss.SS" : "yyyy:MM:dd HH:mm:ss"
        return f.date(from: t)
    }

    static func close(_ a: Double?, _ b: Any?, _ tol: Double = 1e-9) -> Bool {
        guard let b = b as? NSNumber else { return a == nil }
        guard let a else { return false }
        return abs(a - b.doubleValue) <= tol * max(1, abs(b.doubleValue))
    }

    @Test("GPS and camera fields equal exiftool's", arguments: names)
    func matchesExiftool(name: String) throws {
        let e = try #require(try Self.expected()[name])
        let m = try ImageMetadata.parse(jpeg: try Self.bytes(name))
        #expect(Self.close(m.latitude, e["GPSLatitude"]))
        #expect(Self.close(m.longitude, e["GPSLongitude"]))
        #expect(m.positionSource == .exifGPS)
        #expect(Self.close(m.gpsAltitude, e["GPSAltitude"]))
        #expect(m.make == e["Make"] as? String)
        #expect(m.model == e["Model"] as? String)
        #expect(Self.close(m.focalLength, e["FocalLength"]))
        #expect(Self.close(m.focalLength35mm, e["FocalLengthIn35mmFormat"]))
        #expect(m.orientation == (e["Orientation"] as? NSNumber)?.intValue)
        #expect(m.exifWidth == (e["ExifImageWidth"] as? NSNumber)?.intValue)
        #expect(m.exifHeight == (e["ExifImageHeight"] as? NSNumber)?.intValue)
        #expect(m.captureTime == (e["DateTimeOriginal"] as? String).flatMap(Self.date))
        if let t = e["GPSDateTime"] as? String {
            let expected = try #require(Self.date(t))
            #expect(abs(try #require(m.gpsTime).timeIntervalSince(expected)) < 1e-3)
        } else {
            #expect(m.gpsTime == nil)
        }
        // XMP: senseFly and Pix4D camera namespaces.
        #expect(Self.close(m.heightAboveTakeoff, e["Height"]))
        #expect(Self.close(m.heading, e["Heading"]))
        #expect(Self.close(m.pitchAngle, e["PitchAngle"]))
        #expect(Self.close(m.rollAngle, e["RollAngle"]))
        #expect(Self.close(m.altitudeAMSL, e["AltitudeAMSL"]))
        #expect(Self.close(m.groundSpeed, e["GroundSpeed"]))
        #expect(m.utcTime == (e["UTCTime"] as? String).flatMap(Self.date))
        #expect(Self.close(m.cameraPitch, e["Pitch"]))
        #expect(Self.close(m.cameraYaw, e["Yaw"]))
        #expect(Self.close(m.cameraRoll, e["Roll"]))
        #expect(Self.close(m.aboveGroundAltitude, e["AboveGroundAltitude"]))
        #expect(Self.close(m.gpsXYAccuracy, e["GPSXYAccuracy"]))
        if let pp = e["PrincipalPoint"] as? String {
            let parts = pp.split(separator: ",").compactMap { Double($0) }
            #expect(m.principalPointX == parts.first && m.principalPointY == parts.last)
        }
    }

    @Test("Big-endian (Autel) and little-endian (senseFly, Nikon) fixtures both decode")
    func byteOrders() throws {
        let autel = try Self.bytes("autel-MAX_0006_5m_11_10.jpg")
        let senseFly = try Self.bytes("sensefly-IMG_0446.jpg")
        let tiffStart = { (b: [UInt8]) -> [UInt8] in
            let i = b.indices.first { b[$0...].starts(with: Array("Exif".utf8) + [0, 0]) }!
            return Array(b[(i + 6)..<(i + 8)])
        }
        #expect(tiffStart(autel) == [0x4D, 0x4D])
        #expect(tiffStart(senseFly) == [0x49, 0x49])
        #expect(try ImageMetadata.parse(jpeg: autel).make == "Autel Robotics")
        #expect(try ImageMetadata.parse(jpeg: senseFly).make == "Canon")
    }

    @Test("Every prefix of a real file parses or throws a MetadataError, never crashes")
    func prefixes() throws {
        let b = try Self.bytes("autel-MAX_0006_5m_11_10.jpg")
        var thrown = 0
        for n in stride(from: 0, to: b.count, by: 37) {
            do throws(MetadataError) { _ = try ImageMetadata.parse(jpeg: b[0..<n]) } catch { thrown += 1 }
        }
        #expect(thrown > 0)
    }

    @Test("Data and slices with a non-zero start index read the same")
    func collections() throws {
        let b = try Self.bytes("sensefly-IMG_0446.jpg")
        let whole = try ImageMetadata.parse(jpeg: b)
        let padded = [0x00, 0x01] + b
        #expect(try ImageMetadata.parse(jpeg: padded[2...]) == whole)
        #expect(try ImageMetadata.parse(jpeg: Data(b)) == whole)
        let data = Data(padded)
        #expect(try ImageMetadata.parse(jpeg: data[2...]) == whole)
    }

    @Test("Codable round trip")
    func codable() throws {
        let m = try ImageMetadata.parse(jpeg: try Self.bytes("autel-MAX_0954_4_15.jpg"))
        let json = try JSONEncoder().encode(m)
        #expect(try JSONDecoder().decode(ImageMetadata.self, from: json) == m)
    }

    /// The whole shared data set (`../shared/datasets`, in the workspace and in CI): never throws on the real files.
    @Test(
        "All real geotagged files of the shared data set parse",
        .enabled(if: TestSupport.sharedDatasets != nil))
    func sharedDataset() throws {
        let shared = try #require(TestSupport.sharedDatasets).path
        let roots = ["drone-exif/seneca-sensefly-cc0", "drone-exif/exif-samples-gps", "quaywall-crack-yolo/BOX/h1",
                     "quaywall-crack-yolo/BOX/o6"].map { shared + "/" + $0 }
        var count = 0
        for root in roots {
            for name in try FileManager.default.contentsOfDirectory(atPath: root) where name.lowercased().hasSuffix(".jpg") {
                let data = try Data(contentsOf: URL(fileURLWithPath: root).appendingPathComponent(name))
                let m = try ImageMetadata.parse(jpeg: data)
                #expect(m.hasPosition, "\(name)")
                count += 1
            }
        }
        #expect(count >= 160)  // 6 senseFly + 9 Nikon + 73 h1 + 72 o6
    }
}
