import Findings
import Foundation

/// What to fix first under a budget: open tickets ranked by urgency and taken in that order while the budget lasts.
///
/// Urgency = priority (``PriorityModel``) + 20 × max(0, 1 − days until the forecast crossing into the next severity
/// / 365): a defect that will turn worse within the year climbs by up to 20 points; one without a forecast gets
/// nothing extra. A budget counts tickets, or metres of linear crack (crack sealing: only linear cracks are taken),
/// or square metres of area defects (patching: only leaks, alligator and block cracking). A ticket that does not fit
/// what is left is skipped and smaller ones after it may still be taken.
public struct MaintenancePlan: Sendable {
    /// What the budget counts.
    public enum Budget: Sendable, Hashable, Codable {
        /// Tickets.
        case count(Int)
        /// Metres of linear crack.
        case metres(Double)
        /// Square metres of area defects.
        case squareMetres(Double)

        /// `N`, `Nm` or `Nm2` (also `N m`, `N m²`).
        public init?(_ text: String) {
            let t = text.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "²", with: "2")
            if t.hasSuffix("m2"), let v = Double(t.dropLast(2)), v >= 0 { self = .squareMetres(v) }
            else if t.hasSuffix("m"), let v = Double(t.dropLast()), v >= 0 { self = .metres(v) }
            else if let v = Int(t), v >= 0 { self = .count(v) }
            else { return nil }
        }

        /// The cost of a ticket in this budget's unit, `nil` when the budget does not cover its kind.
        func cost(_ t: Ticket) -> Double? {
            switch self {
            case .count: 1
            case .metres: t.isAreaDefect ? nil : (t.lengthM ?? 0)
            case .squareMetres: t.isAreaDefect ? (t.areaM2 ?? 0) : nil
            }
        }

        var amount: Double {
            switch self {
            case let .count(n): Double(n)
            case let .metres(m): m
            case let .squareMetres(a): a
            }
        }

        /// `tickets`, `m` or `m2`.
        public var unit: String {
            switch self {
            case .count: "tickets"
            case .metres: "m"
            case .squareMetres: "m2"
            }
        }
    }

    /// One planned repair.
    public struct Item: Codable, Sendable, Hashable {
        /// Rank in the plan, from 1.
        public var rank: Int
        /// The ticket.
        public var ticketId: Int64
        /// Crack subtype or `leak`.
        public var kind: String
        /// Severity now.
        public var severity: Severity
        /// Status now.
        public var status: TicketStatus
        /// Priority score.
        public var priority: Double
        /// Urgency (see the type's discussion).
        public var urgency: Double
        /// Its cost in the budget's unit.
        public var cost: Double
        /// Budget used up to and including it.
        public var cumulative: Double
        /// Forecast crossing into the next severity, if any.
        public var nextSeverityBy: Date?
        /// Position.
        public var latitude: Double?
        /// Position.
        public var longitude: Double?
    }

    /// The budget.
    public var budget: Budget
    /// The repairs, by rank.
    public var items: [Item]
    /// Budget left.
    public var left: Double
    /// Open tickets the budget covers that did not fit.
    public var deferred: Int

    /// Statuses that still need a repair.
    public static let open: Set<TicketStatus> = [.new, .confirmed, .dispatched, .reopened]

    /// Plans repairs of the open tickets.
    /// - Parameters: forecasts: per ticket (``Forecast/tickets(_:)``); now: the day the plan starts.
    public init(tickets: [Ticket], forecasts: [Forecast.TicketForecast], budget: Budget, now: Date = Date()) {
        self.budget = budget
        let dates = Dictionary(forecasts.compactMap { f in f.date.map { (f.ticketId, $0) } }, uniquingKeysWith: min)
        let ranked = tickets.filter { Self.open.contains($0.status) && budget.cost($0) != nil }.map { t -> (Ticket, Double) in
            let days = dates[t.id ?? 0].map { $0.timeIntervalSince(now) / 86_400 }
            let boost = days.map { 20 * max(0, 1 - max(0, $0) / 365) } ?? 0
            return (t, ((t.priority + boost) * 100).rounded() / 100)
        }.sorted { ($0.1, -($0.0.id ?? 0)) > ($1.1, -($1.0.id ?? 0)) }
        var left = budget.amount, items: [Item] = [], deferred = 0
        for (t, urgency) in ranked {
            let cost = budget.cost(t)!
            guard cost <= left + 1e-9 else {
                deferred += 1
                continue
            }
            left -= cost
            items.append(Item(rank: items.count + 1, ticketId: t.id ?? 0, kind: t.defectClass == .leak ? "leak" : (t.subtype ?? "crack"),
                              severity: t.severity, status: t.status, priority: t.priority, urgency: urgency,
                              cost: (cost * 100).rounded() / 100, cumulative: ((budget.amount - left) * 100).rounded() / 100,
                              nextSeverityBy: dates[t.id ?? 0], latitude: t.latitude, longitude: t.longitude))
        }
        self.items = items
        self.left = max(0, left)
        self.deferred = deferred
    }
}
