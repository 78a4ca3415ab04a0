import Findings
import Foundation
import Geodesy
import Hummingbird
import Reports
import Tickets

extension ReviewRoutes {
    /// The frames and tickets a map request shows, with links to the other areas when they lie far apart (the map
    /// then shows the area with the most defects).
    func mapContent(_ q: ListQuery) async throws -> (frames: [FrameRecord], tickets: [Ticket], areaLinks: String) {
        var tickets = try await store.tickets(TicketQuery(statuses: q.statuses, classes: q.classes)).filter(q.matches)
        var frames = try await store.frames().filter { q.inBox($0.latitude, $0.longitude) }
        if let survey = q.survey { frames = frames.filter { $0.surveyId == survey } }
        var areaLinks = ""
        if q.box == nil {
            let areas = SurveyMap.areas(frames: frames, tickets: tickets)
            if areas.count > 1 {
                (frames, tickets) = (areas[0].frames, areas[0].tickets)
                var other = q
                let links = areas.enumerated().map { i, a -> String in
                    other.box = (a.south - 0.0001, a.west - 0.0001, a.north + 0.0001, a.east + 0.0001)
                    let centre = String(format: "%.3f, %.3f", (a.south + a.north) / 2, (a.west + a.east) / 2)
                    return "<a href=\"/map?\(other.filterParts().joined(separator: "&amp;"))\">area \(i + 1) near \(centre)</a> "
                        + "(\(a.tickets.count) defects, \(a.frames.count) frames)"
                }
                areaLinks = "<p id=\"areas\">These defects and frames lie in \(areas.count) areas far apart; the map shows area 1. "
                    + links.joined(separator: "; ") + ".</p>"
            }
        }
        return (frames, tickets, areaLinks)
    }

    /// The map: Leaflet (served from the binary) over `/map.geojson`, on the operator's tile layer when one is set;
    /// without JavaScript the drawn SVG map in `<noscript>`.
    func mapPage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let q = ListQuery(request)
        let (frames, tickets, areaLinks) = try await mapContent(q)
        var background: ((_ project: (GeoPoint) -> (Double, Double)) -> String)?
        if let tileURL = configuration.tileURL {
            let shownFrames = frames
            background = { project in Self.tiles(tileURL, frames: shownFrames, tickets: tickets, project) }
        }
        let svg = SurveyMap.svg(frames: frames, tickets: tickets,
                                colours: SurveyReport.severityColour.mapValues(\.css), width: 960, height: 640,
                                ticketLink: "/tickets/", background: background)
        var legend = ""
        for s in Severity.allCases.reversed() { legend += Self.severityBadge(s) + " " }
        let data = "/map.geojson" + (q.filterParts().isEmpty ? "" : "?" + q.filterParts().joined(separator: "&"))
        // The offline tile file wins over a tile server.
        let template = configuration.tiles != nil ? "/tiles/{z}/{x}/{y}" : configuration.tileURL
        var tiles = template.map { " data-tiles=\"\(HTML.escape($0))\"" } ?? ""
        if let a = configuration.tiles?.attribution { tiles += " data-attribution=\"\(HTML.escape(a))\"" }
        let body = """
        <h1>Map</h1>
        \(areaLinks)<p>\(tickets.count) defects (click one to open it), \(frames.count) frames: footprints in blue, the track dashed. \(legend)</p>
        <link rel="stylesheet" href="/static/leaflet/leaflet.css">
        <div id="leaflet" role="application" aria-label="Map of the defects" data-geojson="\(HTML.escape(data))"\(tiles) style="height:640px;max-width:960px;border:1px solid #ccc"></div>
        <noscript><div id="map">\(svg)</div></noscript>
        <p class="note">Map library: <a href="/static/leaflet/LICENSE.txt">Leaflet</a>\(template == nil ? "; no base map (serve --tiles FILE.mbtiles or --tile-url sets one)" : "").</p>
        <script src="/static/leaflet/leaflet.js"></script><script src="/static/map.js"></script>
        """
        return Self.htmlResponse(.ok, Self.layout(title: "Map", viewer: viewer, body: body))
    }

    /// The map's data as GeoJSON (RFC 7946, longitude first): defects (points at the ticket's position, with id,
    /// class, severity, colour, title and link), frame footprints and the survey track, for the same filters as the map.
    func mapData(_ request: Request) async throws -> Response {
        let (frames, tickets, _) = try await mapContent(ListQuery(request))
        var features: [[String: Any]] = []
        for t in tickets {
            guard let id = t.id, let p = t.location else { continue }
            let title = "#\(id) \(t.defectClass.rawValue), \(t.severity.rawValue) severity, \(t.status.rawValue)"
            features.append(["type": "Feature", "geometry": ["type": "Point", "coordinates": [p.longitude, p.latitude]],
                             "properties": ["kind": "defect", "id": id, "class": t.defectClass.rawValue,
                                            "severity": t.severity.rawValue, "status": t.status.rawValue,
                                            "colour": SurveyReport.severityColour[t.severity]?.css ?? "#888",
                                            "title": title, "url": "/tickets/\(id)"]])
        }
        var track: [[Double]] = []
        for f in frames {
            if let lat = f.latitude, let lon = f.longitude { track.append([lon, lat]) }
            guard let ring = f.footprint, ring.count >= 3 else { continue }
            let coordinates = (ring + [ring[0]]).map { [$0.longitude, $0.latitude] }
            features.append(["type": "Feature", "geometry": ["type": "Polygon", "coordinates": [coordinates]],
                             "properties": ["kind": "frame", "id": f.id ?? 0, "path": f.path]])
        }
        if track.count >= 2 {
            features.append(["type": "Feature", "geometry": ["type": "LineString", "coordinates": track],
                             "properties": ["kind": "track"]])
        }
        let json = try JSONSerialization.data(withJSONObject: ["type": "FeatureCollection", "features": features],
                                              options: [.sortedKeys])
        return Response(status: .ok, headers: [.contentType: "application/geo+json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: [UInt8](json))))
    }

    /// Web Mercator tiles covering the map's extent as SVG `<image>` elements, at most 64.
    static func tiles(_ template: String, frames: [FrameRecord], tickets: [Ticket],
                      _ project: (GeoPoint) -> (Double, Double)) -> String {
        var pts = tickets.compactMap(\.location)
        pts += frames.compactMap { f in f.latitude.flatMap { lat in f.longitude.map { GeoPoint(latitude: lat, longitude: $0) } } }
        for f in frames { pts += f.footprint ?? [] }
        guard let minLat = pts.map(\.latitude).min(), let maxLat = pts.map(\.latitude).max(),
              let minLon = pts.map(\.longitude).min(), let maxLon = pts.map(\.longitude).max() else { return "" }
        let span = max(maxLon - minLon, (maxLat - minLat) * 1.5, 1e-5)
        let z = max(1, min(19, Int(floor(log2(360 / span))) + 1))
        let n = Double(1 << z)
        func tx(_ lon: Double) -> Int { Int(floor((lon + 180) / 360 * n)) }
        func ty(_ lat: Double) -> Int {
            let r = lat * .pi / 180
            return Int(floor((1 - log(tan(r) + 1 / cos(r)) / .pi) / 2 * n))
        }
        func lon(_ x: Int) -> Double { Double(x) / n * 360 - 180 }
        func lat(_ y: Int) -> Double { atan(sinh(.pi * (1 - 2 * Double(y) / n))) * 180 / .pi }
        var out = ""
        var count = 0
        for y in ty(maxLat)...ty(minLat) {
            for x in tx(minLon)...tx(maxLon) where count < 64 {
                count += 1
                let (x0, y0) = project(GeoPoint(latitude: lat(y), longitude: lon(x)))
                let (x1, y1) = project(GeoPoint(latitude: lat(y + 1), longitude: lon(x + 1)))
                let url = template.replacingOccurrences(of: "{z}", with: "\(z)").replacingOccurrences(of: "{x}", with: "\(x)")
                    .replacingOccurrences(of: "{y}", with: "\(y)")
                out += "<image href=\"\(HTML.escape(url))\" x=\"\(x0)\" y=\"\(y0)\" width=\"\(x1 - x0)\" height=\"\(y1 - y0)\" preserveAspectRatio=\"none\" opacity=\"0.8\"/>\n"
            }
        }
        return out
    }
}
