import Foundation

/// The WGS84 ellipsoid and conversions between geodetic coordinates and Earth-centred Earth-fixed (ECEF) metres.
public enum WGS84 {
    /// Semi-major axis, metres.
    public static let a = 6_378_137.0
    /// Flattening.
    public static let f = 1 / 298.257_223_563
    /// First eccentricity squared.
    public static let e2 = f * (2 - f)

    /// ECEF position of a geodetic point.
    /// - Parameters:
    ///   - latitude: degrees, north positive.
    ///   - longitude: degrees, east positive.
    ///   - height: metres above the ellipsoid.
    public static func ecef(latitude: Double, longitude: Double, height: Double = 0) -> SIMD3<Double> {
        let φ = latitude * .pi / 180, λ = longitude * .pi / 180
        let sinφ = sin(φ), cosφ = cos(φ)
        let n = a / (1 - e2 * sinφ * sinφ).squareRoot()
        return SIMD3((n + height) * cosφ * cos(λ), (n + height) * cosφ * sin(λ), (n * (1 - e2) + height) * sinφ)
    }

    /// Geodetic latitude, longitude (degrees) and ellipsoidal height (metres) of an ECEF position.
    /// Iterates Bowring's latitude update to machine precision (near the surface: 3 to 4 iterations).
    public static func geodetic(_ p: SIMD3<Double>) -> GeoPoint {
        let lon = atan2(p.y, p.x)
        let r = (p.x * p.x + p.y * p.y).squareRoot()
        var lat = atan2(p.z, r * (1 - e2))
        var h = 0.0
        for _ in 0..<8 {
            let sinφ = sin(lat)
            let n = a / (1 - e2 * sinφ * sinφ).squareRoot()
            // Stable at every latitude (r / cos φ - N is not near the poles).
            h = r * cos(lat) + (p.z + e2 * n * sinφ) * sinφ - n
            let next = atan2(p.z, r * (1 - e2 * n / (n + h)))
            if abs(next - lat) < 1e-15 { lat = next; break }
            lat = next
        }
        return GeoPoint(latitude: lat * 180 / .pi, longitude: lon * 180 / .pi, height: h)
    }

    /// Meridional radius of curvature (north–south), metres, at `latitude` degrees.
    public static func meridionalRadius(latitude: Double) -> Double {
        let s = sin(latitude * .pi / 180)
        let w = (1 - e2 * s * s).squareRoot()
        return a * (1 - e2) / (w * w * w)
    }

    /// Prime-vertical radius of curvature (east–west), metres, at `latitude` degrees.
    public static func primeVerticalRadius(latitude: Double) -> Double {
        let s = sin(latitude * .pi / 180)
        return a / (1 - e2 * s * s).squareRoot()
    }

    /// Metres spanned by one degree of latitude (north–south) and of longitude (east–west) at `latitude` degrees:
    /// 110,574 m and 111,320 m at the equator, 111,694 m and 0 m at the poles.
    public static func metresPerDegree(latitude: Double) -> (latitude: Double, longitude: Double) {
        (meridionalRadius(latitude: latitude) * .pi / 180,
         primeVerticalRadius(latitude: latitude) * cos(latitude * .pi / 180) * .pi / 180)
    }

    /// Mean radius of the ellipsoid, (2a + b) / 3, metres (the sphere of ``haversineDistance(_:_:)``).
    public static let meanRadius = (2 * a + a * (1 - f)) / 3

    /// Great-circle distance in metres between two points on the sphere of ``meanRadius`` (heights ignored);
    /// within 0.5 % of the distance on the ellipsoid.
    public static func haversineDistance(_ p: GeoPoint, _ q: GeoPoint) -> Double {
        let φ1 = p.latitude * .pi / 180, φ2 = q.latitude * .pi / 180
        let dφ = φ2 - φ1, dλ = (q.longitude - p.longitude) * .pi / 180
        let h = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
        return 2 * meanRadius * asin(min(1, h.squareRoot()))
    }
}
