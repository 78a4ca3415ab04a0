import Findings
import Foundation
import Geodesy
import Hummingbird
import Tickets

extension ReviewRoutes {
    static func ratingColour(_ rating: String?) -> String {
        HTML.ratingColours.first { $0.rating == (rating ?? "not surveyed") }?.css ?? "#bdbdbd"
    }

    /// `GET /condition?survey=ID&threshold=55`: the condition map and table of one survey (default: the latest), over
    /// the road segments of `serve --segments` or sample units, with each unit's index trend and when it falls below the
    /// threshold (see ``Forecast/units(_:threshold:)``).
    func conditionPage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let history = try await SurveyHistory.load(from: store)
        let assessment = ConditionAssessment(history: history, segments: configuration.segments,
                                             widthM: configuration.roadWidthM)
        guard !assessment.surveys.isEmpty else {
            return Self.htmlResponse(.ok, Self.layout(title: "Condition", viewer: viewer,
                                                      body: "<h1>Condition</h1><p>No survey yet.</p>"))
        }
        let asked = request.uri.queryParameters.get("survey").flatMap { Int64($0) }
        let summary = assessment.surveys.first { $0.surveyId == asked } ?? assessment.surveys.last!
        let rows = assessment.rows.filter { $0.surveyId == summary.surveyId }
        let links = assessment.surveys.map { s in
            s.surveyId == summary.surveyId ? "<b>\(HTML.escape(s.survey))</b>"
                : "<a href=\"/condition?survey=\(s.surveyId)\">\(HTML.escape(s.survey))</a>"
        }.joined(separator: " · ")
        let legend = HTML.ratingColours.map { "<span class=\"sev\" style=\"background:\($0.css)\">\(HTML.escape($0.rating))</span>" }
            .joined(separator: " ")
        let threshold = request.uri.queryParameters.get("threshold").flatMap { Double($0) }.map { min(max($0, 0), 100) } ?? 55
        let trends = Dictionary(Forecast.units(assessment, threshold: threshold).map { ($0.segment, $0) }, uniquingKeysWith: { a, _ in a })
        var table = "<table id=\"units\"><tr><th>unit</th><th>index</th><th>rating</th><th>surveyed m²</th><th>distresses</th><th>tickets</th>"
            + "<th>change per year</th><th>below \(HTML.num(threshold, "%.0f")) by</th></tr>\n"
        for r in rows.sorted(by: { ($0.conditionIndex ?? 999, $0.segment) < ($1.conditionIndex ?? 999, $1.segment) }) {
            let trend = trends[r.segment]
            let change = trend?.changePerYear.map { String(format: "%+.1f ± %.1f", $0, trend?.changeErrorPerYear ?? 0) } ?? "–"
            func day(_ d: Date?) -> String { d.map { String($0.formatted(.iso8601).prefix(10)) } ?? "–" }
            let below = trend?.date == nil ? "–" : "\(day(trend?.date)) (\(day(trend?.earliest)) – \(day(trend?.latest)))"
            let distresses = r.distresses.map { "\($0.distress.rawValue)/\($0.severity.rawValue) \(HTML.num($0.quantity, "%.2f")) \($0.unit)" }
            let tickets = r.tickets.map { "<a href=\"/tickets/\($0)\">\($0)</a>" }.joined(separator: " ")
            table += "<tr><td>\(HTML.escape(r.segment))\(r.name.map { " " + HTML.escape($0) } ?? "")</td><td>\(HTML.num(r.conditionIndex, "%.1f"))</td>"
                + "<td>\(HTML.escape(r.rating ?? "not surveyed"))</td><td>\(HTML.num(r.surveyedAreaM2, "%.0f"))</td>"
                + "<td>\(HTML.escape(distresses.joined(separator: "; ")))</td><td>\(tickets)</td>"
                + "<td>\(HTML.escape(change))</td><td title=\"\(HTML.escape(trend?.note ?? ""))\">\(HTML.escape(below))</td></tr>\n"
        }
        table += "</table>"
        let body = """
        <h1>Condition</h1>
        <p>Surveys: \(links)</p>
        <p id="summary">Survey \(HTML.escape(summary.survey)) (\(HTML.escape(String(summary.date.formatted(.iso8601).prefix(10))))): \
        condition index \(HTML.num(summary.conditionIndex, "%.1f")) (\(HTML.escape(summary.rating ?? "not surveyed"))) over \
        \(HTML.num(summary.surveyedAreaM2, "%.0f")) m² surveyed; \(summary.unitsSurveyed) units surveyed, \(summary.unitsNotSurveyed) not.
        Index 0–100 in the manner of ASTM D6433 (see docs/CONDITION.md for what is simplified).</p>
        <p>\(legend)</p>
        <div id="condition-map">\(Self.conditionSVG(units: assessment.units, rows: rows, frames: history.frames.filter { $0.surveyId == summary.surveyId },
                                                    tileURL: configuration.tileURL))</div>
        \(table)
        """
        return Self.htmlResponse(.ok, Self.layout(title: "Condition", viewer: viewer, body: body))
    }

    /// An SVG of the units coloured by rating (segments as thick lines, sample units as squares), over the survey's
    /// footprints, with a scale bar; projected in a ``LocalPlane`` at the first point.
    static func conditionSVG(units: [ConditionUnit], rows: [ConditionAssessment.Row], frames: [FrameRecord], tileURL: String? = nil,
                             width: Double = 960, height: Double = 640) -> String {
        let points = units.flatMap { $0.geometry.flatMap(\.points) } + frames.flatMap { $0.footprint ?? [] }
        guard let origin = points.first else { return "<p>Nothing has a position.</p>" }
        let plane = LocalPlane(origin: origin)
        let ms = points.map(plane.project)
        let lo = ms.reduce(SIMD2(repeating: Double.infinity)) { pointwiseMin($0, $1) }
        let hi = ms.reduce(SIMD2(repeating: -Double.infinity)) { pointwiseMax($0, $1) }
        let pad = 20.0
        let span = pointwiseMax(hi - lo, SIMD2(repeating: 1))
        let scale = min((width - 2 * pad) / span.x, (height - 2 * pad) / span.y)
        func project(_ p: GeoPoint) -> (Double, Double) {
            let v = plane.project(p)
            return (pad + (v.x - lo.x) * scale, height - pad - (v.y - lo.y) * scale)
        }
        func xy(_ p: GeoPoint) -> String {
            let (x, y) = project(p)
            return String(format: "%.1f,%.1f", x, y)
        }
        let byUnit = Dictionary(rows.map { ($0.segment, $0) }, uniquingKeysWith: { a, _ in a })
        // The background map where the review pages have a tile server (as on /map).
        var body = tileURL.map { tiles($0, frames: frames, tickets: [], project) } ?? ""
        for f in frames where (f.footprint?.count ?? 0) >= 3 {
            body += "<polygon points=\"\(f.footprint!.map(xy).joined(separator: " "))\" fill=\"#9cf\" fill-opacity=\"0.12\" stroke=\"#69c\" stroke-width=\"0.5\"/>\n"
        }
        for u in units {
            let r = byUnit[u.id]
            let colour = ratingColour(r?.rating)
            let title = "<title>\(HTML.escape(u.id + (u.name.map { " " + $0 } ?? ""))): \(HTML.num(r?.conditionIndex, "%.1f")) \(HTML.escape(r?.rating ?? "not surveyed"))</title>"
            for g in u.geometry {
                let pts = g.points.map(xy).joined(separator: " ")
                body += g.kind == .polygon
                    ? "<polygon class=\"unit\" points=\"\(pts)\" fill=\"\(colour)\" fill-opacity=\"0.75\" stroke=\"#fff\" stroke-width=\"0.5\">\(title)</polygon>\n"
                    : "<polyline class=\"unit\" points=\"\(pts)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"6\" stroke-linecap=\"round\">\(title)</polyline>\n"
            }
        }
        let bar = [1.0, 2, 5, 10, 20, 50, 100, 200, 500, 1000].last { $0 * scale <= width / 4 } ?? 1
        body += "<line x1=\"\(pad)\" y1=\"\(height - 8)\" x2=\"\(pad + bar * scale)\" y2=\"\(height - 8)\" stroke=\"#000\" stroke-width=\"2\"/>"
            + "<text x=\"\(pad)\" y=\"\(height - 12)\" font-size=\"11\">\(Int(bar)) m</text>\n"
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n\(body)</svg>"
    }

    /// `GET /kpi`: the maintenance KPIs.
    func kpiPage(_ viewer: Viewer) async throws -> Response {
        let kpi = MaintenanceKPI(tickets: try await store.tickets(TicketQuery(orderByPriority: false)), events: try await store.allEvents())
        var body = "<h1>Maintenance KPIs</h1><table id=\"stages\"><tr><th>from first seen to</th><th>tickets</th><th>median h</th><th>90th percentile h</th></tr>\n"
        for s in kpi.stages {
            body += "<tr><td>\(s.stage)</td><td>\(s.count)</td><td>\(HTML.num(s.medianHours, "%.1f"))</td><td>\(HTML.num(s.p90Hours, "%.1f"))</td></tr>\n"
        }
        body += "</table>\n<p id=\"repairs\">Repairs: \(kpi.repairsFixed) fixed, \(kpi.repairsVerified) verified by a later survey, "
            + "\(kpi.reopened) reopened (closed, not fixed); reopen rate \(HTML.num(kpi.reopenRate.map { $0 * 100 }, "%.0f")) %.</p>\n"
        let bands = MaintenanceKPI.ageBands.map(\.label)
        body += "<h2>Backlog: \(kpi.open) open of \(kpi.tickets)</h2><table id=\"backlog\"><tr><th>severity</th>"
            + bands.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>\n"
        for s in Severity.allCases.reversed() {
            body += "<tr><td>\(Self.severityBadge(s))</td>" + bands.map { b in
                "<td>\(kpi.backlog.first { $0.severity == s && $0.age == b }?.count ?? 0)</td>"
            }.joined() + "</tr>\n"
        }
        body += "</table>"
        return Self.htmlResponse(.ok, Self.layout(title: "KPIs", viewer: viewer, body: body))
    }
}
