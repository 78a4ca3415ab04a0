import Findings
import Foundation
import GRDB
import Geodesy

/// A maintenance ticket: one physical defect, merged over all the frames and surveys that saw it, or one
/// Open311 service request created through the API. Both kinds live in the same table.
public struct Ticket: Codable, Sendable, Hashable, Identifiable {
    /// Database id; `nil` before insertion. Also the Open311 `service_request_id`.
    public var id: Int64?
    /// Crack or leak (the Open311 `service_code`).
    public var defectClass: DefectClass
    /// Crack subtype of the most confident sighting.
    public var subtype: String?
    /// Life-cycle status.
    public var status: TicketStatus
    /// Severity of the current measurements.
    public var severity: Severity
    /// Priority score 0...100 × zone weight (see ``PriorityModel``).
    public var priority: Double
    /// Position in degrees; `nil` for findings without location.
    public var latitude: Double?
    /// Position in degrees.
    public var longitude: Double?
    /// Location uncertainty in metres.
    public var uncertaintyM: Double?
    /// Current crack length in metres.
    public var lengthM: Double?
    /// Current crack width in millimetres.
    public var widthMm: Double?
    /// Current area in square metres.
    public var areaM2: Double?
    /// Length when first seen.
    public var firstLengthM: Double?
    /// Width when first seen.
    public var firstWidthMm: Double?
    /// Area when first seen.
    public var firstAreaM2: Double?
    /// Highest detector confidence of any sighting (1 for API requests).
    public var confidence: Double
    /// Number of findings (frame sightings) merged into the ticket.
    public var sightings: Int
    /// Number of distinct surveys that saw it.
    public var surveyCount: Int
    /// First and last time it was seen.
    public var firstSeen: Date
    /// Last time a survey or request saw it.
    public var lastSeen: Date
    /// The survey that first saw it.
    public var firstSurveyId: Int64?
    /// The survey that last saw it.
    public var lastSurveyId: Int64?
    /// `survey` or `open311`.
    public var source: String
    /// Free text (Open311 `description`).
    public var details: String?
    /// Open311 `media_url`.
    public var mediaUrl: String?
    /// Open311 `address_string`.
    public var address: String?
    /// Open311 `attribute[...]` values as a JSON object.
    public var attributes: [String: String]?
    /// Ground outline of the largest sighting.
    public var geoOutline: GeoOutline?
    /// How far the ticket reaches beyond its position, in metres: the farthest point of its outline, or of a
    /// merged finding plus that finding's uncertainty. Bounds the merge's candidate search.
    public var radiusM: Double = 0
    /// The latitude/longitude box of every shape merged into the ticket (outlines and centres, without their
    /// uncertainty): what ``WorkOrderLimits`` bounds. `nil` for tickets stored before it was kept (PostgreSQL rows
    /// from before; SQLite fills it in migration `v8-work-orders`): then the ticket's own outline stands for it.
    public var bounds: IngestPlan.Extent?
    /// Name of the priority zone the ticket lies in, if any.
    public var zone: String?
    /// Idempotency key of the API request that created it (unique).
    public var externalKey: String?
    /// `service_request_id` at the external Open311 system after forwarding.
    public var remoteId: String?
    /// Last status reported by the external system.
    public var remoteStatus: String?
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates a ticket with the given fields; measurements default to absent.
    public init(id: Int64? = nil, defectClass: DefectClass, subtype: String? = nil, status: TicketStatus = .new,
                latitude: Double? = nil, longitude: Double? = nil, uncertaintyM: Double? = nil,
                confidence: Double = 1, source: String, at date: Date) {
        self.id = id
        self.defectClass = defectClass
        self.subtype = subtype
        self.status = status
        self.severity = .unknown
        self.priority = 0
        self.latitude = latitude
        self.longitude = longitude
        self.uncertaintyM = uncertaintyM
        self.confidence = confidence
        self.sightings = 0
        self.surveyCount = 0
        self.firstSeen = date
        self.lastSeen = date
        self.source = source
        self.createdAt = date
        self.updatedAt = date
    }

    /// The ticket's position, when it has one.
    public var location: GeoPoint? {
        guard let latitude, let longitude else { return nil }
        return GeoPoint(latitude: latitude, longitude: longitude)
    }

    /// How far matching can reach from `center`: the largest distance in metres to a point of `outline`,
    /// or to a position or outline point of `findings` plus that finding's uncertainty.
    static func reach(from center: GeoPoint, outline: GeoOutline?, findings: [Finding]) -> Double {
        let plane = LocalPlane(origin: center)
        func distance(_ p: GeoPoint) -> Double {
            let v = plane.project(p)
            return (v * v).sum().squareRoot()
        }
        var r = outline?.points.map(distance).max() ?? 0
        for f in findings {
            let points = (f.location.map { [$0] } ?? []) + (f.geoOutline?.points ?? [])
            if let d = points.map(distance).max() { r = max(r, d + max(0, f.uncertaintyM ?? 0)) }
        }
        return r
    }

    /// Relative growth of the defining measurement (crack width, else length; leak area) since first seen,
    /// 0 when unknown or shrinking.
    public var growth: Double {
        func rel(_ now: Double?, _ first: Double?) -> Double? {
            guard let now, let first, first > 0 else { return nil }
            return max(0, (now - first) / first)
        }
        switch defectClass {
        case .crack: return rel(widthMm, firstWidthMm) ?? rel(lengthM, firstLengthM) ?? 0
        case .leak: return rel(areaM2, firstAreaM2) ?? 0
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, defectClass = "class", subtype, status, severity, priority, latitude, longitude, uncertaintyM
        case lengthM, widthMm, areaM2, firstLengthM, firstWidthMm, firstAreaM2, confidence, sightings
        case surveyCount, firstSeen, lastSeen, firstSurveyId, lastSurveyId, source, details, mediaUrl, address
        case attributes, geoOutline, radiusM, bounds, zone, externalKey, remoteId, remoteStatus, createdAt, updatedAt
    }
}

extension Ticket: FetchableRecord, RowIDRecord {
    /// Table name.
    public static let databaseTableName = "ticket"
}
