#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One time-stamped telemetry record from a DJI `.SRT` subtitle file or a sidecar CSV.
public struct TelemetrySample: Sendable, Equatable, Codable {
    /// Seconds from the start of the video (SRT cue start) or the CSV time column.
    public var time: Double
    /// Wall-clock time written in the record. DJI SRT clocks carry no time zone: read as UTC.
    public var date: Date?
    /// Latitude, decimal degrees WGS84.
    public var latitude: Double?
    /// Longitude, decimal degrees WGS84.
    public var longitude: Double?
    /// Altitude above sea level (SRT `abs_alt`, `altitude`, Matrice `GPS(..., altM)`), metres.
    public var absoluteAltitude: Double?
    /// Height above the take-off point (SRT `rel_alt`, `H`, `BAROMETER`, `Hb`; CSV altitude), metres.
    public var relativeAltitude: Double?
    /// Gimbal pitch (0 horizon, -90 down), roll and yaw, degrees (SRT `G.PRY`, `gb_pitch` ...).
    public var gimbalPitch: Double?
    public var gimbalRoll: Double?
    public var gimbalYaw: Double?
    /// Airframe pitch, roll and yaw, degrees (SRT `F.PRY`).
    public var flightPitch: Double?
    public var flightRoll: Double?
    public var flightYaw: Double?
    /// How long the record applies, seconds: an SRT cue's display time (its end minus its start); nil for an
    /// instant (GPX, NMEA, CSV records).
    public var duration: Double?
    /// Focal length as written by the SRT (`focal_len`; DJI's unit varies by model: mm or mm×10).
    public var focalLength: Double?

    /// A sample at `time` with every other field `nil`.
    public init(time: Double) { self.time = time }

    /// Whether the sample has a horizontal position.
    public var hasPosition: Bool { latitude != nil && longitude != nil }
}

/// A telemetry file that could not be read to its end.
///
/// `samples` keeps every record before the broken one, so a caller may still use them.
public struct TelemetryParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name given to the parser.
    public var file: String
    /// 1-based line of the problem.
    public var line: Int
    /// What is wrong.
    public var reason: String
    /// The records read before the problem.
    public var samples: [TelemetrySample]

    public init(file: String, line: Int, reason: String, samples: [TelemetrySample]) {
        self.file = file
        self.line = line
        self.reason = reason
        self.samples = samples
    }

    public var description: String { "\(file):\(line): \(reason) (\(samples.count) records before it kept)" }
}
