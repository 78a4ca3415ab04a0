import Findings
import Foundation
import Geodesy
import Yams

/// Priority weights per road or zone, read from YAML:
/// ```yaml
/// default: 1.0            # weight outside every zone (optional, 1 when absent)
/// zones:
///   - name: School street
///     weight: 2.0
///     polygon: [[8.5401, 47.3702], [8.5410, 47.3702], [8.5410, 47.3710], [8.5401, 47.3710]]  # [lon, lat]
/// ```
public struct ZoneWeights: Codable, Sendable, Hashable {
    /// One weighted zone.
    public struct Zone: Codable, Sendable, Hashable {
        /// Name shown on tickets.
        public var name: String
        /// Multiplier of the priority score (> 0).
        public var weight: Double
        /// Polygon corners as `[longitude, latitude]`.
        public var polygon: [GeoPoint]

        /// Creates a zone.
        public init(name: String, weight: Double, polygon: [GeoPoint]) {
            self.name = name
            self.weight = weight
            self.polygon = polygon
        }
    }

    /// Weight outside all zones.
    public var defaultWeight: Double
    /// Zones, first match wins.
    public var zones: [Zone]

    enum CodingKeys: String, CodingKey { case defaultWeight = "default", zones }

    /// Creates weights.
    public init(defaultWeight: Double = 1, zones: [Zone]) {
        self.defaultWeight = defaultWeight
        self.zones = zones
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        defaultWeight = try c.decodeIfPresent(Double.self, forKey: .defaultWeight) ?? 1
        zones = try c.decodeIfPresent([Zone].self, forKey: .zones) ?? []
    }

    /// Parses YAML text.
    /// - Throws: ``TicketError`` `.invalidInput` for malformed YAML, weights ≤ 0 or polygons under 3 corners.
    public static func parse(yaml: String, source: String = "zones") throws(TicketError) -> ZoneWeights {
        let w: ZoneWeights
        do {
            w = try YAMLDecoder().decode(ZoneWeights.self, from: yaml)
        } catch {
            throw TicketError(.invalidInput, "invalid zone weights YAML", underlying: error, location: source)
        }
        guard w.defaultWeight > 0, w.defaultWeight.isFinite else {
            throw TicketError(.invalidInput, "default weight must be > 0", location: source)
        }
        for z in w.zones {
            guard z.weight > 0, z.weight.isFinite else {
                throw TicketError(.invalidInput, "zone '\(z.name)': weight must be > 0", location: source)
            }
            guard z.polygon.count >= 3 else {
                throw TicketError(.invalidInput, "zone '\(z.name)': polygon needs 3 or more corners", location: source)
            }
        }
        return w
    }

    /// Reads and parses a YAML file.
    /// - Throws: ``TicketError`` when the file cannot be read or parsed.
    public static func load(path: String) throws(TicketError) -> ZoneWeights {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TicketError(.invalidInput, "cannot read zone weights", underlying: error, location: path)
        }
        return try parse(yaml: text, source: path)
    }

    /// The first zone containing `p`.
    public func zone(containing p: GeoPoint) -> Zone? {
        zones.first { z in
            let plane = LocalPlane(origin: p)
            return PlaneShape(points: z.polygon.map(plane.project), closed: true).contains(SIMD2(0, 0))
        }
    }
}
