import Foundation

/// Key performance indicators of the maintenance life cycle, from the ticket events (``TicketEvent``).
///
/// - Times from first seen (``Ticket/firstSeen``) to the first time a ticket became confirmed, dispatched and fixed:
///   count, median and 90th percentile (nearest rank), in hours, over the tickets that got there.
/// - Repairs: tickets ever marked fixed, those a later survey verified (covered the spot and saw nothing), and those
///   reopened after a repair ("closed, not fixed"); the reopen rate is reopened / ever fixed.
/// - Backlog: open tickets (new, confirmed, dispatched, reopened) by severity and by age since first seen
///   (under 7 days, 7–30, 30–90, 90 and more).
public struct MaintenanceKPI: Codable, Sendable, Hashable {
    /// Durations to one stage.
    public struct Stage: Codable, Sendable, Hashable {
        /// `confirmed`, `dispatched` or `fixed`.
        public var stage: String
        /// Tickets that reached it.
        public var count: Int
        /// Median hours from first seen.
        public var medianHours: Double?
        /// 90th percentile hours from first seen.
        public var p90Hours: Double?
    }

    /// Open tickets of one severity and age band.
    public struct Backlog: Codable, Sendable, Hashable {
        /// Severity.
        public var severity: Severity
        /// `<7d`, `7-30d`, `30-90d`, `>=90d`.
        public var age: String
        /// Open tickets.
        public var count: Int
    }

    /// When computed.
    public var at: Date
    /// Tickets counted (survey and API tickets alike).
    public var tickets: Int
    /// Time to confirmed, dispatched, fixed.
    public var stages: [Stage]
    /// Tickets ever marked fixed.
    public var repairsFixed: Int
    /// Of those, verified by a later survey.
    public var repairsVerified: Int
    /// Reopened after fixed or verified.
    public var reopened: Int
    /// reopened / repairsFixed (`nil` when nothing was fixed).
    public var reopenRate: Double?
    /// Open tickets, total.
    public var open: Int
    /// Open tickets by severity and age (every combination, zeros included).
    public var backlog: [Backlog]

    /// Age bands of the backlog, days.
    public static let ageBands: [(label: String, days: Range<Double>)] = [
        ("<7d", 0..<7), ("7-30d", 7..<30), ("30-90d", 30..<90), (">=90d", 90..<Double.infinity),
    ]

    /// Computes the indicators.
    public init(tickets: [Ticket], events: [TicketEvent], now: Date = Date()) {
        at = now
        self.tickets = tickets.count
        var reached: [TicketStatus: [Int64: Date]] = [:]
        var fixed: Set<Int64> = [], verified: Set<Int64> = [], reopened: Set<Int64> = []
        for e in events.sorted(by: { ($0.at, $0.id ?? 0) < ($1.at, $1.id ?? 0) }) where e.kind == .status {
            guard let to = e.toStatus else { continue }
            if reached[to]?[e.ticketId] == nil { reached[to, default: [:]][e.ticketId] = e.at }
            switch to {
            case .fixed: fixed.insert(e.ticketId)
            case .verified: verified.insert(e.ticketId)
            case .reopened where e.fromStatus == .fixed || e.fromStatus == .verified: reopened.insert(e.ticketId)
            default: break
            }
        }
        let firstSeen = Dictionary(tickets.compactMap { t in t.id.map { ($0, t.firstSeen) } }, uniquingKeysWith: min)
        stages = [TicketStatus.confirmed, .dispatched, .fixed].map { status in
            let hours = (reached[status] ?? [:]).compactMap { id, at in firstSeen[id].map { max(0, at.timeIntervalSince($0)) / 3600 } }.sorted()
            return Stage(stage: status.rawValue, count: hours.count, medianHours: Self.percentile(hours, 0.5),
                         p90Hours: Self.percentile(hours, 0.9))
        }
        repairsFixed = fixed.count
        repairsVerified = verified.intersection(fixed).count
        self.reopened = reopened.count
        reopenRate = fixed.isEmpty ? nil : Double(reopened.intersection(fixed).count) / Double(fixed.count)
        let openTickets = tickets.filter { MaintenancePlan.open.contains($0.status) }
        open = openTickets.count
        var counts: [String: Int] = [:]
        for t in openTickets {
            let days = max(0, now.timeIntervalSince(t.firstSeen) / 86_400)
            let band = Self.ageBands.first { $0.days.contains(days) }!.label
            counts["\(t.severity.rawValue)|\(band)", default: 0] += 1
        }
        backlog = Severity.allCases.reversed().flatMap { s in
            Self.ageBands.map { Backlog(severity: s, age: $0.label, count: counts["\(s.rawValue)|\($0.label)"] ?? 0) }
        }
    }

    /// The nearest-rank percentile `p` (0...1) of sorted values, rounded to 0.01; `nil` when empty.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return (sorted[min(rank, sorted.count) - 1] * 100).rounded() / 100
    }

    /// The indicators as CSV: `metric,severity,age,value` rows (stages as `confirmed_median_hours` and so on).
    public var csv: String {
        func v(_ d: Double?) -> String { d.map { String($0) } ?? "" }
        var lines = ["metric,severity,age,value", "tickets,,,\(tickets)", "open,,,\(open)"]
        for s in stages {
            lines.append("\(s.stage)_count,,,\(s.count)")
            lines.append("\(s.stage)_median_hours,,,\(v(s.medianHours))")
            lines.append("\(s.stage)_p90_hours,,,\(v(s.p90Hours))")
        }
        lines += ["repairs_fixed,,,\(repairsFixed)", "repairs_verified,,,\(repairsVerified)", "reopened,,,\(reopened)",
                  "reopen_rate,,,\(v(reopenRate))"]
        for b in backlog { lines.append("backlog,\(b.severity.rawValue),\(b.age),\(b.count)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
