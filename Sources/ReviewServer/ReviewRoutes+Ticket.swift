import Findings
import Foundation
import Hummingbird
import NIOCore
import Reports
import Tickets

extension ReviewRoutes {
    func ticketPage(_ id: Int64, _ viewer: Viewer, message: String?) async throws -> Response {
        guard let t = try await store.ticket(id: id) else { throw Failure(.notFound, "No ticket \(id).") }
        let findings = try await store.findings(ticketId: id)
        let events = try await store.events(ticketId: id)
        let frames = Dictionary(try await store.frames().compactMap { f in f.id.map { ($0, f) } }, uniquingKeysWith: { a, _ in a })
        let surveys = Dictionary(try await store.surveys().compactMap { s in s.id.map { ($0, s.name) } }, uniquingKeysWith: { a, _ in a })
        let fmt = ISO8601DateFormatter()
        var body = "<h1>Defect #\(id): \(Self.classText(t)) \(Self.severityBadge(t.severity))</h1>\n"
        if let message, Self.actions.keys.contains(message) {
            body += "<p class=\"ok\" id=\"done\">Done: \(HTML.escape(message)).</p>\n"
        }
        // The crop of the most confident sighting.
        let best = findings.max { $0.finding.confidence < $1.finding.confidence }
        if let best, let fid = best.id, frames[best.frameId] != nil {
            body += "<p><img class=\"crop\" id=\"crop\" src=\"/tickets/\(id)/findings/\(fid)/crop.png\" alt=\"crop of defect \(id) with its outline\"></p>\n"
        }
        body += """
        <table id="measurements"><tr><th>status</th><td id="status">\(t.status.rawValue)</td></tr>
        <tr><th>priority</th><td>\(HTML.num(t.priority, "%.1f"))</td></tr>
        <tr><th>length</th><td>\(HTML.num(t.lengthM, "%.2f")) m (first \(HTML.num(t.firstLengthM, "%.2f")) m)</td></tr>
        <tr><th>width</th><td>\(HTML.num(t.widthMm, "%.1f")) mm (first \(HTML.num(t.firstWidthMm, "%.1f")) mm)</td></tr>
        <tr><th>area</th><td>\(HTML.num(t.areaM2, "%.2f")) m² (first \(HTML.num(t.firstAreaM2, "%.2f")) m²)</td></tr>
        <tr><th>growth</th><td>\(HTML.num(t.growth * 100, "%.0f")) %</td></tr>
        <tr><th>confidence</th><td>\(HTML.num(t.confidence, "%.2f"))</td></tr>
        <tr><th>position</th><td>\(HTML.num(t.latitude, "%.6f")), \(HTML.num(t.longitude, "%.6f")) ± \(HTML.num(t.uncertaintyM, "%.1f")) m</td></tr>
        <tr><th>zone</th><td>\(HTML.escape(t.zone ?? "–"))</td></tr>
        <tr><th>sightings</th><td>\(t.sightings) in \(t.surveyCount) survey(s), first \(fmt.string(from: t.firstSeen)), last \(fmt.string(from: t.lastSeen))</td></tr>
        \(t.details.map { "<tr><th>description</th><td>\(HTML.escape($0))</td></tr>" } ?? "")
        \(t.address.map { "<tr><th>address</th><td>\(HTML.escape($0))</td></tr>" } ?? "")
        \(t.remoteId.map { "<tr><th>external id</th><td>\(HTML.escape($0))</td></tr>" } ?? "")
        </table>\n
        """
        if viewer.user.role >= .reviewer {
            body += "<h2>Actions</h2><div class=\"actions\" id=\"actions\">\n"
            let csrf = "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(viewer.session.csrfToken))\">"
            let buttons: [(String, TicketStatus, String)] = [
                ("confirm", .confirmed, "Confirm"), ("reject", .rejected, "Reject (false positive)"),
                ("dispatch", .dispatched, "Dispatch"), ("fixed", .fixed, "Mark fixed"),
            ]
            for (action, status, label) in buttons where t.status.canMove(to: status) {
                // A crew marking a defect fixed may add a photo (taken with the phone's camera).
                let upload = status == .fixed && configuration.photoDirectory != nil
                let photo = upload ? "<label>photo <input type=\"file\" name=\"photo\" id=\"photo\" accept=\"image/jpeg,image/png\" capture=\"environment\"></label> " : ""
                body += "<form method=\"post\" action=\"/tickets/\(id)/\(action)\"\(upload ? " enctype=\"multipart/form-data\"" : "")>\(csrf)<input name=\"note\" placeholder=\"note\" size=\"16\" aria-label=\"note\"> \(photo)<button type=\"submit\" id=\"action-\(action)\">\(label)</button></form>\n"
            }
            body += "<form method=\"post\" action=\"/tickets/\(id)/merge\">\(csrf)<input name=\"into\" id=\"merge-into\" placeholder=\"ticket id\" size=\"8\"> <button type=\"submit\" id=\"action-merge\">Merge into</button></form>\n</div>\n"
        }
        body += repairSection(ticketId: id, findings: findings, frames: frames)
        // Sightings with growth against the first one.
        body += "<h2>Sightings</h2><table id=\"sightings\"><tr><th>finding</th><th>survey</th><th>frame</th><th>captured</th><th>confidence</th><th>length m</th><th>width mm</th><th>area m²</th><th>growth</th><th>crop</th><th>frame</th></tr>\n"
        let first = findings.first?.finding
        for rec in findings {
            let f = rec.finding
            let frame = frames[rec.frameId]
            func rel(_ now: Double?, _ base: Double?) -> Double? {
                guard let now, let base, base > 0 else { return nil }
                return (now - base) / base * 100
            }
            let growth = t.defectClass == .leak ? rel(f.areaM2, first?.areaM2) : (rel(f.widthMm, first?.widthMm) ?? rel(f.lengthM, first?.lengthM))
            let name = frame.map { URL(fileURLWithPath: $0.path).lastPathComponent } ?? "–"
            let survey = frame.flatMap { surveys[$0.surveyId] }
            let crop = rec.id.map { "<a href=\"/tickets/\(id)/findings/\($0)/crop.png\"><img class=\"thumb\" src=\"/tickets/\(id)/findings/\($0)/crop.png\" alt=\"sighting \($0)\" loading=\"lazy\"></a>" } ?? ""
            body += """
            <tr><td>\(rec.id ?? 0)</td><td>\(survey.map { "<a href=\"/surveys/\(frame!.surveyId)\">\(HTML.escape($0))</a>" } ?? "–")</td>
            <td>\(HTML.escape(name))</td><td>\(HTML.escape(frame?.capturedAt ?? "–"))</td><td>\(HTML.num(f.confidence, "%.2f"))</td>
            <td>\(HTML.num(f.lengthM, "%.2f"))</td><td>\(HTML.num(f.widthMm, "%.1f"))</td><td>\(HTML.num(f.areaM2, "%.2f"))</td>
            <td>\(HTML.num(growth, "%+.0f %%"))</td><td>\(frame == nil ? "" : crop)</td>
            <td>\(frame == nil || rec.id == nil ? "" : "<a class=\"frame-link\" href=\"/tickets/\(id)/findings/\(rec.id!)/frame\">whole frame</a>")</td></tr>\n
            """
        }
        body += "</table>\n<h2>History</h2><table id=\"history\"><tr><th>when</th><th>who</th><th>what</th><th>note</th></tr>\n"
        for e in events {
            var what = e.kind.rawValue
            if let from = e.fromStatus, let to = e.toStatus { what = "\(from.rawValue) → \(to.rawValue)" }
            body += "<tr><td>\(fmt.string(from: e.at))</td><td class=\"actor\">\(HTML.escape(e.actor))</td><td>\(HTML.escape(what))</td><td>\(HTML.escape(e.note ?? ""))</td></tr>\n"
        }
        body += "</table>"
        return Self.htmlResponse(.ok, Self.layout(title: "Defect \(id)", viewer: viewer, body: body))
    }

    /// The overlay crop of one finding of a ticket. The image path is the stored frame's, never the request's.
    func crop(ticketId: Int64, findingId: Int64) async throws -> Response {
        guard let t = try await store.ticket(id: ticketId) else { throw Failure(.notFound, "No ticket \(ticketId).") }
        guard let rec = try await store.findings(ticketId: ticketId).first(where: { $0.id == findingId }),
              let frame = try await store.frames().first(where: { $0.id == rec.frameId }) else {
            throw Failure(.notFound, "No such sighting.")
        }
        let colour = SurveyReport.severityColour[t.severity]?.rgb ?? [255, 0, 0]
        let png: [UInt8]
        do {
            png = try SurveyReport.overlayCrop(frame: frame, finding: rec.finding, colour: colour)
        } catch {
            throw Failure(.notFound, "The frame image is not readable any more.")
        }
        return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "private, max-age=300"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
    }
}
