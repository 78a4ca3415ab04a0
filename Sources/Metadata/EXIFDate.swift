#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Calendar arithmetic for EXIF / XMP / SRT time stamps, without a `Calendar` (proleptic Gregorian, UTC).
enum EXIFDate {
    /// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// A date from components, nil when a component is out of range.
    static func make(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Double = 0) -> Date? {
        guard (1...9999).contains(y), (1...12).contains(mo), (1...31).contains(d),
              (0...23).contains(h), (0...59).contains(mi), s >= 0, s < 61
        else { return nil }
        let days = daysFromCivil(y, mo, d)
        return Date(timeIntervalSince1970: Double(days * 86_400 + h * 3600 + mi * 60) + s)
    }

    /// The integer runs of a string: "2013:06:04 13:37:29" → [2013, 6, 4, 13, 37, 29].
    static func numbers(_ s: Substring) -> [Int] {
        var out: [Int] = []
        var current: Int?
        for c in s.utf8 {
            if c >= 48 && c <= 57 {
                let v = (current ?? 0)
                guard v < 100_000_000 else { return out }
                current = v * 10 + Int(c - 48)
            } else if let v = current {
                out.append(v)
                current = nil
            }
        }
        if let v = current { out.append(v) }
        return out
    }

    /// `YYYY:MM:DD HH:MM:SS` (EXIF) or `YYYY-MM-DDTHH:MM:SS[.fff]` (XMP), read as UTC.
    static func parse(_ text: String) -> Date? {
        let s = Substring(text.trimmedASCII)
        // Split off a fractional second after the seconds field.
        var main = s
        var fraction = 0.0
        if let dot = s.firstIndex(of: "."), s.distance(from: s.startIndex, to: dot) >= 19 {
            main = s[..<dot]
            let digits = s[s.index(after: dot)...].prefix(while: \.isNumber)
            if !digits.isEmpty, let f = Double("0." + digits) { fraction = f }
        }
        let n = numbers(main.prefix(19))
        guard n.count >= 6 else { return nil }
        return make(n[0], n[1], n[2], n[3], n[4], Double(n[5]) + fraction)
    }

    /// `YYYY:MM:DD` → midnight UTC.
    static func parseDay(_ text: String) -> Date? {
        let n = numbers(Substring(text))
        guard n.count >= 3 else { return nil }
        return make(n[0], n[1], n[2])
    }

    /// `+HH:MM` / `-HH:MM` → seconds east of UTC.
    static func parseOffset(_ text: String) -> Double? {
        let t = text.trimmedASCII
        guard let sign = t.first, sign == "+" || sign == "-" else { return nil }
        let n = numbers(Substring(t))
        guard n.count == 2, n[0] <= 14, n[1] < 60 else { return nil }
        let v = Double(n[0] * 3600 + n[1] * 60)
        return sign == "-" ? -v : v
    }
}
