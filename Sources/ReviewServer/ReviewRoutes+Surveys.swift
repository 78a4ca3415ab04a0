import Findings
import Foundation
import Geodesy
import Hummingbird
import Tickets

/// Frame counts and ground coverage of one survey.
struct SurveyStats {
    var frames = 0
    var withPosition = 0
    var withFootprint = 0
    /// Union of the footprints in m², rasterised on a grid of at most 256 × 256 cells.
    var coverageM2 = 0.0

    init(_ frames: [FrameRecord]) {
        self.frames = frames.count
        withPosition = frames.filter { $0.latitude != nil && $0.longitude != nil }.count
        let polys = frames.compactMap { f -> [GeoPoint]? in (f.footprint?.count ?? 0) >= 3 ? f.footprint : nil }
        withFootprint = polys.count
        guard let origin = polys.first?.first else { return }
        let plane = LocalPlane(origin: origin)
        let local = polys.map { $0.map { p -> SIMD2<Double> in plane.project(p) } }
        let all = local.flatMap { $0 }
        let minX = all.map(\.x).min()!, maxX = all.map(\.x).max()!, minY = all.map(\.y).min()!, maxY = all.map(\.y).max()!
        let cell = max(maxX - minX, maxY - minY, 0.01) / 256
        let nx = Int((maxX - minX) / cell) + 1, ny = Int((maxY - minY) / cell) + 1
        var covered = [Bool](repeating: false, count: nx * ny)
        for poly in local {
            let px = poly.map(\.x), py = poly.map(\.y)
            let i0 = max(0, Int((px.min()! - minX) / cell)), i1 = min(nx - 1, Int((px.max()! - minX) / cell))
            let j0 = max(0, Int((py.min()! - minY) / cell)), j1 = min(ny - 1, Int((py.max()! - minY) / cell))
            guard i0 <= i1, j0 <= j1 else { continue }
            for j in j0...j1 {
                for i in i0...i1 where !covered[j * nx + i] {
                    let c = SIMD2(minX + (Double(i) + 0.5) * cell, minY + (Double(j) + 0.5) * cell)
                    if Self.contains(poly, c) { covered[j * nx + i] = true }
                }
            }
        }
        coverageM2 = Double(covered.filter { $0 }.count) * cell * cell
    }

    /// Even-odd point-in-polygon test.
    static func contains(_ poly: [SIMD2<Double>], _ p: SIMD2<Double>) -> Bool {
        var inside = false
        var j = poly.count - 1
        for i in 0..<poly.count {
            let a = poly[i], b = poly[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }
}

extension ReviewRoutes {
    func surveysPage(_ viewer: Viewer) async throws -> Response {
        let surveys = try await store.surveys()
        let frames = Dictionary(grouping: try await store.frames(), by: \.surveyId)
        let failures = Dictionary(grouping: try await store.frameFailures(surveyId: nil), by: \.surveyId)
        let fmt = ISO8601DateFormatter()
        var body = "<h1>Surveys</h1><table id=\"surveys\"><tr><th>survey</th><th>started</th><th>frames</th><th>failed</th><th>with position</th><th>coverage m²</th></tr>\n"
        for s in surveys {
            guard let id = s.id else { continue }
            let st = SurveyStats(frames[id] ?? [])
            body += "<tr><td><a href=\"/surveys/\(id)\">\(HTML.escape(s.name))</a></td><td>\(fmt.string(from: s.startedAt))</td><td>\(st.frames)</td><td>\(failures[id]?.count ?? 0)</td><td>\(st.withPosition)</td><td>\(HTML.num(st.coverageM2, "%.0f"))</td></tr>\n"
        }
        body += "</table>"
        return Self.htmlResponse(.ok, Self.layout(title: "Surveys", viewer: viewer, body: body))
    }

    func surveyPage(_ id: Int64, _ viewer: Viewer) async throws -> Response {
        guard let survey = try await store.surveys().first(where: { $0.id == id }) else {
            throw Failure(.notFound, "No survey \(id).")
        }
        let frames = try await store.frames().filter { $0.surveyId == id }
        let tickets = try await store.tickets(TicketQuery()).filter { $0.firstSurveyId == id || $0.lastSurveyId == id }
        let st = SurveyStats(frames)
        let missing = frames.filter { $0.latitude == nil || $0.longitude == nil }
        let failures = try await store.frameFailures(surveyId: id)
        let fmt = ISO8601DateFormatter()
        var body = """
        <h1>Survey \(HTML.escape(survey.name))</h1>
        <p id="summary">\(st.frames) frames processed; \(st.withPosition) with a position, \(st.withFootprint) with a ground footprint;
        coverage \(HTML.num(st.coverageM2, "%.0f")) m² (union of footprints); \(tickets.count) defects seen
        (<a href="/?survey=\(id)">list</a>, <a href="/map?survey=\(id)">map</a>).</p>

        """
        if let p = try await store.surveyProgress(surveyId: id) {
            body += Self.jobsSection(p)
        }
        body += "<h2>Failures</h2>"
        if failures.isEmpty {
            body += "<p id=\"failures\">No frame failed.</p>"
        } else {
            body += "<p>\(failures.count) frame(s) could not be analysed; fix or replace them and run the survey again (stored frames are skipped):</p>"
            body += "<table id=\"failures\"><tr><th>frame</th><th>reason</th><th>when</th></tr>\n"
            for f in failures.prefix(1000) {
                body += "<tr><td>\(HTML.escape(URL(fileURLWithPath: f.path).lastPathComponent))</td><td>\(HTML.escape(f.reason))</td><td>\(fmt.string(from: f.failedAt))</td></tr>\n"
            }
            body += "</table>"
        }
        body += "<p>\(missing.isEmpty ? "Every stored frame has a position." : "\(missing.count) stored frame(s) have no position and are not on the map:")</p>"
        if !missing.isEmpty {
            body += "<ul>" + missing.prefix(200).map { "<li>\(HTML.escape(URL(fileURLWithPath: $0.path).lastPathComponent))</li>" }.joined() + "</ul>"
        }
        let surveyed = frames.surveyedAreaM2
        if surveyed > 0 {
            let limits = frames.detectionLimitRangeMm
            body += "<p id=\"surveyed\">Paved surface surveyed: \(HTML.num(surveyed, "%.0f")) m²"
                + (limits.map { "; detection limit \(HTML.num($0.lowerBound, "%.1f"))–\(HTML.num($0.upperBound, "%.1f")) mm (narrower cracks may be missed)" } ?? "")
                + ".</p>"
        }
        body += "<h2>Frames</h2><table id=\"frames\"><tr><th>frame</th><th>size</th><th>position</th><th>altitude m</th><th>GSD cm/px</th><th>paved %</th><th>surveyed m²</th><th>detection limit mm</th><th>captured</th></tr>\n"
        for f in frames.prefix(1000) {
            body += "<tr><td>\(HTML.escape(URL(fileURLWithPath: f.path).lastPathComponent))</td><td>\(f.width)×\(f.height)</td><td>\(HTML.num(f.latitude, "%.6f")), \(HTML.num(f.longitude, "%.6f"))</td><td>\(HTML.num(f.altitudeM, "%.1f"))</td><td>\(HTML.num(f.gsdCmPerPx, "%.2f"))</td><td>\(HTML.num(f.surfaceFraction.map { $0 * 100 }, "%.0f"))</td><td>\(HTML.num(f.surveyedAreaM2, "%.0f"))</td><td>\(HTML.num(f.detectionLimitMm, "%.1f"))</td><td>\(HTML.escape(f.capturedAt ?? "–"))</td></tr>\n"
        }
        body += "</table>"
        return Self.htmlResponse(.ok, Self.layout(title: "Survey \(survey.name)", viewer: viewer, body: body))
    }

    /// The job counts of a survey that workers share: totals, then one row per worker.
    static func jobsSection(_ p: SurveyProgress) -> String {
        let total = p.pending + p.running + p.done + p.failed
        var html = """
        <h2>Jobs</h2>
        <p id="jobs">\(p.done) of \(total) frames done, \(p.running) running, \(p.pending) waiting, \(p.failed) failed for good.</p>
        <table id="workers"><tr><th>worker</th><th>done</th><th>running</th><th>failed</th></tr>

        """
        for w in p.workers {
            html += "<tr><td>\(HTML.escape(w.worker))</td><td>\(w.done)</td><td>\(w.running)</td><td>\(w.failed)</td></tr>\n"
        }
        html += "</table>"
        if !p.failures.isEmpty {
            html += "<table id=\"job-failures\"><tr><th>frame</th><th>tries</th><th>reason</th></tr>\n"
            for f in p.failures.prefix(1000) {
                html += "<tr><td>\(HTML.escape(f.path))</td><td>\(f.attempts)</td><td>\(HTML.escape(f.reason))</td></tr>\n"
            }
            html += "</table>"
        }
        return html
    }
}
