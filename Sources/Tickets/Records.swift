import Findings
import Foundation
import GRDB
import Geodesy

/// A survey: one flight or one import.
public struct SurveyRecord: Codable, Sendable, Hashable, FetchableRecord, RowIDRecord {
    /// Table name.
    public static let databaseTableName = "survey"
    /// Database id.
    public var id: Int64?
    /// Unique name.
    public var name: String
    /// When it was first registered.
    public var startedAt: Date

    /// Creates a record.
    public init(id: Int64? = nil, name: String, startedAt: Date) {
        self.id = id
        self.name = name
        self.startedAt = startedAt
    }
}

/// A processed frame: path, content hash (unique: the same image is never counted twice) and pose.
public struct FrameRecord: Codable, Sendable, Hashable, FetchableRecord, RowIDRecord {
    /// Table name.
    public static let databaseTableName = "frame"
    /// Database id.
    public var id: Int64?
    /// Survey it belongs to.
    public var surveyId: Int64
    /// Image path as recorded by the detector.
    public var path: String
    /// Lowercase hex SHA-256 of the image bytes (or of the report when the image is absent).
    public var contentHash: String
    /// Frame size in pixels.
    public var width: Int
    /// Frame height in pixels.
    public var height: Int
    /// Camera latitude.
    public var latitude: Double?
    /// Camera longitude.
    public var longitude: Double?
    /// Height above ground in metres.
    public var altitudeM: Double?
    /// Ground sampling distance.
    public var gsdCmPerPx: Double?
    /// Ground footprint.
    public var footprint: [GeoPoint]?
    /// Capture time as given.
    public var capturedAt: String?
    /// Share of the frame that is paved surface (the detector's surface map), 0...1; nil when unknown.
    public var surfaceFraction: Double? = nil
    /// The paved surface's ground area, square metres; nil without a ground scale.
    public var surveyedAreaM2: Double? = nil
    /// Width a crack needs to fill one pixel at the detector's working scale, millimetres; nil without a ground scale.
    public var detectionLimitMm: Double? = nil

}

extension FrameRecord {
    /// The record of a detector report (not yet stored).
    public init(surveyId: Int64, report r: FrameReport, contentHash: String) {
        self.init(surveyId: surveyId, path: r.file, contentHash: contentHash, width: r.width, height: r.height,
                  latitude: r.latitude, longitude: r.longitude, altitudeM: r.altitudeM, gsdCmPerPx: r.gsdCmPerPx,
                  footprint: r.footprint, capturedAt: r.capturedAt, surfaceFraction: r.surfaceFraction,
                  surveyedAreaM2: r.surveyedAreaM2, detectionLimitMm: r.detectionLimitMm)
    }
}

/// A frame of a survey that could not be analysed (unreadable, corrupt, too large, ...), kept so the survey page
/// can list it. One row per survey and path: a later failure replaces the reason, a later success removes it.
public struct FrameFailureRecord: Codable, Sendable, Hashable, FetchableRecord, RowIDRecord {
    /// Table name.
    public static let databaseTableName = "frameFailure"
    /// Database id.
    public var id: Int64?
    /// Survey it belongs to.
    public var surveyId: Int64
    /// Image path as the survey saw it.
    public var path: String
    /// Why it failed, as the pipeline reported it.
    public var reason: String
    /// When it last failed.
    public var failedAt: Date

    /// Creates a record.
    public init(id: Int64? = nil, surveyId: Int64, path: String, reason: String, failedAt: Date) {
        self.id = id
        self.surveyId = surveyId
        self.path = path
        self.reason = reason
        self.failedAt = failedAt
    }
}

/// A stored finding, linked to its frame and to the ticket it was merged into.
public struct FindingRecord: Codable, Sendable, Hashable, FetchableRecord, RowIDRecord {
    /// Table name.
    public static let databaseTableName = "finding"
    /// Database id.
    public var id: Int64?
    /// Frame it was found in.
    public var frameId: Int64
    /// Ticket it belongs to.
    public var ticketId: Int64?
    /// The finding as the detector wrote it.
    public var finding: Finding

    enum CodingKeys: String, CodingKey { case id, frameId, ticketId, finding = "json" }

    /// Creates a record.
    public init(id: Int64? = nil, frameId: Int64, ticketId: Int64?, finding: Finding) {
        self.id = id
        self.frameId = frameId
        self.ticketId = ticketId
        self.finding = finding
    }
}

/// One ticket waiting for (or done with) delivery to the external Open311 system.
public struct OutboxItem: Codable, Sendable, Hashable, Identifiable, FetchableRecord, RowIDRecord {
    /// Delivery state.
    public enum State: String, Codable, Sendable, Hashable, DatabaseValueConvertible {
        /// Not yet acknowledged by the peer.
        case pending
        /// The peer answered with a `service_request_id`.
        case sent
        /// The peer refused it with a 4xx answer; needs a person.
        case failed
    }

    /// Table name.
    public static let databaseTableName = "outbox"
    /// Database id.
    public var id: Int64?
    /// The ticket to deliver.
    public var ticketId: Int64
    /// Sent as the `Idempotency-Key` header on every attempt.
    public var idempotencyKey: String
    /// Delivery state.
    public var state: State
    /// Attempts made so far.
    public var attempts: Int
    /// Earliest time of the next attempt.
    public var nextAttemptAt: Date
    /// Last failure.
    public var lastError: String?
    /// The peer's `service_request_id`.
    public var remoteId: String?
    /// Enqueue time.
    public var createdAt: Date
    /// Delivery time.
    public var sentAt: Date?

    /// A new pending item for a dispatched ticket, due now; its idempotency key joins the database's
    /// instance id and the ticket id, so keys of two databases never collide at a shared peer.
    public static func pending(ticketId: Int64, instanceId: String, at now: Date) -> OutboxItem {
        OutboxItem(ticketId: ticketId, idempotencyKey: "pavewatch-\(instanceId)-\(ticketId)", state: .pending,
                   attempts: 0, nextAttemptAt: now, createdAt: now)
    }

    /// Records a delivery the peer acknowledged with `remoteId`.
    public mutating func markSent(remoteId: String, at now: Date) {
        state = .sent
        self.remoteId = remoteId
        sentAt = now
        attempts += 1
        lastError = nil
    }

    /// Records a failed attempt (the error cut to 1000 characters); `permanent` gives up on the item.
    public mutating func markFailedAttempt(error: String, nextAttemptAt: Date, permanent: Bool) {
        attempts += 1
        lastError = String(error.prefix(1000))
        self.nextAttemptAt = nextAttemptAt
        if permanent { state = .failed }
    }
}

extension Collection where Element == FrameRecord {
    /// The paved surface these frames surveyed, square metres (frames without a ground scale add nothing; overlaps
    /// count twice).
    public var surveyedAreaM2: Double { compactMap(\.surveyedAreaM2).reduce(0, +) }

    /// Narrowest and widest detection limit of the frames, millimetres; nil when none has one.
    public var detectionLimitRangeMm: ClosedRange<Double>? {
        let limits = compactMap(\.detectionLimitMm)
        guard let lo = limits.min(), let hi = limits.max() else { return nil }
        return lo...hi
    }
}
