import Findings
import GRDB

/// Defect severity.
///
/// Cracks follow ASTM D6433 practice on mean width: low below 10 mm, medium 10–76 mm, high above 76 mm,
/// unknown without a ground scale. Leaks (no ASTM class) use area: low below 1 m², medium 1–5 m², high at
/// 5 m² and above; a leak whose area grew by half or more (and by at least 0.5 m²) since it was first seen
/// moves up one level.
public enum Severity: String, Codable, Sendable, CaseIterable, Hashable, DatabaseValueConvertible {
    case unknown, low, medium, high

    /// Crack severity from mean width in millimetres.
    public static func crack(widthMm: Double?) -> Severity {
        guard let w = widthMm, w.isFinite else { return .unknown }
        if w < 10 { return .low }
        if w <= 76 { return .medium }
        return .high
    }

    /// Leak severity from the current and first-seen area in square metres.
    public static func leak(areaM2: Double?, firstAreaM2: Double?) -> Severity {
        guard let a = areaM2, a.isFinite else { return .unknown }
        var level: Severity = a < 1 ? .low : (a < 5 ? .medium : .high)
        if let first = firstAreaM2, first > 0, a - first >= 0.5, a >= first * 1.5 {
            level = level.raised
        }
        return level
    }

    /// One level up (high stays high, unknown stays unknown).
    public var raised: Severity {
        switch self {
        case .unknown: .unknown
        case .low: .medium
        case .medium, .high: .high
        }
    }

    /// Severity of a ticket's current measurements.
    public static func of(_ ticket: Ticket) -> Severity {
        switch ticket.defectClass {
        case .crack: crack(widthMm: ticket.widthMm)
        case .leak: leak(areaM2: ticket.areaM2, firstAreaM2: ticket.firstAreaM2)
        }
    }
}
