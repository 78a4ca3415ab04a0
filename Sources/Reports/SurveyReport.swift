import Codecs
import Findings
import Foundation
import ImagingCore
import Tickets

/// The `--report DIR` of a survey: `tickets.geojson`, `tickets.csv`, and a self-contained `index.html`
/// (summary, ranked tickets with overlay crops embedded as data URLs, and an SVG map of the survey's frame
/// positions and defects). Needs no network and no other file to open.
public enum SurveyReport {
    /// Overlay colours by severity (RGB and CSS); also used by the review pages.
    public static let severityColour: [Severity: (rgb: [UInt8], css: String)] = [
        .high: ([220, 30, 30], "#dc1e1e"), .medium: ([245, 150, 20], "#f59614"),
        .low: ([240, 220, 40], "#f0dc28"), .unknown: ([60, 140, 255], "#3c8cff"),
    ]

    /// Writes the report.
    /// - Parameters: directory: created if missing; summary: the run; store: where tickets and frames are;
    ///   overlays: the number of top tickets that get an overlay crop.
    /// - Throws: file-system errors (a full disk, a read-only folder) and store errors.
    public static func write(to directory: String, summary: SurveySummary, store: any TicketStore,
                             overlays: Int = 40) async throws {
        let dir = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tickets = try await store.tickets(TicketQuery())
        try Data(TicketExport.render(tickets, as: .geojson).utf8).write(to: dir.appendingPathComponent("tickets.geojson"), options: .atomic)
        try Data(TicketExport.render(tickets, as: .csv).utf8).write(to: dir.appendingPathComponent("tickets.csv"), options: .atomic)
        let frames = try await store.frames()
        let framesById = Dictionary(uniqueKeysWithValues: frames.compactMap { f in f.id.map { ($0, f) } })
        var crops: [Int64: String] = [:]
        var shown: [(id: Int64, finding: Finding, frame: FrameRecord, severity: Severity)] = []
        for t in tickets.prefix(overlays) {
            guard let id = t.id, let rec = try await store.findings(ticketId: id).first,
                  let frame = framesById[rec.frameId] else { continue }
            shown.append((id, rec.finding, frame, t.severity))
        }
        // Video frames: each video decoded once for all the frames shown.
        var videoFrames: [String: [Int: [UInt8]]] = [:]
        let byVideo = Dictionary(grouping: shown.compactMap { VideoFramePath.parse($0.frame.path) }, by: \.video)
        if !byVideo.isEmpty, let tools = try? FFmpeg.locate() {
            for (video, refs) in byVideo where FileManager.default.fileExists(atPath: video) {
                videoFrames[video] = try? tools.frames(video, indices: Set(refs.map(\.index)))
            }
        }
        for (id, finding, frame, severity) in shown {
            let jpeg = VideoFramePath.parse(frame.path).flatMap { videoFrames[$0.video]?[$0.index] }
            if let png = try? overlayCrop(frame: frame, finding: finding, colour: severityColour[severity]!.rgb, jpeg: jpeg) {
                crops[id] = "data:image/png;base64," + Data(png).base64EncodedString()
            }
        }
        let surveyFrames = frames.filter { $0.surveyId == summary.surveyId }
        let html = page(summary: summary, tickets: tickets, crops: crops, frames: surveyFrames.isEmpty ? frames : surveyFrames)
        try Data(html.utf8).write(to: dir.appendingPathComponent("index.html"), options: .atomic)
    }

    /// The finding's surroundings from its frame (re-read from disk; a video frame, `VIDEO#frame=N`, decoded by
    /// ffmpeg) with its outline drawn, as PNG, the long side at most 480 px. Also served by the review pages (the
    /// path comes from the stored frame only).
    /// - Parameters: jpeg: the frame's bytes when already at hand (video frames decoded in one pass).
    /// - Throws: decoding errors (``CodecError``) when the frame is missing or unreadable; ``VideoError`` when a
    ///   video frame cannot be decoded; encoding errors.
    public static func overlayCrop(frame: FrameRecord, finding: Finding, colour: [UInt8], jpeg: [UInt8]? = nil) throws
        -> [UInt8]
    {
        var bytes = jpeg
        if bytes == nil, let ref = VideoFramePath.parse(frame.path), !FileManager.default.fileExists(atPath: frame.path) {
            bytes = try FFmpeg.locate().frames(ref.video, indices: [ref.index])[ref.index]
            if bytes == nil {
                throw VideoError(code: .decodeFailed, message: "frame \(ref.index) could not be decoded", file: ref.video)
            }
        }
        let image = try (bytes.map { try ImageDecoder.decode($0, options: DecodeOptions(format: .rgb8)) }
            ?? ImageDecoder.decode(path: frame.path, options: DecodeOptions(format: .rgb8))).pixels
        let b = finding.bbox
        let margin = max(24, max(b.width, b.height) / 4)
        let x0 = max(0, b.x - margin), y0 = max(0, b.y - margin)
        let x1 = min(image.width, b.x + b.width + margin), y1 = min(image.height, b.y + b.height + margin)
        var crop = image.region(Rect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0))).copy()
        let outline = finding.outline.compactMap { p in p.count >= 2 ? SIMD2(p[0] - Double(x0), p[1] - Double(y0)) : nil }
        let thickness = max(1, max(crop.width, crop.height) / 200)
        if outline.count >= 2 {
            crop.drawPolygon(outline, color: colour, thickness: thickness)
        } else {
            crop.drawRect(Rect(x: b.x - x0, y: b.y - y0, width: b.width, height: b.height), color: colour, thickness: thickness)
        }
        // Keep the page light: long sides above 480 px are downscaled by whole factors.
        var factor = 1
        while max(crop.width, crop.height) / factor > 480 { factor += 1 }
        if factor > 1 { crop = downscale(crop, by: factor) }
        return try ImageEncoder.png(crop)
    }

    /// Nearest-sample downscale of an overlay (for display only).
    public static func downscale(_ img: PixelBuffer, by f: Int) -> PixelBuffer {
        var out = PixelBuffer(width: img.width / f, height: img.height / f, format: img.format)
        for y in 0..<out.height { for x in 0..<out.width { for c in 0..<img.format.channels {
            out[x, y, channel: c] = img[x * f, y * f, channel: c]
        } } }
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func page(summary s: SurveySummary, tickets: [Ticket], crops: [Int64: String], frames: [FrameRecord]) -> String {
        func num(_ d: Double?, _ f: String) -> String { d.map { String(format: f, $0) } ?? "–" }
        var rows = ""
        for (i, t) in tickets.enumerated() {
            let colour = severityColour[t.severity]!.css
            let img = t.id.flatMap { crops[$0] }.map { "<img src=\"\($0)\" alt=\"defect \(t.id ?? 0)\">" } ?? ""
            rows += """
            <tr><td>\(i + 1)</td><td>\(t.id ?? 0)</td><td>\(escape(t.defectClass.rawValue))\(t.subtype.map { " / " + escape($0) } ?? "")</td>
            <td><span class="sev" style="background:\(colour)">\(t.severity.rawValue)</span></td><td>\(num(t.priority, "%.1f"))</td>
            <td>\(num(t.lengthM, "%.2f"))</td><td>\(num(t.widthMm, "%.1f"))</td><td>\(num(t.areaM2, "%.2f"))</td>
            <td>\(t.sightings)</td><td>\(num(t.latitude, "%.6f")), \(num(t.longitude, "%.6f"))</td><td>\(img)</td></tr>\n
            """
        }
        var failures = ""
        for f in s.failures { failures += "<li><code>\(escape(f.file))</code>: \(escape(f.reason))</li>\n" }
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Pavewatch survey \(escape(s.surveyName))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#222} table{border-collapse:collapse}
        td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top} th{background:#f4f4f4}
        .sev{color:#fff;padding:1px 6px;border-radius:3px;text-shadow:0 0 2px #000} img{max-width:320px}
        svg{border:1px solid #ccc;background:#fafafa}
        </style></head><body>
        <h1>Survey \(escape(s.surveyName))</h1>
        <p>\(s.framesTotal) frames: \(s.framesProcessed) analysed, \(s.framesSkipped) already stored, \(s.failures.count) failed;
        \(s.findings) findings; tickets \(s.ticketsCreated) new, \(s.ticketsUpdated) updated.
        \(String(format: "%.1f", s.elapsedSeconds)) s (\(String(format: "%.2f", s.framesPerSecond)) frames/s).</p>
        \(coverage(frames))
        \(failures.isEmpty ? "" : "<h2>Failed frames</h2><ul>\(failures)</ul>")
        \(mapSection(frames: frames, tickets: tickets))
        <h2>Tickets, highest priority first</h2>
        <table><tr><th>rank</th><th>id</th><th>class</th><th>severity</th><th>priority</th><th>length m</th>
        <th>width mm</th><th>area m²</th><th>sightings</th><th>position</th><th>overlay</th></tr>
        \(rows)</table>
        </body></html>
        """
    }

    /// What the frames surveyed: the paved surface's area and the detection limits (empty when no frame has a ground
    /// scale).
    static func coverage(_ frames: [FrameRecord]) -> String {
        let area = frames.surveyedAreaM2, limits = frames.detectionLimitRangeMm
        guard area > 0 || limits != nil else { return "" }
        var text = String(format: "<p id=\"surveyed\">Paved surface surveyed: %.0f m²", area)
        if let limits {
            let (lo, hi) = (limits.lowerBound, limits.upperBound)
            text += lo == hi ? String(format: "; detection limit %.1f mm", lo)
                : String(format: "; detection limit %.1f–%.1f mm", lo, hi)
            text += " (narrower cracks may be missed)"
        }
        return text + ".</p>"
    }

    /// The map, one per area when the frames and defects lie in places far apart (see ``SurveyMap/areas``).
    static func mapSection(frames: [FrameRecord], tickets: [Ticket]) -> String {
        let colours = severityColour.mapValues(\.css)
        let areas = SurveyMap.areas(frames: frames, tickets: tickets)
        guard areas.count > 1 else {
            return "<h2>Map</h2>\n" + SurveyMap.svg(frames: frames, tickets: tickets, colours: colours)
        }
        var html = "<h2>Maps</h2>\n<p>The frames and defects lie in \(areas.count) areas far apart, one map each (most defects first).</p>\n"
        for (i, a) in areas.prefix(12).enumerated() {
            html += String(format: "<h3>Area %d near %.4f, %.4f: %d defects, %d frames</h3>\n", i + 1,
                           (a.south + a.north) / 2, (a.west + a.east) / 2, a.tickets.count, a.frames.count)
            html += SurveyMap.svg(frames: a.frames, tickets: a.tickets, colours: colours) + "\n"
        }
        if areas.count > 12 { html += "<p>\(areas.count - 12) more areas are not drawn.</p>\n" }
        return html
    }
}
