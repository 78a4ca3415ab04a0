import Metadata
import Testing

@testable import Geo

/// Inputs the fuzz targets' invariants caught (Fuzz/README.md), each kept in the seed corpus too.
@Suite("Fuzz regressions: telemetry tracks and camera files")
struct GeoFuzzRegressionTests {
    /// Fuzz/corpus/telemetry/nmea-nan-altitude: `Double("nan")` and `Double("inf")` are numbers, so a GGA altitude
    /// of `nan` gave a sample a NaN altitude.
    @Test("An NMEA altitude that is not a finite number is no altitude", arguments: ["nan", "inf", "-inf", "x"])
    func nmeaNonFiniteAltitude(alt: String) throws {
        let log = VideoTelemetryTests.nmea("GPGGA,100000.00,5155.2000,N,00428.2000,E,1,08,0.9,\(alt),M,47.0,M,,") + "\n"
        let samples = try NMEAParser.parse(Array(log.utf8), file: "a.nmea")
        #expect(samples.count == 1 && samples[0].absoluteAltitude == nil && samples[0].latitude != nil)
    }

    /// Fuzz/corpus/camera-yaml/gcp-accuracy-negative.yaml: `gcp_accuracy_m` was taken as it came, so a negative or
    /// NaN accuracy made every location uncertainty of the camera NaN.
    @Test("A fixed camera's control point accuracy must be a positive number", arguments: ["-0.5", "0", ".nan", ".inf"])
    func gcpAccuracy(value: String) throws {
        let points = GeoFixtures.controlPointsYAML([(0, 0, 51.0, 4.0), (100, 0, 51.0, 4.001), (100, 100, 51.001, 4.001),
                                                     (0, 100, 51.001, 4.0), (50, 50, 51.0005, 4.0005)])
        #expect(throws: FixedCameraError.self) { try FixedCamera.load(yaml: "gcp_accuracy_m: \(value)\n" + points) }
        #expect(try FixedCamera.load(yaml: "gcp_accuracy_m: 0.3\n" + points).controlPointAccuracy == 0.3)
    }

    /// Fuzz/corpus/camera-yaml/principal-point-nan.yaml: `cx: .nan` (YAML's NaN) was accepted as the principal point.
    @Test("A video camera's principal point must be a finite number", arguments: ["cx: .nan", "cy: .inf", "cx: -1e300"])
    func principalPoint(line: String) {
        #expect(throws: VideoCameraError.self) {
            try VideoCamera.load(yaml: "focal_length_px: 1000\npitch: -90\n\(line)\n", file: "c.yaml")
        }
    }
}
