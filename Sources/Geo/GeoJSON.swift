import Foundation

/// A minimal GeoJSON (RFC 7946) writer for footprints and outlines.
public enum GeoJSON {
    /// A property value.
    public enum Value: Sendable, Equatable, Encodable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .number(let n): try c.encode(n)
            case .bool(let b): try c.encode(b)
            case .null: try c.encodeNil()
            }
        }
    }

    /// A polygon feature.
    public struct Feature: Sendable, Equatable {
        /// Exterior ring as `[longitude, latitude]` positions (open or closed; the writer closes it and orients it
        /// counter-clockwise as RFC 7946 asks).
        public var ring: [[Double]]
        public var properties: [String: Value]

        public init(ring: [[Double]], properties: [String: Value] = [:]) {
            self.ring = ring
            self.properties = properties
        }
    }

    struct EncodedGeometry: Encodable {
        var type = "Polygon"
        var coordinates: [[[Double]]]
    }

    struct EncodedFeature: Encodable {
        var type = "Feature"
        var geometry: EncodedGeometry?
        var properties: [String: Value]

        enum CodingKeys: String, CodingKey { case type, geometry, properties }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(type, forKey: .type)
            try c.encode(geometry, forKey: .geometry)  // `null` when absent, as RFC 7946 requires the member
            try c.encode(properties, forKey: .properties)
        }
    }

    struct EncodedCollection: Encodable {
        var type = "FeatureCollection"
        var features: [EncodedFeature]
    }

    /// The ring closed and counter-clockwise (positive shoelace area in lon/lat).
    public static func normalisedRing(_ ring: [[Double]]) -> [[Double]] {
        var r = ring.filter { $0.count >= 2 }
        if let first = r.first, let last = r.last, r.count > 1, first == last { r.removeLast() }
        guard r.count >= 3 else { return [] }
        var area = 0.0
        for i in r.indices {
            let p = r[i], q = r[(i + 1) % r.count]
            area += p[0] * q[1] - q[0] * p[1]
        }
        if area < 0 { r.reverse() }
        return r + [r[0]]
    }

    /// A FeatureCollection as JSON text (keys sorted; features with fewer than 3 corners get a null geometry).
    public static func featureCollection(_ features: [Feature]) -> String {
        let encoded = EncodedCollection(features: features.map { f in
            let ring = normalisedRing(f.ring)
            return EncodedFeature(geometry: ring.isEmpty ? nil : EncodedGeometry(coordinates: [ring]),
                                  properties: f.properties)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(encoded) else { return #"{"features":[],"type":"FeatureCollection"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}

extension FrameGeometry {
    /// This frame's footprint as a GeoJSON feature with `gsdCmPerPx` and the given extra properties.
    public func footprintFeature(properties: [String: GeoJSON.Value] = [:]) -> GeoJSON.Feature {
        var props = properties
        props["gsdCmPerPx"] = gsdCentimetresPerPixel.map { .number($0) } ?? .null
        return GeoJSON.Feature(ring: footprint(), properties: props)
    }
}
