import Foundation
import Metadata
import Testing
@testable import Geo

@Suite("GSD, projection and footprint")
struct ProjectionTests {
    @Test("GSD worked example: 13.2 mm sensor, 8.8 mm lens, 100 m, 5472 px → 2.74 cm/px")
    func workedExample() throws {
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(), width: 5472, height: 3648)
        let expected = 100 * 13.2 / (8.8 * 5472) * 100  // cm/px = 2.7412...
        #expect(abs(g.nadirGSD * 100 - expected) < 1e-9)
        #expect(abs(g.nadirGSD * 100 - 2.74) < 0.005)
        #expect(abs(try #require(g.gsdCentimetresPerPixel) - expected) < 1e-6)
        // Same through the 35 mm equivalent for an unknown camera (1" sensor: f35 = 24 mm for 8.8 mm), ±1 %.
        var unknown = GeoFixtures.phantom()
        unknown.model = "Unknown-1"
        unknown.focalLength35mm = 24
        let u = try FrameGeometry(metadata: unknown, width: 5472, height: 3648)
        #expect(abs(u.nadirGSD * 100 / expected - 1) < 0.01)
        // Overrides: sensor width and focal length replace the database.
        let o = try FrameGeometry(metadata: GeoFixtures.phantom(), width: 5472, height: 3648,
                                  overrides: CameraOverrides(focalLength: 17.6, sensorWidth: 13.2, heightAboveGround: 50))
        #expect(abs(o.nadirGSD * 100 - expected / 4) < 1e-9)
        // Half-size decode: twice the GSD.
        let half = try FrameGeometry(metadata: GeoFixtures.phantom(), width: 2736, height: 1824)
        #expect(abs(half.nadirGSD / g.nadirGSD - 2) < 1e-12)
    }

    @Test("Nadir: the image centre projects to the camera position; footprint = GSD × size")
    func nadir() throws {
        let m = GeoFixtures.phantom(height: 80, lat: -33.86, lon: 151.21)
        let g = try FrameGeometry(metadata: m, width: 5472, height: 3648)
        let c = try g.coordinate(x: 2736, y: 1824)
        #expect(abs(c.latitude - -33.86) < 1e-10 && abs(c.longitude - 151.21) < 1e-10)
        let f = g.footprintENU()
        #expect(f.count == 4)
        let width = GeoFixtures.length(f[1] - f[0]), height = GeoFixtures.length(f[3] - f[0])
        #expect(abs(width - g.nadirGSD * 5472) < 1e-9)
        #expect(abs(height - g.nadirGSD * 3648) < 1e-9)
        // Yaw 0: image top to the north, left to the west.
        #expect(f[0].x < 0 && f[0].y > 0 && f[2].x > 0 && f[2].y < 0)
        // GeoJSON corners in [lon, lat].
        let corners = g.footprint()
        #expect(corners.count == 4 && corners[0][0] < 151.21 && corners[0][1] > -33.86)
    }

    @Test("Yaw rotates the footprint clockwise about the nadir point", arguments: [30.0, 90.0, -135.0, 200.0])
    func yawRotates(yaw: Double) throws {
        let north = try FrameGeometry(metadata: GeoFixtures.phantom(), width: 5472, height: 3648).footprintENU()
        let turned = try FrameGeometry(metadata: GeoFixtures.phantom(yaw: yaw), width: 5472, height: 3648).footprintENU()
        let ψ = yaw * .pi / 180
        for (a, b) in zip(north, turned) {
            // Clockwise rotation by ψ seen from above (east = x, north = y).
            let r = SIMD2(a.x * cos(ψ) + a.y * sin(ψ), -a.x * sin(ψ) + a.y * cos(ψ))
            #expect(GeoFixtures.length(r - b) < 1e-6)
        }
    }

    /// Distance measured along the camera's heading (at -75° the bottom rows see behind the nadir point).
    @Test("Oblique: ground distance grows monotonically up the image", arguments: [-30.0, -45.0, -60.0, -75.0])
    func monotonic(pitch: Double) throws {
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(height: 60, pitch: pitch, yaw: 40), width: 5472, height: 3648)
        let heading = SIMD2(sin(40 * Double.pi / 180), cos(40 * Double.pi / 180))
        var previous = -Double.infinity
        var accepted = 0
        for row in stride(from: 3647.5, through: 0.5, by: -16) {
            guard let p = try? g.groundPoint(x: 2736, y: row) else { break }
            let d = (p * heading).sum()
            #expect(d > previous)
            previous = d
            accepted += 1
        }
        #expect(accepted > 10)
        // GSD grows up the image too.
        let low = try g.groundSampleDistance(x: 2736, y: 3600), mid = try g.groundSampleDistance(x: 2736, y: 1824)
        #expect(mid > low)
    }

    @Test("Rows at and above the horizon are refused, not extrapolated")
    func horizon() throws {
        // Pitch -10°: the vertical half field of view is atan(4.4 / 8.8) = 26.6°, so the top 16.6° look up.
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(height: 50, pitch: -10), width: 5472, height: 3648)
        let f = 8.8 / 13.2 * 5472
        let horizonRow = 1824 - f * tan(10 * Double.pi / 180)
        #expect(throws: GeoError.aboveHorizon(x: 2736, y: 10)) { try g.groundPoint(x: 2736, y: 10) }
        #expect(throws: GeoError.self) { try g.groundPoint(x: 2736, y: horizonRow) }
        #expect(throws: GeoError.self) { try g.groundPoint(x: 2736, y: horizonRow + 5) }  // 5° limit
        #expect(throws: Never.self) { try g.groundPoint(x: 2736, y: 3600) }
        // The clipped footprint stays inside the accepted square and has no corner from above the horizon.
        let fp = g.footprintENU()
        #expect(fp.count >= 4)
        for p in fp { #expect(GeoFixtures.length(p) <= g.maximumRange * 2.squareRoot() * (1 + 1e-9)) }
        // Looking up entirely: nothing of the frame is on the ground.
        let sky = try FrameGeometry(metadata: GeoFixtures.phantom(pitch: 30), width: 5472, height: 3648)
        #expect(sky.footprintENU().isEmpty)
        #expect(sky.gsdCentimetresPerPixel == nil)
    }

    @Test("Pixel → ground → pixel round trip within 0.1 px", arguments: [
        (-90.0, 0.0, 0.0), (-45.0, 123.0, 0.0), (-30.0, -70.0, 2.0), (-80.0, 300.0, -5.0), (-120.0, 10.0, 0.0),
    ])
    func roundTrip(pitch: Double, yaw: Double, roll: Double) throws {
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(height: 120, pitch: pitch, yaw: yaw, roll: roll),
                                  width: 5472, height: 3648)
        var worst = 0.0, count = 0
        for y in stride(from: 0.5, to: 3648, by: 181) {
            for x in stride(from: 0.5, to: 5472, by: 271) {
                guard let c = try? g.coordinate(x: x, y: y) else { continue }
                let back = try g.pixel(latitude: c.latitude, longitude: c.longitude)
                worst = max(worst, GeoFixtures.length(back - SIMD2(x, y)))
                count += 1
            }
        }
        #expect(count > 50)
        #expect(worst < 0.1, "worst \(worst) px")
    }
}
