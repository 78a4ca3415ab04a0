#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reader of DJI video telemetry subtitles (`.SRT`) in all known layouts:
/// bracketed `[latitude: ..] [longitude: ..] [rel_alt: .. abs_alt: ..]` (Mavic 3, Air 2S),
/// `[longtitude : ..] [altitude: ..]` (Mavic 2), `GPS (lon, lat, n), H .., F.PRY (..), G.PRY (..)` (Mini, Phantom 4),
/// `HOME(lon,lat) date / GPS(lon,lat,n) BAROMETER:..` (Mavic Pro), `GPS(lat,lon,altM) BAROMETER:..M` (Matrice 300),
/// and cues without a timing line (dates only).
public enum SRTParser {
    /// Parses a whole SRT file.
    /// - Parameters:
    ///   - text: the file's bytes (UTF-8; a BOM and CRLF line ends are accepted).
    ///   - file: the name used in errors.
    /// - Returns: the records in file order, `time` in seconds from the video start.
    /// - Throws: `TelemetryParseError` naming the file and line of the first broken cue, with the records before it.
    public static func parse(_ text: some Collection<UInt8>, file: String) throws(TelemetryParseError) -> [TelemetrySample] {
        let lines = text.telemetryLines
        var samples: [TelemetrySample] = []
        var sawPositionField = false
        var firstDate: Date?
        func fail(_ line: Int, _ reason: String) -> TelemetryParseError {
            TelemetryParseError(file: file, line: line, reason: reason, samples: samples)
        }
        var i = 0
        while i < lines.count {
            // Skip blank lines between cues.
            if lines[i].trimmedASCII.isEmpty { i += 1; continue }
            let cueLine = i + 1
            // Cue number.
            guard Int(lines[i].trimmedASCII) != nil else { throw fail(cueLine, "expected a cue number, found \"\(lines[i].prefix(40))\"") }
            i += 1
            var start: Double?
            var end: Double?
            if i < lines.count, lines[i].contains("-->") {
                let parts = lines[i].components(separatedBy: "-->")
                guard parts.count == 2, let s = timecode(parts[0]), let e = timecode(parts[1]) else {
                    throw fail(i + 1, "bad timing line \"\(lines[i].prefix(60))\"")
                }
                (start, end) = (s, e)
                i += 1
            }
            var text: [(line: Int, text: Substring)] = []
            while i < lines.count, !lines[i].trimmedASCII.isEmpty {
                text.append((i + 1, lines[i]))
                i += 1
            }
            guard let lastLine = text.last?.line else { throw fail(cueLine, "cue without text") }
            var sample = TelemetrySample(time: start ?? 0)
            for (number, line) in text {
                do throws(SRTFieldError) {
                    try readFields(line, into: &sample)
                } catch {
                    throw fail(number, error.reason)
                }
            }
            // A cue may say GPS(N/A,...) (no fix); a cue without any position field after cues with one was cut.
            let hasPositionField = text.contains { $0.text.contains("GPS") || $0.text.contains("latitude") }
            if hasPositionField {
                sawPositionField = true
            } else if sawPositionField {
                throw fail(lastLine, "cue \(samples.count + 1) has no position field (cut short?)")
            }
            if start == nil {
                // No timing line: time from the record's clock.
                guard let date = sample.date else { throw fail(cueLine, "cue without timing line or date") }
                if firstDate == nil { firstDate = date }
                sample.time = date.timeIntervalSince(firstDate ?? date)
            }
            if let start, let end, end > start { sample.duration = end - start }
            // A position is both coordinates: a cue with one of them only (the other missing or out of range) has none.
            if sample.latitude == nil || sample.longitude == nil { (sample.latitude, sample.longitude) = (nil, nil) }
            samples.append(sample)
        }
        guard !samples.isEmpty else { throw fail(max(1, lines.count), "no telemetry records") }
        return samples
    }

    struct SRTFieldError: Error { var reason: String }

    /// `HH:MM:SS,mmm` → seconds.
    static func timecode(_ s: some StringProtocol) -> Double? {
        let t = s.trimmedASCII
        let n = EXIFDate.numbers(Substring(t))
        // Matrice 300 firmware writes "00:00:60,000" for the minute mark: seconds up to 60 are accepted.
        guard n.count == 4, n[1] < 60, n[2] <= 60, n[3] < 1000 else { return nil }
        return Double(n[0] * 3600 + n[1] * 60 + n[2]) + Double(n[3]) / 1000
    }

    /// A number with an optional unit suffix (`17.39m`, `0.0M`, `-8.9°`, `2.88m/s`).
    static func number(_ s: some StringProtocol) -> Double? {
        var t = Substring(s.trimmedASCII)
        while let last = t.last, !(last.isNumber || last == ".") { t = t.dropLast() }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    static func validLatLon(_ lat: Double, _ lon: Double) -> Bool {
        abs(lat) <= 90 && abs(lon) <= 180 && !(lat == 0 && lon == 0)
    }

    /// Whether the line's bytes contain `needle` (a fast pre-check before the Character-level passes).
    static func has(_ line: Substring, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        let u = line.utf8
        guard let first = n.first, u.count >= n.count else { return false }
        var i = u.startIndex
        while let hit = u[i...].firstIndex(of: first) {
            if u[hit...].starts(with: n) { return true }
            i = u.index(after: hit)
        }
        return false
    }

    /// Reads every field of one text line.
    static func readFields(_ raw: Substring, into s: inout TelemetrySample) throws(SRTFieldError) {
        var line = Substring(raw)
        if raw.utf8.contains(UInt8(ascii: "<")) {
            // HTML-ish tags (<font ...>, </font>) carry nothing.
            var stripped = ""
            var inTag = false
            for c in line {
                if c == "<" { inTag = true; continue }
                if c == ">" && inTag { inTag = false; continue }
                if !inTag { stripped.append(c) }
            }
            if inTag { throw SRTFieldError(reason: "unterminated tag") }
            line = Substring(stripped)
        }
        let bytes = line.utf8
        if s.date == nil, bytes.contains(UInt8(ascii: ":")), let date = clock(line) { s.date = date }
        // Bracketed fields: [key: value key2: value2].
        if bytes.contains(UInt8(ascii: "[")) {
            var rest = line[...]
            while let open = rest.firstIndex(of: "[") {
                guard let close = rest[open...].firstIndex(of: "]") else {
                    throw SRTFieldError(reason: "unterminated [ field")
                }
                bracketFields(rest[rest.index(after: open)..<close], into: &s)
                rest = rest[rest.index(after: close)...]
            }
        }
        // Parenthesised groups: GPS (a, b, c), HOME(...), F.PRY (...), G.PRY (...).
        if bytes.contains(UInt8(ascii: "(")) { try parenthesisedGroups(line, into: &s) }
        // `H 17.39m` (comma separated) and `BAROMETER:20.1` / `Hb:1.9` (space separated).
        if has(line, "H ") {
            for token in line.split(separator: ",") {
                let t = token.trimmedASCII
                if t.hasPrefix("H "), let v = number(t.dropFirst(2)) { s.relativeAltitude = v }
            }
        }
        if has(line, "BAROMETER:") || has(line, "Hb:") {
            for token in line.split(separator: " ") {
                if token.hasPrefix("BAROMETER:"), let v = number(token.dropFirst(10)) { s.relativeAltitude = v }
                if token.hasPrefix("Hb:"), let v = number(token.dropFirst(3)) { s.relativeAltitude = v }
            }
        }
    }

    static func parenthesisedGroups(_ line: Substring, into s: inout TelemetrySample) throws(SRTFieldError) {
        var scan = line[...]
        while let open = scan.firstIndex(of: "(") {
            guard let close = scan[open...].firstIndex(of: ")") else {
                throw SRTFieldError(reason: "unterminated ( group")
            }
            // The key before "(": at most 8 letters, dots or spaces ("GPS ", "G.PRY ", "HOME").
            var keyStart = open
            var steps = 0
            while keyStart > scan.startIndex, steps < 8 {
                let prev = scan.index(before: keyStart)
                let c = scan[prev]
                guard c.isLetter || c == "." || c == " " else { break }
                keyStart = prev
                steps += 1
            }
            let key = scan[keyStart..<open].trimmedASCII.uppercased()
            let rawValues = scan[scan.index(after: open)..<close].split(separator: ",")
            let values = rawValues.map { number($0) }
            switch key {
            case "GPS" where values.count >= 2:
                if let a = values[0], let b = values[1] {
                    // Matrice 300 writes GPS(lat,lon,altM); the others GPS(lon,lat,satellites).
                    let metres = rawValues.count >= 3 && rawValues[2].trimmedASCII.uppercased().hasSuffix("M")
                    var (lat, lon) = metres ? (a, b) : (b, a)
                    if abs(lat) > 90 && abs(lon) <= 90 { swap(&lat, &lon) }
                    if validLatLon(lat, lon) { (s.latitude, s.longitude) = (lat, lon) }
                    if metres, let alt = values[2] { s.absoluteAltitude = alt }
                }
            case "F.PRY" where values.count == 3:
                (s.flightPitch, s.flightRoll, s.flightYaw) = (values[0], values[1], values[2])
            case "G.PRY" where values.count == 3:
                (s.gimbalPitch, s.gimbalRoll, s.gimbalYaw) = (values[0], values[1], values[2])
            default: break  // HOME is the take-off point, not the drone
            }
            scan = scan[scan.index(after: close)...]
        }
    }

    /// Fields inside one `[...]`: `key: value` pairs, keys possibly followed by a space before the colon.
    static func bracketFields(_ content: Substring, into s: inout TelemetrySample) {
        // Normalise `key : value` and `key: value` to `key:value`, then read the words.
        var normal = ""
        for c in content {
            if c == ":" { while normal.last == " " { normal.removeLast() } }
            if c == " " && normal.last == ":" { continue }
            normal.append(c)
        }
        var pairs: [(String, Substring)] = []
        for word in normal.split(separator: " ") {
            guard let colon = word.firstIndex(of: ":") else { continue }
            pairs.append((word[..<colon].lowercased(), word[word.index(after: colon)...]))
        }
        for (key, value) in pairs {
            guard let v = number(value) else { continue }
            switch key {
            case "latitude": if abs(v) <= 90 { s.latitude = v }
            case "longitude", "longtitude": if abs(v) <= 180 { s.longitude = v }
            case "rel_alt": s.relativeAltitude = v
            case "abs_alt", "altitude": s.absoluteAltitude = v
            case "gb_yaw": s.gimbalYaw = v
            case "gb_pitch": s.gimbalPitch = v
            case "gb_roll": s.gimbalRoll = v
            case "focal_len": s.focalLength = v
            default: break
            }
        }
        if let lat = s.latitude, let lon = s.longitude, !validLatLon(lat, lon) {
            s.latitude = nil
            s.longitude = nil
        }
    }

    /// The first `YYYY-MM-DD HH:MM:SS[.mmm|,mmm]` / `YYYY.M.D HH:MM:SS` clock in a line.
    static func clock(_ line: Substring) -> Date? {
        let u = Array(line.utf8)
        func digit(_ i: Int) -> Bool { i < u.count && u[i] >= 48 && u[i] <= 57 }
        var i = 0
        var depth = 0  // HOME(...) holds coordinates, not dates
        while i + 4 < u.count {
            if u[i] == UInt8(ascii: "(") { depth += 1 }
            if u[i] == UInt8(ascii: ")") { depth = max(0, depth - 1) }
            let starts = depth == 0 && digit(i) && digit(i + 1) && digit(i + 2) && digit(i + 3)
                && (i == 0 || !digit(i - 1)) && (u[i + 4] == UInt8(ascii: "-") || u[i + 4] == UInt8(ascii: "."))
            guard starts else { i += 1; continue }
            // Read y m d h mi s, then an optional fraction.
            var numbers: [Int] = []
            var j = i
            while j < u.count && numbers.count < 6 {
                guard digit(j) else { break }
                var v = 0
                var n = 0
                while digit(j) && n < 5 { v = v * 10 + Int(u[j] - 48); j += 1; n += 1 }
                numbers.append(v)
                guard numbers.count < 6 else { break }
                while j < u.count, [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: " "), UInt8(ascii: ":")].contains(u[j]) { j += 1 }
            }
            guard numbers.count == 6, numbers[0] >= 1990 else { i += 1; continue }
            var fraction = 0.0
            if j < u.count, u[j] == UInt8(ascii: ".") || u[j] == UInt8(ascii: ",") {
                var k = j + 1
                var scale = 0.1
                while digit(k) && k < j + 4 { fraction += Double(u[k] - 48) * scale; scale /= 10; k += 1 }
            }
            return EXIFDate.make(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], Double(numbers[5]) + fraction)
        }
        return nil
    }
}
