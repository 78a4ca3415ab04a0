import Codecs
import Findings
import Foundation
import Hummingbird
import ImagingCore
import NIOCore
import Reports
import Tickets

/// The frame viewer: a defect's whole frame with every finding in it outlined (zoom and pan with Leaflet on the image's
/// own pixel grid), beside the same defect's sightings from the other frames and surveys, oldest first.
/// - `GET /tickets/{id}/findings/{finding}/frame`: the page.
/// - `GET /frames/{id}/image.jpg`: the stored frame as JPEG, its long side at most 2,048 px (a DCT-domain reduced decode).
extension ReviewRoutes {
    /// Longest side of the viewer's image, pixels.
    static var viewerImageSide: Int { 2048 }

    func framePage(ticketId: Int64, findingId: Int64, _ viewer: Viewer) async throws -> Response {
        guard let t = try await store.ticket(id: ticketId) else { throw Failure(.notFound, "No ticket \(ticketId).") }
        let own = try await store.findings(ticketId: ticketId)
        let frames = Dictionary(try await store.frames().compactMap { f in f.id.map { ($0, f) } }, uniquingKeysWith: { a, _ in a })
        guard let rec = own.first(where: { $0.id == findingId }), let frame = frames[rec.frameId], let frameId = frame.id else {
            throw Failure(.notFound, "No such sighting.")
        }
        // Every finding in this frame: the sightings in it of the 300 tickets nearest to the frame's position (all
        // tickets when the frame has none), so a large database costs a bounded number of reads.
        var nearby = try await store.tickets(TicketQuery())
        if let lat = frame.latitude, let lon = frame.longitude {
            func far(_ t: Ticket) -> Double {
                guard let p = t.location else { return .infinity }
                return abs(p.latitude - lat) + abs(p.longitude - lon) * cos(lat * .pi / 180)
            }
            nearby = Array(nearby.sorted { far($0) < far($1) }.prefix(300))
        }
        var outlines: [[String: Any]] = []
        for other in nearby {
            guard let otherId = other.id else { continue }
            let sightings = otherId == ticketId ? own : try await store.findings(ticketId: otherId)
            for s in sightings where s.frameId == frameId {
                var points = s.finding.outline.filter { $0.count >= 2 }.map { [$0[0], $0[1]] }
                if points.count < 2 {
                    let b = s.finding.bbox
                    points = [[Double(b.x), Double(b.y)], [Double(b.x + b.width), Double(b.y)],
                              [Double(b.x + b.width), Double(b.y + b.height)], [Double(b.x), Double(b.y + b.height)]]
                }
                outlines.append(["ticket": otherId, "finding": s.id ?? 0, "current": s.id == findingId,
                                 "colour": SurveyReport.severityColour[other.severity]?.css ?? "#888",
                                 "title": "#\(otherId) \(other.defectClass.rawValue), \(other.severity.rawValue) severity",
                                 "points": points])
            }
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: outlines, options: [.sortedKeys]), as: UTF8.self)
        // The same defect in the other frames, oldest first.
        let surveys = Dictionary(try await store.surveys().compactMap { s in s.id.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        var others = ""
        let earlier = own.filter { $0.id != findingId && frames[$0.frameId] != nil }
            .sorted { (frames[$0.frameId]?.capturedAt ?? "") < (frames[$1.frameId]?.capturedAt ?? "") }
        for s in earlier {
            guard let sid = s.id, let f = frames[s.frameId] else { continue }
            let survey = surveys[f.surveyId]?.name ?? "survey \(f.surveyId)"
            others += """
            <figure><a href="/tickets/\(ticketId)/findings/\(sid)/frame"><img class="crop" src="/tickets/\(ticketId)/findings/\(sid)/crop.png" alt="sighting \(sid)" loading="lazy"></a>
            <figcaption>\(HTML.escape(survey)), \(HTML.escape(f.capturedAt ?? "no time"))</figcaption></figure>
            """
        }
        let name = URL(fileURLWithPath: frame.path).lastPathComponent
        let body = """
        <h1>Defect <a href="/tickets/\(ticketId)">#\(ticketId)</a> in its frame \(Self.severityBadge(t.severity))</h1>
        <p>\(HTML.escape(name)), \(frame.width) × \(frame.height) px, \(HTML.escape(frame.capturedAt ?? "no capture time")); \(outlines.count) finding\(outlines.count == 1 ? "" : "s") outlined (this one thicker; click one to open its defect). Scroll or pinch to zoom, drag to pan.</p>
        <link rel="stylesheet" href="/static/leaflet/leaflet.css">
        <div class="side-by-side">
        <div id="frame-viewer" role="img" aria-label="Frame \(HTML.escape(name)) with the findings outlined" data-image="/frames/\(frameId)/image.jpg" data-width="\(frame.width)" data-height="\(frame.height)" data-outlines="\(HTML.escape(json))" style="height:640px;flex:3;border:1px solid #ccc;background:#111"></div>
        <div id="other-sightings" style="flex:1"><h2>The same defect elsewhere</h2>\(earlier.isEmpty ? "<p>Seen in this frame only.</p>" : others)</div>
        </div>
        <noscript><p><img class="crop" src="/tickets/\(ticketId)/findings/\(findingId)/crop.png" alt="crop of the finding"></p></noscript>
        <script src="/static/leaflet/leaflet.js"></script><script src="/static/frame.js"></script>
        """
        return Self.htmlResponse(.ok, Self.layout(title: "Frame of #\(ticketId)", viewer: viewer, body: body))
    }

    /// The stored frame as JPEG for the viewer (the path comes from the store, never from the request).
    func frameImage(frameId: Int64) async throws -> Response {
        guard let frame = try await store.frames().first(where: { $0.id == frameId }) else { throw Failure(.notFound, "No frame \(frameId).") }
        // The largest DCT-domain reduction that keeps the long side at least half the target; whole factors after.
        let long = max(frame.width, frame.height)
        let scale = [DecodeScale.eighth, .quarter, .half].first { long / $0.rawValue >= Self.viewerImageSide / 2 } ?? .full
        let image: PixelBuffer
        do {
            image = try ImageDecoder.decode(path: frame.path, options: DecodeOptions(format: .rgb8, scale: frame.path.lowercased().hasSuffix(".png") ? .full : scale)).pixels
        } catch {
            throw Failure(.notFound, "The frame image is not readable any more.")
        }
        var shown = image
        var factor = 1
        while max(image.width, image.height) / factor > Self.viewerImageSide { factor += 1 }
        if factor > 1 { shown = SurveyReport.downscale(image, by: factor) }
        let jpeg = try ImageEncoder.jpeg(shown, quality: 85)
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: jpeg)))
    }
}
