import Foundation
import Geodesy
import Metadata
import Testing
@testable import Geo

/// The real frames of Tests/MetadataTests/Fixtures. Decoded sizes are the originals' (exiftool ImageSize):
/// IMG_0446 3240x2430, IMG_0447...0451 3600x2700, quay-wall tiles 256x256.
@Suite("Real senseFly and quay-wall metadata")
struct RealMetadataTests {
    static let senseFly = (446...451).map { "sensefly-IMG_0\($0).jpg" }

    static func size(_ name: String) -> (Int, Int) { name.contains("0446") ? (3240, 2430) : (3600, 2700) }

    @Test("senseFly frames: pose from airframe angles, Canon ELPH 300 HS GSD", arguments: senseFly)
    func senseFlyFrame(name: String) throws {
        let m = try GeoFixtures.metadata(name)
        let (w, h) = Self.size(name)
        let g = try FrameGeometry(metadata: m, width: w, height: h)
        #expect(g.pose.attitudeSource == .senseflyAirframe)
        #expect(g.pose.heightAboveGround == m.heightAboveTakeoff)  // never the GPS altitude (≈ 282 m)
        #expect(g.intrinsics.spec?.sensorWidth == 6.20 && !g.intrinsics.isCropOfUnknownPosition)
        // EXIF says 4000x3000 (IMG_0446 was stored smaller): the focal length scales with the decoded width.
        let expected = try #require(m.heightAboveTakeoff) * 6.20 / (4.3 * 4000) * 4000 / Double(w)
        #expect(abs(g.nadirGSD - expected) < 1e-12)
        #expect(g.nadirGSD > 0.02 && g.nadirGSD < 0.035)  // ≈ 2.4-2.9 cm/px at 66-76 m
        // The centre sees the ground about H·tan(tilt) from the camera, tilt from the airframe's pitch and roll.
        let centre = try g.groundPoint(x: Double(w) / 2, y: Double(h) / 2)
        let tilt = acos(cos(try #require(m.pitchAngle) * .pi / 180) * cos(try #require(m.rollAngle) * .pi / 180))
        #expect(abs(GeoFixtures.length(centre) - g.pose.heightAboveGround * tan(tilt)) < 0.01)
        #expect(g.footprint().count == 4)
        let u = try g.locationUncertainty(x: Double(w) / 2, y: Double(h) / 2)
        #expect(u > PositionAccuracy.consumerHorizontal && u < 10)
    }

    @Test("Consecutive senseFly frames overlap: each next camera position lies in the previous footprint")
    func overlap() throws {
        for (a, b) in zip(Self.senseFly, Self.senseFly.dropFirst()) {
            let ma = try GeoFixtures.metadata(a), mb = try GeoFixtures.metadata(b)
            let (w, h) = Self.size(a)
            let g = try FrameGeometry(metadata: ma, width: w, height: h)
            let p = g.plane.enu(GeoPoint(latitude: try #require(mb.latitude), longitude: try #require(mb.longitude)))
            let pixel = try g.pixel(ground: SIMD2(p.x, p.y))
            #expect(pixel.x > 0 && pixel.x < Double(w) && pixel.y > 0 && pixel.y < Double(h), "\(a) → \(b)")
        }
    }

    @Test("Quay-wall tiles: EXIF size is the parent photo's; the tile is a crop", arguments: [
        "autel-MAX_0006_5m_11_10.jpg", "autel-MAX_0954_4_15.jpg",
    ])
    func quayWall(name: String) throws {
        let m = try GeoFixtures.metadata(name)
        #expect(m.exifWidth == 5472)
        let g = try FrameGeometry(metadata: m, width: 256, height: 256)
        #expect(g.intrinsics.isCropOfUnknownPosition)
        #expect(g.pose.attitudeSource == .pix4dCamera)
        #expect(abs(g.pose.rotation.pitch - -90) < 1e-9)  // Camera:Pitch 0 = nadir in the Pix4D convention
        #expect(abs(g.pose.heightAboveGround - (m.aboveGroundAltitude ?? 0)) < 1e-12)
        // A crop keeps the parent's pixel scale: GSD = H · 13.2 / (10.57 · 5472).
        let expected = g.pose.heightAboveGround * 13.2 / (10.57 * 5472)
        #expect(abs(g.nadirGSD - expected) < 1e-12)
        // Where the tile lies in the parent is unknown: the uncertainty covers half the parent's footprint.
        let halfParent = expected * (5472.0 * 5472 + 3648 * 3648).squareRoot() / 2
        #expect(try g.locationUncertainty(x: 128, y: 128) >= halfParent)
    }

    @Test("A frame with no position or no height is refused with the reason")
    func missing() throws {
        var m = GeoFixtures.phantom()
        m.relativeAltitude = nil
        m.gpsAltitude = 150  // above sea level: not a flight height
        #expect(throws: GeoError.noHeight) { try FrameGeometry(metadata: m, width: 100, height: 100) }
        m.relativeAltitude = 40
        m.latitude = nil
        #expect(throws: GeoError.noPosition) { try FrameGeometry(metadata: m, width: 100, height: 100) }
        let nikon = try GeoFixtures.metadata("nikon-DSCN0010.jpg")  // a hand-held camera: no height above ground
        #expect(throws: GeoError.noHeight) { try FrameGeometry(metadata: nikon, width: 640, height: 480) }
        // ... unless the user gives one; then the unknown Nikon needs its 35 mm equivalent (present).
        let withHeight = try FrameGeometry(metadata: nikon, width: 640, height: 480,
                                           overrides: CameraOverrides(heightAboveGround: 1.5))
        #expect(withHeight.nadirGSD > 0)
        var bare = GeoFixtures.phantom()
        (bare.model, bare.focalLength35mm) = ("Nothing", nil)
        #expect(throws: GeoError.unknownCamera(make: "DJI", model: "Nothing")) {
            try FrameGeometry(metadata: bare, width: 100, height: 100)
        }
    }
}
