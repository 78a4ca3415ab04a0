import Findings
import Foundation

/// The frames of one import or survey run, ready to be stored and merged.
public struct SurveyBatch: Sendable {
    /// One frame with its findings.
    public struct Frame: Sendable {
        /// The detector's report.
        public var report: FrameReport
        /// Content hash of the image (see ``ContentHash``): a frame already stored is skipped.
        public var contentHash: String

        /// Creates a frame.
        public init(report: FrameReport, contentHash: String) {
            self.report = report
            self.contentHash = contentHash
        }
    }

    /// Survey name: frames of the same name belong to the same survey.
    public var surveyName: String
    /// Frames.
    public var frames: [Frame]

    /// Creates a batch.
    public init(surveyName: String, frames: [Frame]) {
        self.surveyName = surveyName
        self.frames = frames
    }
}

/// What an ingest did.
public struct IngestSummary: Sendable, Hashable, Codable {
    /// The survey's id.
    public var surveyId: Int64
    /// Frames stored.
    public var framesAdded = 0
    /// Frames skipped because their content hash was already stored.
    public var framesSkipped = 0
    /// Findings stored.
    public var findingsAdded = 0
    /// Tickets created.
    public var ticketsCreated = 0
    /// Existing tickets that got new sightings.
    public var ticketsUpdated = 0
    /// Fixed tickets seen again ("closed, not fixed").
    public var ticketsReopened = 0
    /// Fixed tickets covered and not seen.
    public var ticketsVerified = 0
    /// Stored tickets and sightings the merge read as candidates (what the spatial index returned).
    public var candidatesRead = 0
    /// Exact shape comparisons the merge made (see ``IngestPlan/bestMatch(for:among:merging:comparisons:)``).
    public var comparisons = 0

    /// Creates an empty summary.
    public init(surveyId: Int64) { self.surveyId = surveyId }
}

/// Filters of the ranked ticket list.
public struct TicketQuery: Sendable, Hashable {
    /// Only these statuses (any when empty).
    public var statuses: [TicketStatus] = []
    /// Only these classes (any when empty).
    public var classes: [DefectClass] = []
    /// Only these ids (any when empty).
    public var ids: [Int64] = []
    /// Requested (created) at or after.
    public var createdFrom: Date?
    /// Requested (created) at or before.
    public var createdTo: Date?
    /// At most this many, highest priority first.
    public var limit: Int?
    /// Order: by priority (descending) or by id (ascending).
    public var orderByPriority = true

    /// Creates a query.
    public init(statuses: [TicketStatus] = [], classes: [DefectClass] = [], ids: [Int64] = [],
                createdFrom: Date? = nil, createdTo: Date? = nil, limit: Int? = nil, orderByPriority: Bool = true) {
        self.statuses = statuses
        self.classes = classes
        self.ids = ids
        self.createdFrom = createdFrom
        self.createdTo = createdTo
        self.limit = limit
        self.orderByPriority = orderByPriority
    }
}

/// A service request made through the Open311 API.
public struct ServiceRequestInput: Sendable, Hashable {
    /// The service code (`crack` or `leak`).
    public var defectClass: DefectClass
    /// Position (`nil` with ``longitude`` when the request names only an address).
    public var latitude: Double?
    /// Position.
    public var longitude: Double?
    /// Free text, ≤ 4000 characters.
    public var description: String?
    /// Link to a photo.
    public var mediaUrl: String?
    /// Address as given.
    public var address: String?
    /// The jurisdiction's address identifier as given (GeoReport `address_id`).
    public var addressId: String?
    /// `attribute[...]` values.
    public var attributes: [String: String]
    /// Idempotency key (header `Idempotency-Key`): a repeated request returns the first ticket.
    public var idempotencyKey: String?

    /// Creates a request.
    public init(defectClass: DefectClass, latitude: Double?, longitude: Double?, description: String? = nil,
                mediaUrl: String? = nil, address: String? = nil, addressId: String? = nil,
                attributes: [String: String] = [:], idempotencyKey: String? = nil) {
        self.defectClass = defectClass
        self.latitude = latitude
        self.longitude = longitude
        self.description = description
        self.mediaUrl = mediaUrl
        self.address = address
        self.addressId = addressId
        self.attributes = attributes
        self.idempotencyKey = idempotencyKey
    }
}

/// The ticket store: everything the CLI, the server and the forwarder need, independent of the database
/// engine. ``SQLiteTicketStore`` is the embedded implementation; a PostgreSQL one can implement the same
/// protocol. Every method that changes state has committed durably when it returns.
public protocol TicketStore: Sendable {
    /// Stores the frames and findings of a batch and merges them into tickets (within the batch, and
    /// with the tickets of earlier surveys). Frames whose content hash is stored already are skipped.
    func ingest(_ batch: SurveyBatch, actor: String) async throws -> IngestSummary

    /// Every stored frame (a survey run skips frames whose content hash is here).
    func frames() async throws -> [FrameRecord]
    /// Records that a frame of survey `surveyName` (registered when new) could not be analysed, replacing an
    /// earlier reason for the same path; storing the frame later removes the record.
    /// - Returns: the survey's id.
    func recordFrameFailure(surveyName: String, path: String, reason: String, at: Date) async throws -> Int64
    /// The failed frames of one survey (every survey when nil), by survey and path.
    func frameFailures(surveyId: Int64?) async throws -> [FrameFailureRecord]
    /// One ticket.
    func ticket(id: Int64) async throws -> Ticket?
    /// Tickets matching a query.
    func tickets(_ query: TicketQuery) async throws -> [Ticket]
    /// A ticket's history, oldest first.
    func events(ticketId: Int64) async throws -> [TicketEvent]
    /// The findings merged into a ticket.
    func findings(ticketId: Int64) async throws -> [FindingRecord]
    /// Every stored finding, by id (the condition index and the forecasts read them per survey).
    func allFindings() async throws -> [FindingRecord]
    /// Every ticket event, by id (the KPIs read the life cycles from them).
    func allEvents() async throws -> [TicketEvent]
    /// Moves a ticket to a new status, recording the event; `dispatched` also enqueues it for forwarding.
    /// - Throws: ``TicketError`` `.notFound`, `.invalidTransition`.
    func transition(ticketId: Int64, to status: TicketStatus, actor: String, note: String?) async throws -> Ticket
    /// Recomputes severity, zone and priority of every ticket.
    func rerank(_ model: PriorityModel) async throws
    /// Cuts every stored ticket larger than the store's ``PriorityModel/workOrder`` limits into work orders
    /// (``IngestPlan/split(_:members:limits:model:actor:at:)``), each part with its findings and events.
    /// - Returns: per ticket cut, the ids of its parts (the original first).
    func splitOversizedTickets(actor: String) async throws -> [Int64: [Int64]]

    /// Creates a ticket from an Open311 request (or returns the one its idempotency key created).
    func createServiceRequest(_ input: ServiceRequestInput, actor: String) async throws -> (ticket: Ticket, created: Bool)

    /// Claims up to `limit` pending items due at `now`, oldest first: their `nextAttemptAt` moves to
    /// `now + lease`, so no other forwarder takes them while this one tries, and a forwarder that dies
    /// leaves them due again once the lease has run out.
    func claimOutboxItems(now: Date, lease: TimeInterval, limit: Int) async throws -> [OutboxItem]
    /// Every outbox item.
    func outboxItems() async throws -> [OutboxItem]
    /// The earliest `nextAttemptAt` of a pending item.
    func nextOutboxAttempt() async throws -> Date?
    /// Records a successful delivery: remote id on the item and the ticket, and an event.
    func recordDelivery(itemId: Int64, remoteId: String, at: Date) async throws
    /// Records a failed attempt; `permanent` marks the item failed, else it is retried at `nextAttemptAt`.
    func recordFailure(itemId: Int64, error: String, nextAttemptAt: Date, permanent: Bool) async throws
    /// Applies a status reported by the external system (`closed` moves a dispatched ticket to `fixed`).
    func applyRemoteStatus(ticketId: Int64, remoteStatus: String, actor: String) async throws
}
