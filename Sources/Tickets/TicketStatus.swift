import GRDB

/// The life cycle of a ticket.
///
/// `new → confirmed / rejected → dispatched → fixed`; a later survey that sees the defect again after
/// `fixed` (or `verified`) sets `reopened` ("closed, not fixed"); one that covers the spot and sees nothing
/// sets `verified`. Every change is a ``TicketEvent`` with actor and time.
public enum TicketStatus: String, Codable, Sendable, CaseIterable, Hashable, DatabaseValueConvertible {
    case new, confirmed, rejected, dispatched, fixed, reopened, verified

    /// The statuses a ticket may move to from this one.
    public var allowedNext: Set<TicketStatus> {
        switch self {
        case .new: [.confirmed, .rejected]
        case .confirmed: [.dispatched, .rejected]
        case .rejected: [.confirmed]
        case .dispatched: [.fixed, .rejected]
        case .fixed: [.reopened, .verified]
        case .reopened: [.confirmed, .dispatched, .rejected]
        case .verified: [.reopened]
        }
    }

    /// Whether `self → next` is a legal transition.
    public func canMove(to next: TicketStatus) -> Bool { allowedNext.contains(next) }

    /// The Open311 GeoReport v2 status: `open` or `closed`.
    public var open311Status: String {
        switch self {
        case .new, .confirmed, .dispatched, .reopened: "open"
        case .rejected, .fixed, .verified: "closed"
        }
    }

    /// The internal statuses that map to an Open311 status (`open` / `closed`); `nil` for anything else.
    public static func matching(open311 status: String) -> [TicketStatus]? {
        switch status {
        case "open": allCases.filter { $0.open311Status == "open" }
        case "closed": allCases.filter { $0.open311Status == "closed" }
        default: nil
        }
    }
}
