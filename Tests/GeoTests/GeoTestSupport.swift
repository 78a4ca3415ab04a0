import Foundation
import Metadata
@testable import Geo

enum GeoFixtures {
    /// Tests/MetadataTests/Fixtures: the real photos' metadata (sources in its SOURCE.txt), shared with Metadata.
    static let metadataFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("MetadataTests/Fixtures")
    static let own: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    static func metadata(_ name: String) throws -> ImageMetadata {
        try ImageMetadata.parse(jpeg: try Data(contentsOf: metadataFixtures.appendingPathComponent(name)))
    }

    /// A DJI Phantom 4 Pro frame (13.2 mm × 8.8 mm sensor, 8.8 mm lens, 5472 × 3648).
    static func phantom(height: Double = 100, pitch: Double = -90, yaw: Double = 0, roll: Double = 0,
                        lat: Double = 52.0, lon: Double = 4.3) -> ImageMetadata
    {
        var m = ImageMetadata()
        m.make = "DJI"
        m.model = "FC6310"
        m.focalLength = 8.8
        m.exifWidth = 5472
        m.exifHeight = 3648
        m.latitude = lat
        m.longitude = lon
        m.relativeAltitude = height
        m.gimbalPitch = pitch
        m.gimbalYaw = yaw
        m.gimbalRoll = roll
        return m
    }

    static func length(_ v: SIMD2<Double>) -> Double { (v * v).sum().squareRoot() }

    /// A camera file's `control_points` list, one `{pixel: [x, y], lat: …, lon: …}` line per point.
    static func controlPointsYAML(_ points: [(x: Double, y: Double, lat: Double, lon: Double)]) -> String {
        "control_points:\n" + points.map { "  - {pixel: [\($0.x), \($0.y)], lat: \($0.lat), lon: \($0.lon)}\n" }.joined()
    }
}
