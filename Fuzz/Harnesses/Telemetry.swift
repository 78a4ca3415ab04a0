// libFuzzer harness "telemetry": the video telemetry readers, DJI SRT, CSV, GPX and NMEA (TelemetryTrack.parse).
// Invariant: every sample read (also those an error keeps) has a finite time, finite numbers and a position on
// Earth; a position has both coordinates.
import Foundation
import Geo
import Metadata

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTelemetry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    for format in TelemetryFormat.allCases {
        do throws(TelemetryParseError) {
            try TelemetryTrack.parse(bytes, file: "fuzz", format: format).forEach { check($0, format) }
        } catch {
            error.samples.forEach { check($0, format) }
            invariant(error.line >= 1, "\(format): error on line \(error.line)")
        }
    }
    return 0
}

/// Checks one sample's numbers.
private func check(_ s: TelemetrySample, _ format: TelemetryFormat) {
    invariant(s.time.isFinite, "\(format): time \(s.time)")
    invariant((s.latitude == nil) == (s.longitude == nil), "\(format): half a position \(s)")
    if let lat = s.latitude, let lon = s.longitude {
        invariant(abs(lat) <= 90 && abs(lon) <= 180, "\(format): position \(lat), \(lon)")
    }
    for (name, v) in [("absoluteAltitude", s.absoluteAltitude), ("relativeAltitude", s.relativeAltitude),
                      ("gimbalPitch", s.gimbalPitch), ("gimbalRoll", s.gimbalRoll), ("gimbalYaw", s.gimbalYaw),
                      ("flightPitch", s.flightPitch), ("flightRoll", s.flightRoll), ("flightYaw", s.flightYaw),
                      ("duration", s.duration), ("focalLength", s.focalLength)] {
        if let v { invariant(v.isFinite, "\(format): \(name) \(v)") }
    }
    if let d = s.date { invariant(d.timeIntervalSince1970.isFinite, "\(format): date \(d)") }
}
