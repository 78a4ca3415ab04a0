import Foundation
import Testing
@testable import Geo

@Suite("WGS84 and the local tangent plane")
struct GeodesyTests {
    @Test("ECEF of known points")
    func knownPoints() {
        let equator = WGS84.ecef(latitude: 0, longitude: 0)
        #expect(abs(equator.x - 6_378_137) < 1e-6 && abs(equator.y) < 1e-6 && abs(equator.z) < 1e-6)
        let pole = WGS84.ecef(latitude: 90, longitude: 0)
        #expect(abs(pole.z - 6_356_752.314_245) < 1e-3)  // semi-minor axis b
    }

    @Test("Geodetic → ECEF → geodetic round trip", arguments: [(0.0, 0.0, 0.0), (51.9, 4.48, 35.0), (-33.86, 151.2, -20.0), (89.9, -120.0, 1000.0)])
    func roundTrip(lat: Double, lon: Double, h: Double) {
        let p = WGS84.geodetic(WGS84.ecef(latitude: lat, longitude: lon, height: h))
        #expect(abs(p.latitude - lat) < 1e-11 && abs(p.longitude - lon) < 1e-11 && abs(p.height - h) < 1e-6)
    }

    /// Independent check: 1 km north/east of the origin against the meridian radius M = a(1-e²)/(1-e² sin²φ)^1.5
    /// and the prime-vertical radius N = a/(1-e² sin²φ)^0.5 (textbook formulas, not the code under test).
    @Test("ENU metres agree with the ellipsoid's radii of curvature to 1 mm at 1 km", arguments: [0.0, 34.55, 52.0, -41.0])
    func radii(lat: Double) {
        let a = 6_378_137.0, e2 = 0.006_694_379_990_14
        let s = sin(lat * .pi / 180)
        let m = a * (1 - e2) / pow(1 - e2 * s * s, 1.5), n = a / (1 - e2 * s * s).squareRoot()
        let plane = LocalTangentPlane(origin: GeoPoint(latitude: lat, longitude: 10))
        let north = plane.geodetic(SIMD3(0, 1000, 0)), east = plane.geodetic(SIMD3(1000, 0, 0))
        // Arc lengths along the ellipsoid vs the 1 km chord on the plane: differ by d³/(6R²) ≈ 4 µm.
        let dNorth = (north.latitude - lat) * .pi / 180 * m
        let dEast = (east.longitude - 10) * .pi / 180 * n * cos(lat * .pi / 180)
        #expect(abs(dNorth - 1000) < 1e-3, "\(dNorth)")
        #expect(abs(dEast - 1000) < 1e-3, "\(dEast)")
        // The plane point lies d²/2R above the ellipsoid.
        #expect(abs(north.height - 1000 * 1000 / (2 * m)) < 1e-3)
        // And back.
        let back = plane.enu(north)
        #expect(abs(back.x) < 1e-6 && abs(back.y - 1000) < 1e-6 && abs(back.z) < 1e-6)
    }
}
