import Findings
import Foundation
import Geodesy
import Tickets

/// An SVG map drawn from stored coordinates only (no tile server): frame positions as the survey track,
/// ground footprints, defects coloured by severity, a scale bar and a north arrow.
public enum SurveyMap {
    /// - Parameters:
    ///   - ticketLink: when given, each defect links to `ticketLink + id` (e.g. `/tickets/`).
    ///   - background: when given, called with the projection (degrees to SVG x, y) and the map size; its SVG
    ///     is drawn under everything else (the review pages put tile-server images there).
    /// - Returns: an `<svg>` element, or a note when nothing has a position.
    public static func svg(frames: [FrameRecord], tickets: [Ticket], colours: [Severity: String],
                           width: Double = 720, height: Double = 480, ticketLink: String? = nil,
                           background: ((_ project: (GeoPoint) -> (Double, Double)) -> String)? = nil) -> String {
        var points: [GeoPoint] = frames.compactMap { f in
            guard let lat = f.latitude, let lon = f.longitude else { return nil }
            return GeoPoint(latitude: lat, longitude: lon)
        }
        for f in frames { points.append(contentsOf: f.footprint ?? []) }
        points.append(contentsOf: tickets.compactMap(\.location))
        guard let first = points.first else { return "<p>No frame or defect has a position.</p>" }
        // A local plane at the mean latitude (metres), fine over a survey's extent.
        let lat0 = points.map(\.latitude).reduce(0, +) / Double(points.count)
        let plane = LocalPlane(origin: GeoPoint(latitude: lat0, longitude: first.longitude))
        func metres(_ p: GeoPoint) -> (Double, Double) {
            let v = plane.project(p)
            return (v.x, v.y)
        }
        let ms = points.map(metres)
        let minX = ms.map(\.0).min()!, maxX = ms.map(\.0).max()!, minY = ms.map(\.1).min()!, maxY = ms.map(\.1).max()!
        let pad = 30.0
        let span = max(maxX - minX, maxY - minY, 1)
        let scale = min((width - 2 * pad) / max(maxX - minX, span * 0.01, 1), (height - 2 * pad) / max(maxY - minY, span * 0.01, 1))
        func xy(_ p: GeoPoint) -> (Double, Double) {
            let (x, y) = metres(p)
            return (pad + (x - minX) * scale, height - pad - (y - minY) * scale)
        }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var body = background?(xy) ?? ""
        for fr in frames {
            if let fp = fr.footprint, fp.count >= 3 {
                let pts = fp.map { p -> String in let (x, y) = xy(p); return "\(f(x)),\(f(y))" }.joined(separator: " ")
                body += "<polygon points=\"\(pts)\" fill=\"#9cf\" fill-opacity=\"0.15\" stroke=\"#69c\" stroke-width=\"0.5\"/>\n"
            }
        }
        let track = frames.compactMap { fr -> String? in
            guard let lat = fr.latitude, let lon = fr.longitude else { return nil }
            let (x, y) = xy(GeoPoint(latitude: lat, longitude: lon))
            return "\(f(x)),\(f(y))"
        }
        if track.count >= 2 {
            body += "<polyline points=\"\(track.joined(separator: " "))\" fill=\"none\" stroke=\"#888\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n"
        }
        for p in track { let c = p.split(separator: ","); body += "<circle cx=\"\(c[0])\" cy=\"\(c[1])\" r=\"2\" fill=\"#888\"/>\n" }
        for t in tickets {
            guard let loc = t.location else { continue }
            let (x, y) = xy(loc)
            let dot = "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"5\" fill=\"\(colours[t.severity] ?? "#000")\" stroke=\"#000\" stroke-width=\"0.5\">"
                + "<title>ticket \(t.id ?? 0): \(t.defectClass.rawValue), \(t.severity.rawValue)</title></circle>"
            if let ticketLink, let id = t.id {
                body += "<a href=\"\(ticketLink)\(id)\" class=\"defect\" data-ticket=\"\(id)\">\(dot)</a>\n"
            } else {
                body += dot + "\n"
            }
        }
        // Scale bar: a round length near a fifth of the width.
        let target = (width / 5) / scale
        let magnitude = pow(10, floor(log10(max(target, 0.01))))
        let bar = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.last { $0 <= target } ?? magnitude
        let barPx = bar * scale
        let label = bar >= 1000 ? String(format: "%g km", bar / 1000) : String(format: "%g m", bar)
        body += "<line x1=\"\(f(pad))\" y1=\"\(f(height - 10))\" x2=\"\(f(pad + barPx))\" y2=\"\(f(height - 10))\" stroke=\"#000\" stroke-width=\"3\"/>"
        body += "<text x=\"\(f(pad + barPx + 6))\" y=\"\(f(height - 6))\" font-size=\"12\">\(label)</text>\n"
        body += "<g transform=\"translate(\(f(width - 24)),30)\"><path d=\"M0,-18 L7,6 L0,0 L-7,6 Z\" fill=\"#000\"/>"
            + "<text x=\"-4\" y=\"20\" font-size=\"12\">N</text></g>\n"
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n\(body)</svg>"
    }
}
