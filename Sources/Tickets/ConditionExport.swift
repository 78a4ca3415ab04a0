import Findings
import Foundation

/// Writes condition rows (``ConditionAssessment/Row``) in forms asset-management tools load: GeoJSON (one feature
/// per unit and survey, the unit's centre lines or square as geometry) and CSV (one line per unit and survey, keyed by
/// segment id).
public enum ConditionExport {
    /// CSV columns.
    public static let columns = ["segment", "name", "survey", "date", "conditionIndex", "rating", "surveyedAreaM2",
                                 "unitAreaM2", "tickets", "distresses"]

    /// CSV with a header; `conditionIndex` empty when not surveyed; distresses as `type/severity=quantity unit` joined
    /// by `;`.
    public static func csv(_ rows: [ConditionAssessment.Row]) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [columns.joined(separator: ",")]
        for r in rows {
            let distresses = r.distresses.map { "\($0.distress.rawValue)/\($0.severity.rawValue)=\($0.quantity) \($0.unit)" }
            lines.append([r.segment, r.name ?? "", r.survey, r.date.formatted(.iso8601), r.conditionIndex.map { String($0) } ?? "",
                          r.rating ?? "", String(r.surveyedAreaM2), String(r.unitAreaM2),
                          r.tickets.map(String.init).joined(separator: " "), distresses.joined(separator: ";")]
                .map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A GeoJSON FeatureCollection: per row, the unit's geometry and the row's fields as properties.
    public static func geoJSON(_ rows: [ConditionAssessment.Row], units: [ConditionUnit]) throws -> String {
        let byId = Dictionary(units.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var features: [Any] = []
        for r in rows {
            let props = try JSONSerialization.jsonObject(with: try encoder.encode(r))
            var geometry: Any = NSNull()
            if let u = byId[r.segment] {
                func ring(_ o: GeoOutline) -> [[Double]] {
                    var pts = o.points.map { [$0.longitude, $0.latitude] }
                    if o.kind == .polygon, let first = pts.first, pts.last != first { pts.append(first) }
                    return pts
                }
                if u.geometry.count == 1, let o = u.geometry.first {
                    geometry = o.kind == .polygon ? ["type": "Polygon", "coordinates": [ring(o)]] as [String: Any]
                        : ["type": "LineString", "coordinates": ring(o)] as [String: Any]
                } else if !u.geometry.isEmpty {
                    geometry = ["type": "MultiLineString", "coordinates": u.geometry.map(ring)] as [String: Any]
                }
            }
            features.append(["type": "Feature", "geometry": geometry, "properties": props] as [String: Any])
        }
        let data = try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features],
                                              options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
