import Foundation
import Geodesy
import Testing

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

    @Test("A degree of latitude: 110,574 m at the equator, 111,694 m at the poles; of longitude: 111,320 m at the equator")
    func metresPerDegree() {
        let equator = WGS84.metresPerDegree(latitude: 0), pole = WGS84.metresPerDegree(latitude: 90)
        #expect(abs(equator.latitude - 110_574.3) < 0.5, "\(equator.latitude)")
        #expect(abs(pole.latitude - 111_693.9) < 0.5, "\(pole.latitude)")
        #expect(abs(equator.longitude - 111_319.5) < 0.5, "\(equator.longitude)")
        #expect(abs(pole.longitude) < 1e-9)
        // 45°: 111,132 m and 78,847 m (textbook tables).
        let mid = WGS84.metresPerDegree(latitude: 45)
        #expect(abs(mid.latitude - 111_132) < 1 && abs(mid.longitude - 78_847) < 1, "\(mid)")
    }

    @Test("The local plane round-trips to under 1 mm within 10 km", arguments: [0.0, 41.43, -33.86, 70.0])
    func localPlaneRoundTrip(lat: Double) {
        let plane = LocalPlane(origin: GeoPoint(latitude: lat, longitude: 12.5))
        for (east, north) in [(0.0, 0.0), (10_000.0, 0.0), (0.0, -10_000.0), (7_071.0, 7_071.0), (-3_000.0, 9_500.0)] {
            let v = plane.project(plane.unproject(SIMD2(east, north)))
            #expect(abs(v.x - east) < 1e-3 && abs(v.y - north) < 1e-3, "\(v)")
        }
    }

    /// The linear plane agrees with the tangent plane (through ECEF) near its origin: 0.1 % of the distance at 1 km.
    @Test("The local plane agrees with the tangent plane", arguments: [0.0, 41.43, -52.0])
    func localPlaneAgreesWithTangentPlane(lat: Double) {
        let origin = GeoPoint(latitude: lat, longitude: -81.6)
        let exact = LocalTangentPlane(origin: origin), linear = LocalPlane(origin: origin)
        for v in [SIMD2(1000.0, 0), SIMD2(0, 1000.0), SIMD2(-600.0, 800)] {
            let p = exact.geodetic(SIMD3(v.x, v.y, 0))
            let d = linear.project(p) - v
            #expect((d * d).sum().squareRoot() < 1, "\(d)")
        }
    }

    @Test("Haversine distances: a degree of the equator, and along a meridian")
    func haversine() {
        let equator = WGS84.haversineDistance(GeoPoint(latitude: 0, longitude: 0), GeoPoint(latitude: 0, longitude: 1))
        #expect(abs(equator - WGS84.meanRadius * .pi / 180) < 1e-6)
        // Within 0.5 % of the ellipsoid's figures.
        let north = WGS84.haversineDistance(GeoPoint(latitude: 60, longitude: 5), GeoPoint(latitude: 61, longitude: 5))
        #expect(abs(north - WGS84.metresPerDegree(latitude: 60.5).latitude) / north < 0.005)
        #expect(WGS84.haversineDistance(GeoPoint(latitude: 10, longitude: 20), GeoPoint(latitude: 10, longitude: 20)) == 0)
    }

    @Test("GeoPoint codes as a GeoJSON position, with a height only when it has one")
    func coding() throws {
        let flat = try JSONEncoder().encode(GeoPoint(latitude: 41.5, longitude: -81.25))
        #expect(String(decoding: flat, as: UTF8.self) == "[-81.25,41.5]")
        let raised = GeoPoint(latitude: 41.5, longitude: -81.25, height: 12)
        #expect(String(decoding: try JSONEncoder().encode(raised), as: UTF8.self) == "[-81.25,41.5,12]")
        #expect(try JSONDecoder().decode(GeoPoint.self, from: Data("[-81.25,41.5,12]".utf8)) == raised)
        #expect(try JSONDecoder().decode(GeoPoint.self, from: flat) == GeoPoint(latitude: 41.5, longitude: -81.25))
    }
}
