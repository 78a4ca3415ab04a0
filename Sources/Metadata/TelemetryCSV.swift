#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reader of sidecar telemetry CSV files: a header row, then one record per row.
///
/// Columns are found by name (case-insensitive, any order): `time` (also `t`, `timestamp`, `seconds`: seconds
/// from the start, or an ISO 8601 / EXIF date-time read as UTC), `latitude` (`lat`), `longitude` (`lon`, `lng`),
/// `altitude` (`alt`, `height`, `rel_alt`, `relative_altitude`: height above the take-off point, metres), and
/// optionally `abs_alt` / `absolute_altitude`, `gimbal_pitch`, `gimbal_yaw`, `gimbal_roll`, `yaw` (flight yaw).
/// Separators `,` or `;`; blank lines and lines starting with `#` are skipped.
public enum TelemetryCSV {
    /// Parses a CSV sidecar.
    /// - Parameters:
    ///   - text: the file's bytes (UTF-8).
    ///   - file: the name used in errors.
    /// - Returns: the records in file order.
    /// - Throws: `TelemetryParseError` naming file and line of the first bad row, with the records before it.
    public static func parse(_ text: some Collection<UInt8>, file: String) throws(TelemetryParseError) -> [TelemetrySample] {
        let lines = text.telemetryLines
        var samples: [TelemetrySample] = []
        func fail(_ line: Int, _ reason: String) -> TelemetryParseError {
            TelemetryParseError(file: file, line: line, reason: reason, samples: samples)
        }
        var columns: [String: Int]?
        var separator: Character = ","
        var firstDate: Date?
        for (k, line) in lines.enumerated() {
            let trimmed = line.trimmedASCII
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let cols = columns else {
                separator = trimmed.contains(";") && !trimmed.contains(",") ? ";" : ","
                var map: [String: Int] = [:]
                for (i, name) in trimmed.split(separator: separator, omittingEmptySubsequences: false).enumerated() {
                    let key = name.trimmedASCII.lowercased().filter { $0 != "\"" }
                    let canonical: String? = switch key {
                    case "time", "t", "timestamp", "seconds", "time_s": "time"
                    case "latitude", "lat": "lat"
                    case "longitude", "lon", "lng", "long": "lon"
                    case "altitude", "alt", "height", "rel_alt", "relative_altitude", "altitude_m": "alt"
                    case "abs_alt", "absolute_altitude": "abs"
                    case "gimbal_pitch": "gp"
                    case "gimbal_yaw": "gy"
                    case "gimbal_roll": "gr"
                    case "yaw", "flight_yaw", "heading": "fy"
                    default: nil
                    }
                    if let canonical, map[canonical] == nil { map[canonical] = i }
                }
                for needed in ["time", "lat", "lon"] where map[needed] == nil {
                    throw fail(k + 1, "header has no \(needed) column")
                }
                columns = map
                continue
            }
            let fields = trimmed.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmedASCII }
            func value(_ key: String) -> Substring? {
                guard let i = cols[key], i < fields.count, !fields[i].isEmpty else { return nil }
                return fields[i]
            }
            func number(_ key: String) throws(TelemetryParseError) -> Double? {
                guard let s = value(key) else { return nil }
                guard let v = Double(s), v.isFinite else { throw fail(k + 1, "\(key) is not a number: \"\(s)\"") }
                return v
            }
            guard let timeText = value("time") else { throw fail(k + 1, "missing time") }
            var sample = TelemetrySample(time: 0)
            if let seconds = Double(timeText), seconds.isFinite {
                sample.time = seconds
            } else if let date = EXIFDate.parse(String(timeText)) {
                if firstDate == nil { firstDate = date }
                sample.date = date
                sample.time = date.timeIntervalSince(firstDate ?? date)
            } else {
                throw fail(k + 1, "time is neither seconds nor a date: \"\(timeText)\"")
            }
            let lat = try number("lat"), lon = try number("lon")
            if let lat, let lon {
                guard abs(lat) <= 90, abs(lon) <= 180 else { throw fail(k + 1, "position out of range") }
                (sample.latitude, sample.longitude) = (lat, lon)
            }
            sample.relativeAltitude = try number("alt")
            sample.absoluteAltitude = try number("abs")
            sample.gimbalPitch = try number("gp")
            sample.gimbalYaw = try number("gy")
            sample.gimbalRoll = try number("gr")
            sample.flightYaw = try number("fy")
            samples.append(sample)
        }
        guard columns != nil else { throw fail(1, "no header row") }
        return samples
    }
}
