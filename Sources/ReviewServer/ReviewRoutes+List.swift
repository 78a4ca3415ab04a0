import Findings
import Foundation
import Hummingbird
import Reports
import Tickets

/// Filters, sorting and paging of the ranked list, parsed from the query string.
struct ListQuery: Sendable {
    var classes: [DefectClass] = []
    var severities: [Severity] = []
    var statuses: [TicketStatus] = []
    var survey: Int64?
    /// Rectangle in degrees: south, west, north, east.
    var box: (south: Double, west: Double, north: Double, east: Double)?
    var sort = "rank"
    var descending = false
    var page = 1

    static let sorts = ["rank", "class", "severity", "size", "sightings", "status", "lastSeen"]

    init() {}

    init(_ q: Hummingbird.Request) {
        let p = q.uri.queryParameters
        classes = p.getAll("class").compactMap { DefectClass(rawValue: String($0)) }
        severities = p.getAll("severity").compactMap { Severity(rawValue: String($0)) }
        statuses = p.getAll("status").compactMap { TicketStatus(rawValue: String($0)) }
        survey = p.get("survey").flatMap { Int64($0) }
        let edges = ["south", "west", "north", "east"].map { p.get($0).flatMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
        if let s = edges[0], let w = edges[1], let n = edges[2], let e = edges[3], s <= n, w <= e {
            box = (s, w, n, e)
        }
        if let s = p.get("sort"), Self.sorts.contains(s) { sort = s }
        descending = p.get("dir") == "desc"
        page = max(1, min(100_000, p.get("page").flatMap { Int($0) } ?? 1))
    }

    /// Whether `t` passes the filters (class and status are also applied in the store query).
    func matches(_ t: Ticket) -> Bool {
        if !severities.isEmpty, !severities.contains(t.severity) { return false }
        if let survey, t.firstSurveyId != survey, t.lastSurveyId != survey { return false }
        if box != nil, !inBox(t.latitude, t.longitude) { return false }
        return true
    }

    /// Whether a position lies in the map rectangle (always, without one; never for a missing position).
    func inBox(_ latitude: Double?, _ longitude: Double?) -> Bool {
        guard let box else { return true }
        guard let lat = latitude, let lon = longitude else { return false }
        return lat >= box.south && lat <= box.north && lon >= box.west && lon <= box.east
    }

    /// The query string of these filters with `changes` applied (for sort links and the pager).
    func link(sort: String? = nil, descending: Bool? = nil, page: Int? = nil) -> String {
        var parts = filterParts()
        parts.append("sort=\(sort ?? self.sort)")
        if descending ?? self.descending { parts.append("dir=desc") }
        parts.append("page=\(page ?? self.page)")
        return "/?" + parts.joined(separator: "&amp;")
    }

    /// The query-string parts of the filters (class, severity, status, survey, rectangle).
    func filterParts() -> [String] {
        var parts: [String] = []
        for c in classes { parts.append("class=\(c.rawValue)") }
        for s in severities { parts.append("severity=\(s.rawValue)") }
        for s in statuses { parts.append("status=\(s.rawValue)") }
        if let survey { parts.append("survey=\(survey)") }
        if let box {
            parts += ["south=\(box.south)", "west=\(box.west)", "north=\(box.north)", "east=\(box.east)"]
        }
        return parts
    }
}

extension ReviewRoutes {
    /// Size in real units: crack length × width, leak area.
    static func size(_ t: Ticket) -> String {
        switch t.defectClass {
        case .crack: "\(HTML.num(t.lengthM, "%.2f")) m × \(HTML.num(t.widthMm, "%.1f")) mm"
        case .leak: "\(HTML.num(t.areaM2, "%.2f")) m²"
        }
    }

    static func sizeValue(_ t: Ticket) -> Double {
        switch t.defectClass {
        case .crack: (t.lengthM ?? 0) * max(t.widthMm ?? 0, 0.001)
        case .leak: (t.areaM2 ?? 0) * 1000
        }
    }

    static func severityBadge(_ s: Severity) -> String {
        "<span class=\"sev\" style=\"background:\(SurveyReport.severityColour[s]?.css ?? "#000")\">\(s.rawValue)</span>"
    }

    static func classText(_ t: Ticket) -> String {
        HTML.escape(t.defectClass.rawValue) + (t.subtype.map { " / " + HTML.escape($0) } ?? "")
    }

    /// The ranked, filtered and sorted tickets of a list request, and the page of them it shows.
    func rankedPage(_ q: ListQuery) async throws -> (rows: [(rank: Int, ticket: Ticket)], shown: ArraySlice<(rank: Int, ticket: Ticket)>,
                                                     page: Int, pages: Int) {
        let all = try await store.tickets(TicketQuery(statuses: q.statuses, classes: q.classes))
        // Rank: position by priority among every ticket of the selection.
        var rows = all.enumerated().map { (rank: $0.offset + 1, ticket: $0.element) }.filter { q.matches($0.ticket) }
        let severityOrder = Dictionary(uniqueKeysWithValues: Severity.allCases.enumerated().map { ($0.element, $0.offset) })
        switch q.sort {
        case "class": rows.sort { ($0.ticket.defectClass.rawValue, $0.rank) < ($1.ticket.defectClass.rawValue, $1.rank) }
        case "severity": rows.sort { (-(severityOrder[$0.ticket.severity] ?? 0), $0.rank) < (-(severityOrder[$1.ticket.severity] ?? 0), $1.rank) }
        case "size": rows.sort { (-Self.sizeValue($0.ticket), $0.rank) < (-Self.sizeValue($1.ticket), $1.rank) }
        case "sightings": rows.sort { (-$0.ticket.sightings, $0.rank) < (-$1.ticket.sightings, $1.rank) }
        case "status": rows.sort { ($0.ticket.status.rawValue, $0.rank) < ($1.ticket.status.rawValue, $1.rank) }
        case "lastSeen": rows.sort { ($1.ticket.lastSeen, $0.rank) < ($0.ticket.lastSeen, $1.rank) }
        default: break
        }
        if q.descending { rows.reverse() }
        let pageSize = max(1, configuration.pageSize)
        let pages = max(1, (rows.count + pageSize - 1) / pageSize)
        let page = min(q.page, pages)
        return (rows, rows.dropFirst((page - 1) * pageSize).prefix(pageSize), page, pages)
    }

    func listPage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let q = ListQuery(request)
        let (rows, shown, page, pages) = try await rankedPage(q)

        let surveys = try await store.surveys()
        func options<T: RawRepresentable>(_ all: [T], _ selected: [T]) -> String
            where T.RawValue == String, T: Equatable {
            all.map { v in
                "<option value=\"\(v.rawValue)\"\(selected.contains(v) ? " selected" : "")>\(v.rawValue)</option>"
            }.joined()
        }
        let surveyOptions = "<option value=\"\">any</option>" + surveys.compactMap { s in
            s.id.map { "<option value=\"\($0)\"\(q.survey == $0 ? " selected" : "")>\(HTML.escape(s.name))</option>" }
        }.joined()
        func edge(_ name: String, _ v: Double?) -> String {
            "<label>\(name)<input name=\"\(name)\" id=\"f-\(name)\" size=\"10\" value=\"\(v.map { String($0) } ?? "")\"></label>"
        }
        let filters = """
        <form class="filters" method="get" action="/" id="filters">
        <label>Class<select name="class" id="f-class" multiple size="2">\(options(DefectClass.allCases, q.classes))</select></label>
        <label>Severity<select name="severity" id="f-severity" multiple size="4">\(options(Severity.allCases, q.severities))</select></label>
        <label>Status<select name="status" id="f-status" multiple size="4">\(options(TicketStatus.allCases, q.statuses))</select></label>
        <label>Survey<select name="survey" id="f-survey">\(surveyOptions)</select></label>
        \(edge("south", q.box?.south))\(edge("west", q.box?.west))\(edge("north", q.box?.north))\(edge("east", q.box?.east))
        <input type="hidden" name="sort" value="\(HTML.escape(q.sort))">
        <button type="submit" id="apply">Filter</button> <a href="/">reset</a>
        </form>
        """
        func header(_ key: String, _ label: String) -> String {
            let active = q.sort == key
            let arrow = active ? (q.descending ? " ▲" : " ▼") : ""
            return "<th><a href=\"\(q.link(sort: key, descending: active ? !q.descending : false, page: 1))\">\(label)\(arrow)</a></th>"
        }
        var body = "<h1>Defects, worst first</h1>\n" + filters
        body += "<p id=\"count\">\(rows.count) defect\(rows.count == 1 ? "" : "s") match; page \(page) of \(pages).</p>\n"
        // Keyboard triage for reviewers (/static/triage.js through the JSON API, with the session's CSRF token).
        let reviewer = viewer.user.role >= .reviewer
        if reviewer {
            body += "<p class=\"keys\" id=\"keys\">Keys: <kbd>j</kbd>/<kbd>k</kbd> next / previous, <kbd>x</kbd> pick, <kbd>c</kbd> confirm, "
                + "<kbd>r</kbd> reject, <kbd>d</kbd> dispatch, <kbd>f</kbd> fixed (the picked rows, or the selected one), <kbd>u</kbd> undo, <kbd>Enter</kbd> open. "
                + "Picked rows: <button type=\"button\" data-bulk=\"confirmed\" id=\"bulk-confirm\">confirm</button> "
                + "<button type=\"button\" data-bulk=\"rejected\" id=\"bulk-reject\">reject</button> "
                + "<button type=\"button\" data-bulk=\"dispatched\" id=\"bulk-dispatch\">dispatch</button></p>"
                + "<p id=\"triage-status\" role=\"status\" aria-live=\"polite\"></p>\n"
        }
        let csrf = reviewer ? " data-csrf=\"\(HTML.escape(viewer.session.csrfToken))\"" : ""
        body += "<table id=\"tickets\"\(csrf)><thead><tr>" + header("rank", "rank") + "<th>id</th><th>picture</th>" + header("class", "class")
            + header("severity", "severity") + header("size", "size") + header("sightings", "sightings")
            + header("status", "status") + header("lastSeen", "last seen") + "</tr></thead><tbody>\n"
        let fmt = ISO8601DateFormatter()
        for (rank, t) in shown {
            let id = t.id ?? 0
            body += """
            <tr data-ticket="\(id)"><td>\(rank)</td><td><a href="/tickets/\(id)" class="ticket-link">#\(id)</a></td>
            <td>\(reviewer ? "<input type=\"checkbox\" class=\"pick\" aria-label=\"pick #\(id)\"> " : "")<img class="thumb" src="/tickets/\(id)/thumb.png" alt="" loading="lazy"></td>
            <td>\(Self.classText(t))</td><td>\(Self.severityBadge(t.severity))</td><td>\(Self.size(t))</td>
            <td>\(t.sightings)</td><td class="status">\(t.status.rawValue)</td><td>\(fmt.string(from: t.lastSeen))</td></tr>\n
            """
        }
        body += "</tbody></table>\n<p class=\"pager\">"
        if page > 1 { body += "<a href=\"\(q.link(page: page - 1))\" id=\"prev\">← previous</a>" }
        if page < pages { body += "<a href=\"\(q.link(page: page + 1))\" id=\"next\">next →</a>" }
        body += "</p>"
        if reviewer { body += "<script src=\"/static/triage.js\"></script>" }
        return Self.htmlResponse(.ok, Self.layout(title: "Defects", viewer: viewer, body: body))
    }
}
