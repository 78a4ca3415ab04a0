import Findings
import Foundation
import Geodesy

/// One road segment of a network file: a centre line with an id and a name, as a GIS or an OpenStreetMap extract
/// gives it (`pavewatch condition --segments FILE.geojson`).
public struct RoadSegment: Sendable, Hashable, Codable {
    /// The segment's id (`properties.id`, else the feature's `id`, else its position in the file).
    public var id: String
    /// Its name (`properties.name`), if any.
    public var name: String?
    /// Centre lines: one per LineString (several for a MultiLineString).
    public var lines: [[GeoPoint]]

    /// Creates a segment.
    public init(id: String, name: String? = nil, lines: [[GeoPoint]]) {
        self.id = id
        self.name = name
        self.lines = lines
    }

    /// Reads a GeoJSON FeatureCollection (or one Feature) of LineString / MultiLineString features; other
    /// geometries are skipped. Ids are strings or numbers.
    /// - Throws: ``TicketError`` `.invalidInput` naming the file when it cannot be read, is not GeoJSON, holds
    ///   no line, or has two segments with one id.
    public static func load(path: String) throws -> [RoadSegment] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TicketError(.invalidInput, "cannot read the segments file", underlying: error, location: path)
        }
        do {
            return try parse(data)
        } catch var e as TicketError {
            e.location = path
            throw e
        }
    }

    /// ``load(path:)`` from bytes.
    public static func parse(_ data: Data) throws(TicketError) -> [RoadSegment] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TicketError(.invalidInput, "not JSON", underlying: error)
        }
        guard let object = root as? [String: Any] else { throw TicketError(.invalidInput, "not a GeoJSON object") }
        let features: [[String: Any]]
        switch object["type"] as? String {
        case "FeatureCollection": features = object["features"] as? [[String: Any]] ?? []
        case "Feature": features = [object]
        default: throw TicketError(.invalidInput, "not a GeoJSON FeatureCollection or Feature")
        }
        func text(_ v: Any?) -> String? {
            switch v {
            case let s as String: s
            case let n as NSNumber: n.stringValue
            default: nil
            }
        }
        func line(_ v: Any?) -> [GeoPoint]? {
            guard let positions = v as? [[Double]] else { return nil }
            let points = positions.compactMap { $0.count >= 2 ? GeoPoint(latitude: $0[1], longitude: $0[0]) : nil }
            guard points.count >= 2, points.allSatisfy({ abs($0.latitude) <= 90 && abs($0.longitude) <= 180 }) else { return nil }
            return points
        }
        var out: [RoadSegment] = []
        var ids: Set<String> = []
        for (n, f) in features.enumerated() {
            let geometry = f["geometry"] as? [String: Any]
            let lines: [[GeoPoint]] = switch geometry?["type"] as? String {
            case "LineString": line(geometry?["coordinates"]).map { [$0] } ?? []
            case "MultiLineString": (geometry?["coordinates"] as? [Any] ?? []).compactMap(line)
            default: []
            }
            guard !lines.isEmpty else { continue }
            let properties = f["properties"] as? [String: Any] ?? [:]
            let id = text(properties["id"]) ?? text(f["id"]) ?? "segment-\(n + 1)"
            guard ids.insert(id).inserted else { throw TicketError(.invalidInput, "two segments have the id \(id)") }
            out.append(RoadSegment(id: id, name: text(properties["name"]), lines: lines))
        }
        guard !out.isEmpty else { throw TicketError(.invalidInput, "no LineString or MultiLineString feature") }
        return out
    }
}
