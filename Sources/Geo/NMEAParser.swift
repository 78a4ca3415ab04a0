import Foundation
import Metadata

/// Reader of NMEA 0183 logs (`.nmea`, `.log`: GNSS receivers, dashcams): `RMC` (time, date, position) and `GGA`
/// (time, position, altitude above sea level) sentences from any talker (`GP`, `GN`, `GL`, ...).
///
/// A checksum (`*hh`) that does not match is an error; a line without one is accepted. Text before the `$` (a
/// logger's own time stamp) is ignored, as are other sentences and lines that are not NMEA. Sentences without a fix
/// (RMC status `V`, GGA quality 0) give no sample. RMC and GGA of the same second make one sample. Times are UTC;
/// without an RMC date they are seconds of the day, with midnight rollover.
public enum NMEAParser {
    /// Parses an NMEA log.
    /// - Parameters:
    ///   - text: the file's bytes (ASCII).
    ///   - file: the name used in errors.
    /// - Returns: one sample per fix second, in file order; `time` in seconds from the first.
    /// - Throws: `TelemetryParseError` naming file and line of the first bad sentence (checksum, field), or line 1
    ///   when the file has no fix at all; with the samples before it.
    public static func parse(_ text: some Collection<UInt8>, file: String) throws(TelemetryParseError) -> [TelemetrySample] {
        var samples: [TelemetrySample] = []
        func fail(_ line: Int, _ reason: String) -> TelemetryParseError {
            TelemetryParseError(file: file, line: line, reason: reason, samples: samples)
        }
        let lines = String(decoding: text, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        var date: (y: Int, m: Int, d: Int)?
        var lastClock: String?
        var dayOffset = 0.0
        var lastSecondsOfDay: Double?
        var firstAbsolute: Double?
        for (k, raw) in lines.enumerated() {
            guard let dollar = raw.firstIndex(of: "$") else { continue }
            var sentence = raw[dollar...].trimmingCharacters(in: .whitespaces)
            if let star = sentence.lastIndex(of: "*") {
                let given = sentence[sentence.index(after: star)...]
                let body = sentence[sentence.index(after: sentence.startIndex)..<star]
                let sum = body.utf8.reduce(UInt8(0), ^)
                guard let expected = UInt8(given.prefix(2), radix: 16) else {
                    throw fail(k + 1, "bad checksum field \"\(given)\"")
                }
                guard expected == sum else {
                    throw fail(k + 1, String(format: "checksum %02X does not match the sentence (%02X)", expected, sum))
                }
                sentence = String(sentence[..<star])
            }
            let f = sentence.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let type = f.first, type.count >= 6 else { continue }
            let kind = type.suffix(3)
            guard kind == "RMC" || kind == "GGA" else { continue }
            func field(_ i: Int) -> String { i < f.count ? f[i] : "" }
            let clock = field(1)
            guard let secondsOfDay = Self.secondsOfDay(clock) else {
                if clock.isEmpty { continue }
                throw fail(k + 1, "bad time \"\(clock)\"")
            }
            let (latIndex, fix): (Int, Bool) = kind == "RMC" ? (3, field(2) == "A") : (2, (Int(field(6)) ?? 0) > 0)
            if kind == "RMC", let d = Self.date(field(9)) { date = d }
            guard fix else { continue }
            guard let lat = Self.coordinate(field(latIndex), hemisphere: field(latIndex + 1), degreeDigits: 2),
                  let lon = Self.coordinate(field(latIndex + 2), hemisphere: field(latIndex + 3), degreeDigits: 3)
            else { throw fail(k + 1, "bad position \"\(field(latIndex)),\(field(latIndex + 1)),\(field(latIndex + 2)),\(field(latIndex + 3))\"") }
            // Time: wall clock when a date is known, else seconds of the day (rolling over midnight).
            if let last = lastSecondsOfDay, secondsOfDay + 43_200 < last { dayOffset += 86_400 }
            lastSecondsOfDay = secondsOfDay
            var absolute = secondsOfDay + dayOffset
            var sampleDate: Date?
            if let date {
                var c = DateComponents()
                (c.year, c.month, c.day) = (date.y, date.m, date.d)
                c.timeZone = TimeZone(identifier: "UTC")
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                if let midnight = calendar.date(from: c) {
                    sampleDate = midnight.addingTimeInterval(secondsOfDay)
                    absolute = sampleDate!.timeIntervalSince1970
                }
            }
            if firstAbsolute == nil { firstAbsolute = absolute }
            if clock == lastClock, var last = samples.popLast() {
                // GGA and RMC of the same fix: one sample.
                last.latitude = lat
                last.longitude = lon
                if kind == "GGA", let alt = Self.altitude(field(9)) { last.absoluteAltitude = alt }
                if last.date == nil { last.date = sampleDate }
                samples.append(last)
                continue
            }
            lastClock = clock
            var s = TelemetrySample(time: absolute - (firstAbsolute ?? absolute))
            s.date = sampleDate
            s.latitude = lat
            s.longitude = lon
            if kind == "GGA", let alt = Self.altitude(field(9)) { s.absoluteAltitude = alt }
            samples.append(s)
        }
        if samples.isEmpty { throw fail(1, "no RMC or GGA sentence with a position fix") }
        return samples
    }

    /// `hhmmss[.sss]` → seconds of the day.
    static func secondsOfDay(_ s: String) -> Double? {
        guard s.count >= 6, let h = Int(s.prefix(2)), let m = Int(s.dropFirst(2).prefix(2)),
              let sec = Double(s.dropFirst(4)), h < 24, m < 60, sec >= 0, sec < 61 else { return nil }
        return Double(h * 3600 + m * 60) + sec
    }

    /// A GGA altitude field, metres; `nil` when empty or not a finite number (`nan`, `inf` read as numbers).
    static func altitude(_ s: String) -> Double? {
        Double(s).flatMap { $0.isFinite ? $0 : nil }
    }

    /// `ddmmyy` → (year, month, day); years 80-99 are 19xx.
    static func date(_ s: String) -> (y: Int, m: Int, d: Int)? {
        guard s.count == 6, let d = Int(s.prefix(2)), let m = Int(s.dropFirst(2).prefix(2)), let y = Int(s.suffix(2)),
              (1...31).contains(d), (1...12).contains(m) else { return nil }
        return (y >= 80 ? 1900 + y : 2000 + y, m, d)
    }

    /// `dddmm.mmmm` with its hemisphere letter → signed decimal degrees.
    static func coordinate(_ s: String, hemisphere: String, degreeDigits: Int) -> Double? {
        guard s.count > degreeDigits, let deg = Double(s.prefix(degreeDigits)), let min = Double(s.dropFirst(degreeDigits)),
              min >= 0, min < 60 else { return nil }
        let v = deg + min / 60
        switch hemisphere {
        case "N", "E": return v <= (degreeDigits == 2 ? 90 : 180) ? v : nil
        case "S", "W": return v <= (degreeDigits == 2 ? 90 : 180) ? -v : nil
        default: return nil
        }
    }
}
