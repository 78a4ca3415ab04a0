import Findings

/// The priority score that ranks tickets.
///
/// ```
/// priority = 100 × zoneWeight × (0.40·S + 0.25·E + 0.20·G + 0.15·C)
/// S  severity      high 1.0, medium 0.6, unknown 0.4, low 0.3 (unmeasured is not known to be small)
/// E  extent        crack: min(lengthM / 10 m, 1); leak: min(areaM2 / 10 m², 1); unknown 0
/// G  growth        min(relative growth since first seen / 0.5, 1): crack width (else length), leak area
/// C  confidence    highest detector confidence, 0...1 (1 for requests made by people)
/// zoneWeight       weight of the first zone containing the ticket, else the file's default (1)
/// ```
/// Rejected tickets keep their score but are listed last by `pavewatch tickets` only through `--status`.
public struct PriorityModel: Sendable {
    /// Optional zone weights.
    public var zones: ZoneWeights?
    /// How large one ticket may grow (a crew's work order); every ingest splits findings and groups to fit.
    public var workOrder: WorkOrderLimits

    /// Creates the model.
    public init(zones: ZoneWeights? = nil, workOrder: WorkOrderLimits = WorkOrderLimits()) {
        self.zones = zones
        self.workOrder = workOrder
    }

    /// Severity term S.
    public static func severityTerm(_ s: Severity) -> Double {
        switch s {
        case .high: 1.0
        case .medium: 0.6
        case .unknown: 0.4
        case .low: 0.3
        }
    }

    /// Extent term E.
    public static func extentTerm(_ t: Ticket) -> Double {
        switch t.defectClass {
        case .crack: min((t.lengthM ?? 0) / 10, 1)
        case .leak: min((t.areaM2 ?? 0) / 10, 1)
        }
    }

    /// Computes severity, zone and priority of `ticket` in place.
    public func rank(_ ticket: inout Ticket) {
        ticket.severity = Severity.of(ticket)
        var weight = zones?.defaultWeight ?? 1
        ticket.zone = nil
        if let zones, let p = ticket.location, let zone = zones.zone(containing: p) {
            weight = zone.weight
            ticket.zone = zone.name
        }
        let s = Self.severityTerm(ticket.severity)
        let e = Self.extentTerm(ticket)
        let g = min(ticket.growth / 0.5, 1)
        let c = min(max(ticket.confidence, 0), 1)
        let score = 100 * weight * (0.40 * s + 0.25 * e + 0.20 * g + 0.15 * c)
        ticket.priority = (score * 100).rounded() / 100
    }
}
