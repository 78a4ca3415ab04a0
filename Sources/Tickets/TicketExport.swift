import Findings
import Foundation

/// Writes tickets as GeoJSON, CSV or KML.
public enum TicketExport {
    /// Output formats.
    public enum Format: String, Sendable, CaseIterable {
        case geojson, csv, kml
    }

    /// The tickets in `format`.
    public static func render(_ tickets: [Ticket], as format: Format) -> String {
        switch format {
        case .geojson: geoJSON(tickets)
        case .csv: csv(tickets)
        case .kml: kml(tickets)
        }
    }

    static let columns = ["id", "class", "subtype", "status", "severity", "priority", "latitude", "longitude",
                          "uncertaintyM", "lengthM", "widthMm", "areaM2", "confidence", "sightings", "surveyCount",
                          "firstSeen", "lastSeen", "source", "zone", "remoteId"]

    static func iso(_ d: Date) -> String {
        d.formatted(.iso8601)
    }

    static func properties(_ t: Ticket) -> [String: Any] {
        var p: [String: Any] = [:]
        func put(_ k: String, _ v: Any?) { p[k] = v ?? NSNull() }
        put("id", t.id.map { Int($0) })
        put("class", t.defectClass.rawValue)
        put("subtype", t.subtype)
        put("status", t.status.rawValue)
        put("severity", t.severity.rawValue)
        put("priority", t.priority)
        put("latitude", t.latitude)
        put("longitude", t.longitude)
        put("uncertaintyM", t.uncertaintyM)
        put("lengthM", t.lengthM)
        put("widthMm", t.widthMm)
        put("areaM2", t.areaM2)
        put("confidence", t.confidence)
        put("sightings", t.sightings)
        put("surveyCount", t.surveyCount)
        put("firstSeen", iso(t.firstSeen))
        put("lastSeen", iso(t.lastSeen))
        put("source", t.source)
        put("zone", t.zone)
        put("remoteId", t.remoteId)
        return p
    }

    /// A GeoJSON FeatureCollection: the ticket's outline (Polygon or LineString), else its Point, else a
    /// `null` geometry for tickets without location.
    public static func geoJSON(_ tickets: [Ticket]) -> String {
        var features: [[String: Any]] = []
        for t in tickets {
            var geometry: Any = NSNull()
            if let o = t.geoOutline, o.points.count >= (o.kind == .polygon ? 3 : 2) {
                var pts = o.points.map { [$0.longitude, $0.latitude] }
                if o.kind == .polygon {
                    if pts.first! != pts.last! { pts.append(pts.first!) }
                    geometry = ["type": "Polygon", "coordinates": [pts]]
                } else {
                    geometry = ["type": "LineString", "coordinates": pts]
                }
            } else if let lat = t.latitude, let lon = t.longitude {
                geometry = ["type": "Point", "coordinates": [lon, lat]]
            }
            features.append(["type": "Feature", "id": Int(t.id ?? 0), "geometry": geometry,
                             "properties": properties(t)])
        }
        let root: [String: Any] = ["type": "FeatureCollection", "features": features]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]) else {
            return #"{"type":"FeatureCollection","features":[]}"#
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// RFC 4180 CSV with a header row.
    public static func csv(_ tickets: [Ticket]) -> String {
        func field(_ v: Any) -> String {
            let s: String
            switch v {
            case is NSNull: s = ""
            case let d as Double: s = String(d)
            default: s = "\(v)"
            }
            if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        var out = columns.joined(separator: ",") + "\r\n"
        for t in tickets {
            let p = properties(t)
            out += columns.map { field(p[$0] ?? NSNull()) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// KML 2.2 with one Placemark per located ticket.
    public static func kml(_ tickets: [Ticket]) -> String {
        var out = """
        <?xml version="1.0" encoding="UTF-8"?>
        <kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Pavewatch tickets</name>

        """
        for t in tickets {
            guard let lat = t.latitude, let lon = t.longitude else { continue }
            let name = "#\(t.id ?? 0) \(t.defectClass.rawValue) \(t.severity.rawValue)"
            let desc = "status \(t.status.rawValue), priority \(t.priority), sightings \(t.sightings)"
            out += "<Placemark><name>\(XMLText.escape(name))</name><description>\(XMLText.escape(desc))</description>"
            out += "<Point><coordinates>\(lon),\(lat),0</coordinates></Point></Placemark>\n"
        }
        out += "</Document></kml>\n"
        return out
    }
}
