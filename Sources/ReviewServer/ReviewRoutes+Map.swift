import Findings
import Foundation
import Hummingbird
import Pipeline
import Tickets

extension ReviewRoutes {
    func mapPage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let q = ListQuery(request)
        var tickets = try await store.tickets(TicketQuery(statuses: q.statuses, classes: q.classes)).filter(q.matches)
        var frames = try await store.frames().filter { q.inBox($0.latitude, $0.longitude) }
        if let survey = q.survey { frames = frames.filter { $0.surveyId == survey } }
        // Defects in several towns: draw the area with the most of them, link the others.
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
        let body = """
        <h1>Map</h1>
        \(areaLinks)<p>\(tickets.count) defects (click one to open it), \(frames.count) frames: footprints in blue, the track dashed. \(legend)</p>
        <div id="map">\(svg)</div>
        """
        return Self.htmlResponse(.ok, Self.layout(title: "Map", viewer: viewer, body: body))
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
