import Foundation
import GRDB

/// One change in a ticket's history: who, when, what.
public struct TicketEvent: Codable, Sendable, Hashable, Identifiable {
    /// What kind of change.
    public enum Kind: String, Codable, Sendable, Hashable, DatabaseValueConvertible {
        /// The ticket was created (by a survey or an API request).
        case created
        /// A survey saw the defect again.
        case sighting
        /// The status changed.
        case status
        /// The ticket was delivered to the external Open311 system.
        case forwarded
        /// The external system reported a status.
        case remoteStatus
        /// The ticket was cut into work orders (``WorkOrderLimits``): the original keeps part of its findings, the
        /// others went to new tickets.
        case split
    }

    /// Database id.
    public var id: Int64?
    /// The ticket.
    public var ticketId: Int64
    /// When it happened.
    public var at: Date
    /// Who did it: a user name, `survey:NAME`, `open311:KEY-LABEL`, `forwarder`.
    public var actor: String
    /// What happened.
    public var kind: Kind
    /// Status before, for status changes.
    public var fromStatus: TicketStatus?
    /// Status after, for status changes.
    public var toStatus: TicketStatus?
    /// Free text.
    public var note: String?

    /// Creates an event.
    public init(ticketId: Int64, at: Date, actor: String, kind: Kind, fromStatus: TicketStatus? = nil,
                toStatus: TicketStatus? = nil, note: String? = nil) {
        self.ticketId = ticketId
        self.at = at
        self.actor = actor
        self.kind = kind
        self.fromStatus = fromStatus
        self.toStatus = toStatus
        self.note = note
    }
}

extension TicketEvent: FetchableRecord, RowIDRecord {
    /// Table name.
    public static let databaseTableName = "ticketEvent"
}
