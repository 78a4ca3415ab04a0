import Foundation
import Geodesy
import Metadata

/// The telemetry file formats a video's track can come in.
public enum TelemetryFormat: String, Sendable, CaseIterable {
    /// DJI subtitle telemetry (`.SRT`): times are seconds from the video's start.
    case srt
    /// GPX track (`.gpx`): wall-clock times.
    case gpx
    /// NMEA 0183 log (`.nmea`, `.log`): wall-clock times.
    case nmea
    /// CSV of time / latitude / longitude / altitude (`.csv`): seconds from the start or dates.
    case csv

    /// The format of a file by its extension (case-insensitive); nil for any other.
    public init?(path: String) {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "srt": self = .srt
        case "gpx": self = .gpx
        case "nmea", "log": self = .nmea
        case "csv": self = .csv
        default: return nil
        }
    }

    /// Whether sample times count from the start of the video (SRT) rather than from a clock.
    public var isVideoRelative: Bool { self == .srt }

    /// Extensions a sidecar may have, in the order they are looked for.
    public static let sidecarExtensions = ["srt", "gpx", "nmea", "log", "csv"]
}

extension TelemetryTrack {
    /// Parses telemetry bytes in a given format.
    /// - Parameters: bytes: the file's contents; file: the name used in errors; format: how to read it.
    /// - Returns: the records in file order.
    /// - Throws: `TelemetryParseError` naming the file and line of the first bad record, with the records before it.
    public static func parse(_ bytes: [UInt8], file: String, format: TelemetryFormat) throws(TelemetryParseError)
        -> [TelemetrySample]
    {
        switch format {
        case .srt: try SRTParser.parse(bytes, file: file)
        case .gpx: try GPXParser.parse(bytes, file: file)
        case .nmea: try NMEAParser.parse(bytes, file: file)
        case .csv: try TelemetryCSV.parse(bytes, file: file)
        }
    }

    /// The telemetry file beside a video: same folder, same stem, one of ``TelemetryFormat/sidecarExtensions`` in
    /// any letter case (`DJI_0001.MP4` → `DJI_0001.SRT`).
    /// - Parameters: video: the video's path.
    /// - Returns: the sidecar's path, or nil when there is none.
    public static func sidecar(for video: String) -> String? {
        let url = URL(fileURLWithPath: video)
        let folder = url.deletingLastPathComponent()
        let stem = url.deletingPathExtension().lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        for ext in TelemetryFormat.sidecarExtensions {
            if let name = names.sorted().first(where: {
                let u = URL(fileURLWithPath: $0)
                return u.deletingPathExtension().lastPathComponent == stem && u.pathExtension.lowercased() == ext
            }) {
                return folder.appendingPathComponent(name).path
            }
        }
        return nil
    }

    /// Ground displacement from `a` to `b`, metres east and north (on the plane tangent at `a`).
    public static func displacement(from a: TelemetrySample, to b: TelemetrySample) -> SIMD2<Double>? {
        guard let la = a.latitude, let oa = a.longitude, let lb = b.latitude, let ob = b.longitude else { return nil }
        let e = LocalTangentPlane(origin: GeoPoint(latitude: la, longitude: oa)).enu(GeoPoint(latitude: lb, longitude: ob))
        return SIMD2(e.x, e.y)
    }

    /// Direction of travel at `time`, degrees clockwise from north: the bearing from the track's position
    /// `window` seconds before to `window` seconds after (clamped to the track), nil where the track moved less
    /// than `minimumDistance` metres over that span (parked, hovering) or does not cover `time`.
    public func heading(at time: Double, window: Double = 1, minimumDistance: Double = 0.5) -> Double? {
        guard let first = samples.first, let last = samples.last, time >= first.time, time <= last.time,
              let a = sample(at: max(first.time, time - window)), let b = sample(at: min(last.time, time + window)),
              let d = Self.displacement(from: a, to: b), (d * d).sum() >= minimumDistance * minimumDistance
        else { return nil }
        let deg = atan2(d.x, d.y) * 180 / .pi
        return deg < 0 ? deg + 360 : deg
    }
}
