import Foundation
import Geodesy
import Testing
@testable import Geo

/// Checks the stated error bound of the tangent-plane ground model against the exact intersection of the same ray
/// with the WGS84 ellipsoid (height 0), found by bisection along the ray in ECEF.
@Suite("Tangent-plane error bound")
struct ErrorBoundTests {
    /// Horizontal distance between the plane point and the ellipsoid point of the ray through a pixel, and the
    /// bound d² / (2 R tan α) with R = 6 335 km (the smallest radius of curvature on WGS84).
    static func errorAndBound(_ g: FrameGeometry, x: Double, y: Double) throws -> (error: Double, bound: Double) {
        let plane = g.plane
        let d = g.ray(x: x, y: y)
        let onPlane = try g.groundPoint(x: x, y: y)
        let origin = plane.originECEF + plane.up * g.pose.heightAboveGround
        let direction = plane.east * d.x + plane.north * d.y + plane.up * d.z
        let tPlane = g.pose.heightAboveGround / -d.z
        var lo = tPlane * 0.999, hi = tPlane * 1.5
        #expect(WGS84.geodetic(origin + direction * lo).height > 0)
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if WGS84.geodetic(origin + direction * mid).height > 0 { lo = mid } else { hi = mid }
        }
        let exact = plane.enu(WGS84.geodetic(origin + direction * lo))
        let error = GeoFixtures.length(SIMD2(exact.x, exact.y) - onPlane)
        let distance = GeoFixtures.length(onPlane)
        let depression = atan2(g.pose.heightAboveGround, distance)
        return (error, distance * distance / (2 * 6_335_000 * tan(depression)))
    }

    @Test("Nadir frame from 120 m: under 1 mm everywhere")
    func nadir() throws {
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(height: 120), width: 5472, height: 3648)
        for (x, y) in [(0.0, 0.0), (5472, 3648), (2736, 1824), (5472, 0)] {
            let (error, bound) = try Self.errorAndBound(g, x: x, y: y)
            #expect(error < 1e-3 && error <= bound * 1.01 + 1e-6, "\(error) vs \(bound)")
        }
    }

    @Test("Oblique frames: within d²/(2R tan α)", arguments: [-45.0, -20.0, -8.0])
    func oblique(pitch: Double) throws {
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(height: 100, pitch: pitch, yaw: 30, lat: 60),
                                  width: 5472, height: 3648)
        for y in stride(from: 3647.5, to: 0, by: -200) {
            guard (try? g.groundPoint(x: 2736, y: y)) != nil else { continue }
            let (error, bound) = try Self.errorAndBound(g, x: 2736, y: y)
            #expect(error <= bound * 1.01 + 1e-6, "row \(y): \(error) vs \(bound)")
        }
    }
}
