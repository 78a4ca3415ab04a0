import Foundation
import Metadata

/// Reader of GPX 1.0 / 1.1 tracks (phones, dashcams, GNSS loggers): every `<trkpt>` (and `<rtept>`) with its
/// `lat` / `lon` attributes, `<ele>` and `<time>`.
///
/// `<ele>` is a height above sea level (``TelemetrySample/absoluteAltitude``), never a height above the ground.
/// Times are ISO 8601 (fractional seconds and offsets accepted); a sample's `time` is seconds from the first point.
public enum GPXParser {
    /// Parses a GPX file.
    /// - Parameters:
    ///   - text: the file's bytes (UTF-8).
    ///   - file: the name used in errors.
    /// - Returns: the track points in file order.
    /// - Throws: `TelemetryParseError` naming file and line of the first bad point (no position, a position out of
    ///   range, no or an unreadable time), or line 1 when the file holds no track point; with the points before it.
    public static func parse(_ text: some Collection<UInt8>, file: String) throws(TelemetryParseError) -> [TelemetrySample] {
        let string = String(decoding: text, as: UTF8.self)
        let utf8 = Array(string.utf8)
        var samples: [TelemetrySample] = []
        func fail(_ line: Int, _ reason: String) -> TelemetryParseError {
            TelemetryParseError(file: file, line: line, reason: reason, samples: samples)
        }
        var firstDate: Date?
        var i = 0
        var line = 1
        var lineCountedTo = 0
        func lineAt(_ p: Int) -> Int {
            while lineCountedTo < p { if utf8[lineCountedTo] == 10 { line += 1 }; lineCountedTo += 1 }
            return line
        }
        while let open = find(utf8, from: i, anyOf: ["<trkpt", "<rtept"]) {
            let at = lineAt(open.position)
            let tag = open.tag.dropFirst()
            guard let headEnd = find(utf8, from: open.position, anyOf: [">"]) else {
                throw fail(at, "unterminated <\(tag)>")
            }
            let head = String(decoding: utf8[open.position..<headEnd.position], as: UTF8.self)
            let selfClosing = head.hasSuffix("/")
            var end = headEnd.position + 1
            var body = ""
            if !selfClosing {
                guard let close = find(utf8, from: end, anyOf: ["</\(tag)>"]) else {
                    throw fail(at, "<\(tag)> without </\(tag)>")
                }
                body = String(decoding: utf8[end..<close.position], as: UTF8.self)
                end = close.position + close.tag.utf8.count
            }
            i = end
            guard let latText = attribute("lat", in: head), let lonText = attribute("lon", in: head) else {
                throw fail(at, "<\(tag)> without lat and lon")
            }
            guard let lat = Double(latText), let lon = Double(lonText), abs(lat) <= 90, abs(lon) <= 180 else {
                throw fail(at, "position out of range or not a number: lat \"\(latText)\" lon \"\(lonText)\"")
            }
            guard let timeText = element("time", in: body) else { throw fail(at, "<\(tag)> without <time>") }
            guard let date = parseDate(timeText) else { throw fail(at, "unreadable time \"\(timeText)\"") }
            if firstDate == nil { firstDate = date }
            var s = TelemetrySample(time: date.timeIntervalSince(firstDate ?? date))
            s.date = date
            s.latitude = lat
            s.longitude = lon
            if let e = element("ele", in: body) {
                guard let ele = Double(e), ele.isFinite else { throw fail(at, "<ele> is not a number: \"\(e)\"") }
                s.absoluteAltitude = ele
            }
            samples.append(s)
        }
        if samples.isEmpty { throw fail(1, "no track points (<trkpt> or <rtept>)") }
        return samples
    }

    /// The first of `needles` at or after `from`.
    static func find(_ hay: [UInt8], from: Int, anyOf needles: [String]) -> (position: Int, tag: String)? {
        let ns = needles.map { Array($0.utf8) }
        var p = from
        while p < hay.count {
            for (k, n) in ns.enumerated() where hay[p] == n[0] && p + n.count <= hay.count
                && hay[p..<(p + n.count)].elementsEqual(n)
            {
                // A tag name must end here ("<trkpt" is not "<trkptx").
                let after = p + n.count
                if n.last == UInt8(ascii: ">") || after >= hay.count || !isNameByte(hay[after]) { return (p, needles[k]) }
            }
            p += 1
        }
        return nil
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b == 45 || b == 58
    }

    /// The value of `name="..."` (or single quotes) in a start tag.
    static func attribute(_ name: String, in head: String) -> String? {
        for quote in ["\"", "'"] {
            for sep in ["=", " = ", "= ", " ="] {
                if let r = head.range(of: " \(name)\(sep)\(quote)") ?? head.range(of: "\t\(name)\(sep)\(quote)")
                    ?? head.range(of: "\n\(name)\(sep)\(quote)"),
                   let close = head[r.upperBound...].range(of: quote)
                {
                    return String(head[r.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    /// The text of the first `<name>…</name>` in `body` (a namespace prefix on the element is not matched).
    static func element(_ name: String, in body: String) -> String? {
        guard let open = body.range(of: "<\(name)>"), let close = body[open.upperBound...].range(of: "</\(name)>")
        else { return nil }
        return String(body[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// An ISO 8601 date-time, with or without fractional seconds; no offset means UTC.
    static func parseDate(_ s: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let d = plain.date(from: s) { return d }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = fractional.date(from: s) { return d }
        // No zone: read as UTC.
        if !s.hasSuffix("Z"), !s.contains("+"), s.count >= 19 { return parseDate(s + "Z") }
        return nil
    }
}
