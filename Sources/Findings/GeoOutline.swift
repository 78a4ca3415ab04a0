import Geodesy

/// The ground outline of a finding as a GeoJSON geometry: a `Polygon` (outer ring only) or a
/// `LineString` (a crack's centre line), positions as `[longitude, latitude]`.
public struct GeoOutline: Codable, Sendable, Hashable {
    /// The GeoJSON geometry kind.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// A closed ring; the first and last positions may or may not repeat.
        case polygon = "Polygon"
        /// An open line.
        case lineString = "LineString"
    }

    /// Polygon or line.
    public var kind: Kind
    /// The outer ring (polygon) or the line's positions.
    public var points: [GeoPoint]

    /// Creates an outline of the given kind.
    public init(kind: Kind, points: [GeoPoint]) {
        self.kind = kind
        self.points = points
    }

    private enum CodingKeys: String, CodingKey { case type, coordinates }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .type)
        switch kind {
        case .polygon:
            let rings = try c.decode([[GeoPoint]].self, forKey: .coordinates)
            points = rings.first ?? []
        case .lineString:
            points = try c.decode([GeoPoint].self, forKey: .coordinates)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .type)
        switch kind {
        case .polygon:
            var ring = points
            if let first = ring.first, ring.last != first { ring.append(first) }
            try c.encode([ring], forKey: .coordinates)
        case .lineString:
            try c.encode(points, forKey: .coordinates)
        }
    }
}
