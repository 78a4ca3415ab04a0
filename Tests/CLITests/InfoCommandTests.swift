import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import PavewatchCLI

/// Expected values were read with `exiftool -n -GPSLatitude -GPSLongitude -GPSAltitude -Make -Model -FocalLength
/// -ImageWidth -ImageHeight FILE` (ExifTool 12.57, an independent reader) on the metadata samples (datasets/metadata-samples).
@Suite("pavewatch info")
struct InfoCommandTests {
    let demo = TestSupport.repositoryRoot.appendingPathComponent("datasets/metadata-samples").path

    @Test("senseFly frame: size, camera, GPS")
    func seneca() throws {
        let info = try FrameInfo.read(path: demo + "/seneca/IMG_0448.jpg")
        #expect(info.width == 3600 && info.height == 2700 && info.format == "jpeg")
        #expect(info.make == "Canon" && info.model == "Canon PowerShot ELPH 300 HS")
        #expect(abs(try #require(info.latitude) - 41.0348986000061) < 1e-9)
        #expect(abs(try #require(info.longitude) - -83.305212) < 1e-9)
        #expect(abs(try #require(info.gpsAltitude) - 290.4070122) < 1e-6)
        #expect(info.focalLength == 4.3)
    }

    @Test("quay-wall tile: the decoded size wins over the parent photo's EXIF size")
    func quaywall() throws {
        let info = try FrameInfo.read(path: demo + "/quaywall/MAX_1413_4_6.jpg")
        #expect(info.width == 256 && info.height == 256)
        #expect(info.make == "Autel Robotics" && info.model == "XT705")
        #expect(abs(try #require(info.latitude) - 34.5865732258333) < 1e-9)
        #expect(abs(try #require(info.longitude) - 135.451119402194) < 1e-9)
        #expect(info.relativeAltitude != nil)
    }

    @Test("folders are searched recursively for images only")
    func expand() {
        let files = ImageFiles.expand([demo])
        #expect(files.count == 18)
        #expect(files.allSatisfy { $0.hasSuffix(".jpg") })
    }

    @Test("a bad file is reported, the others still print, exit status 1")
    func badFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-info-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("broken.jpg").path
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]).write(to: URL(fileURLWithPath: bad))
        let empty = dir.appendingPathComponent("empty.png").path
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: (any Error).self) { try FrameInfo.read(path: bad) }
        #expect(throws: (any Error).self) { try FrameInfo.read(path: empty) }
        let parsed = try Pavewatch.parseAsRoot(["info", "--json", demo + "/seneca/IMG_0448.jpg", bad, empty])
        let command = try #require(parsed as? InfoCommand)
        await #expect(throws: ExitCode(1)) { try await command.run() }
    }

    @Test("JSON output has the documented keys")
    func json() throws {
        let info = try FrameInfo.read(path: demo + "/seneca/IMG_0448.jpg")
        let data = try CLIOutput.jsonEncoder().encode(info)
        let obj = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["file", "width", "height", "format", "latitude", "longitude", "make", "model", "focalLength", "captureTime"] {
            #expect(obj[key] != nil, "missing \(key)")
        }
        #expect((obj["captureTime"] as? String) == "2013-06-04T17:38:16Z")
    }

    @Test("geotagged frames get GSD and a footprint; --geojson writes a FeatureCollection")
    func geo() async throws {
        let info = try FrameInfo.read(path: demo + "/seneca/IMG_0447.jpg")
        // Canon ELPH 300 HS: 6.17 mm sensor, 4.3 mm lens, 67.87 m above take-off (senseFly Height), 3600 px:
        // 6.17 * 67.87 / (4.3 * 3600) m = 2.705 cm/px at nadir; the camera database value makes it 2.72.
        let gsd = try #require(info.gsdCmPerPx)
        #expect(gsd > 2.5 && gsd < 2.9)
        #expect(info.footprint?.count == 4)
        let noGPS = try FrameInfo.read(path: TestSupport.repositoryRoot.path + "/Tests/CodecsTests/Fixtures/baseline.jpg")
        #expect(noGPS.gsdCmPerPx == nil && noGPS.geoProblem != nil)

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pw-fp-\(UUID().uuidString).geojson")
        defer { try? FileManager.default.removeItem(at: out) }
        let parsed = try Pavewatch.parseAsRoot(["info", "--geojson", out.path, demo + "/seneca"])
        let command = try #require(parsed as? InfoCommand)
        try await command.run()
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        #expect(obj["type"] as? String == "FeatureCollection")
        #expect((obj["features"] as? [Any])?.count == 2)
    }
}
