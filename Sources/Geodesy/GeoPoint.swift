/// A geodetic position on the WGS84 ellipsoid: degrees, and a height in metres.
///
/// Coded as a GeoJSON position, `[longitude, latitude]`, with the height as a third element only when it is not 0
/// (stored findings and the `inspect` JSON carry two-element positions).
public struct GeoPoint: Codable, Sendable, Hashable {
    /// Latitude in degrees, north positive.
    public var latitude: Double
    /// Longitude in degrees, east positive.
    public var longitude: Double
    /// Metres above the ellipsoid (or above the local ground plane where a function says so).
    public var height: Double

    /// Creates a point from latitude and longitude in degrees and a height in metres.
    /// - Parameters:
    ///   - latitude: degrees, north positive.
    ///   - longitude: degrees, east positive.
    ///   - height: metres above the ellipsoid.
    public init(latitude: Double, longitude: Double, height: Double = 0) {
        self.latitude = latitude
        self.longitude = longitude
        self.height = height
    }

    /// Decodes a GeoJSON position `[longitude, latitude(, altitude)]`.
    /// - Throws: `DecodingError` when the position has fewer than two numbers.
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        longitude = try c.decode(Double.self)
        latitude = try c.decode(Double.self)
        height = c.isAtEnd ? 0 : try c.decode(Double.self)
    }

    /// Encodes a GeoJSON position `[longitude, latitude]`, or `[longitude, latitude, height]` when the height is
    /// not 0.
    /// - Throws: the encoder's errors.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(longitude)
        try c.encode(latitude)
        if height != 0 { try c.encode(height) }
    }
}
