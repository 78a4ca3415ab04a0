import Foundation
import Metadata

/// Telemetry samples with positions, ordered by time, interpolated linearly between neighbours.
public struct TelemetryTrack: Sendable, Equatable {
    /// The positioned samples, sorted by `time`.
    public let samples: [TelemetrySample]

    /// - Parameters:
    ///   - samples: records from `SRTParser` / `TelemetryCSV`; those without a position are dropped.
    public init(_ samples: [TelemetrySample]) {
        self.samples = samples.filter(\.hasPosition).sorted { $0.time < $1.time }
    }

    /// The telemetry at `time` seconds: linear interpolation of position, heights and angles (angles along
    /// the shorter way round), nil outside the track's time span (no extrapolation; the last record holds until
    /// the end of its own duration, an SRT cue's display time, exclusive).
    public func sample(at time: Double) -> TelemetrySample? {
        guard let first = samples.first, let last = samples.last, time >= first.time else { return nil }
        if time > last.time {
            guard time < last.time + (last.duration ?? 0) else { return nil }
            var held = last
            held.time = time
            held.date = last.date.map { $0.addingTimeInterval(time - last.time) }
            held.duration = nil
            return held
        }
        // Binary search for the first sample after `time`.
        var lo = 0, hi = samples.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid].time <= time { lo = mid + 1 } else { hi = mid }
        }
        let b = samples[lo]
        guard lo > 0, b.time > time else { return samples[lo].time == time ? b : samples[max(0, lo - 1)] }
        let a = samples[lo - 1]
        let span = b.time - a.time
        let t = span > 0 ? (time - a.time) / span : 0
        func mix(_ x: Double?, _ y: Double?) -> Double? {
            guard let x, let y else { return x ?? y }
            return x + (y - x) * t
        }
        func mixAngle(_ x: Double?, _ y: Double?) -> Double? {
            guard let x, let y else { return x ?? y }
            var d = (y - x).truncatingRemainder(dividingBy: 360)
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            return x + d * t
        }
        var s = TelemetrySample(time: time)
        s.latitude = mix(a.latitude, b.latitude)
        s.longitude = mixAngle(a.longitude, b.longitude)
        if let lon = s.longitude, lon > 180 { s.longitude = lon - 360 } else if let lon = s.longitude, lon < -180 { s.longitude = lon + 360 }
        s.absoluteAltitude = mix(a.absoluteAltitude, b.absoluteAltitude)
        s.relativeAltitude = mix(a.relativeAltitude, b.relativeAltitude)
        s.gimbalPitch = mix(a.gimbalPitch, b.gimbalPitch)
        s.gimbalRoll = mix(a.gimbalRoll, b.gimbalRoll)
        s.gimbalYaw = mixAngle(a.gimbalYaw, b.gimbalYaw)
        s.flightPitch = mix(a.flightPitch, b.flightPitch)
        s.flightRoll = mix(a.flightRoll, b.flightRoll)
        s.flightYaw = mixAngle(a.flightYaw, b.flightYaw)
        s.focalLength = mix(a.focalLength, b.focalLength)
        if let da = a.date, let db = b.date {
            s.date = da + (db.timeIntervalSince(da)) * t
        }
        return s
    }

    /// The telemetry at a wall-clock time (samples need dates), nil outside the track.
    public func sample(at date: Date) -> TelemetrySample? {
        guard let anchor = samples.first(where: { $0.date != nil }), let anchorDate = anchor.date else { return nil }
        return sample(at: anchor.time + date.timeIntervalSince(anchorDate))
    }
}
