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
}

/// A geodetic position on WGS84.
public struct GeoPoint: Sendable, Equatable, Codable {
    /// Degrees, north positive.
    public var latitude: Double
    /// Degrees, east positive.
    public var longitude: Double
    /// Metres above the ellipsoid (or above the local ground plane where a function says so).
    public var height: Double

    public init(latitude: Double, longitude: Double, height: Double = 0) {
        self.latitude = latitude
        self.longitude = longitude
        self.height = height
    }
}

/// East-north-up metres on the plane tangent to WGS84 at an origin.
///
/// Conversions go through ECEF and are exact (to floating-point precision) for any point; what is approximate is
/// treating the ground as this plane: at horizontal distance `d` from the origin the ellipsoid lies
/// `d² / 2R` below the plane (0.8 mm at 100 m, 7.8 cm at 1 km).
public struct LocalTangentPlane: Sendable, Equatable {
    /// The origin.
    public let origin: GeoPoint
    let originECEF: SIMD3<Double>
    let east: SIMD3<Double>, north: SIMD3<Double>, up: SIMD3<Double>

    /// - Parameters:
    ///   - origin: where the plane touches the ellipsoid (its `height` lifts the plane along the normal).
    public init(origin: GeoPoint) {
        self.origin = origin
        originECEF = WGS84.ecef(latitude: origin.latitude, longitude: origin.longitude, height: origin.height)
        let φ = origin.latitude * .pi / 180, λ = origin.longitude * .pi / 180
        east = SIMD3(-sin(λ), cos(λ), 0)
        north = SIMD3(-sin(φ) * cos(λ), -sin(φ) * sin(λ), cos(φ))
        up = SIMD3(cos(φ) * cos(λ), cos(φ) * sin(λ), sin(φ))
    }

    /// ENU metres of a geodetic point.
    public func enu(_ p: GeoPoint) -> SIMD3<Double> {
        let d = WGS84.ecef(latitude: p.latitude, longitude: p.longitude, height: p.height) - originECEF
        return SIMD3((d * east).sum(), (d * north).sum(), (d * up).sum())
    }

    /// Geodetic point of ENU metres.
    public func geodetic(_ enu: SIMD3<Double>) -> GeoPoint {
        WGS84.geodetic(originECEF + east * enu.x + north * enu.y + up * enu.z)
    }
}
