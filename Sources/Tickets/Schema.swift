import Findings
import Foundation
import GRDB

/// The versioned schema of the ticket database.
///
/// Migrations only ever append: `v1` (surveys, frames, findings, tickets, events), `v2` (outbox, the
/// database's instance id for idempotency keys, Open311 and forwarding columns on tickets), `v3` (each
/// ticket's reach: outline and merged findings, which bounds the merge's candidate search), `review-v1` (review-page users and
/// sessions, see `SQLiteTicketStore+Review.swift`), `v4` (frame failures), `v5` (each finding's centre and reach),
/// `v6` (R*Tree indexes of ticket and finding extents, which the merge searches), `v7-frame-surface` (each frame's
/// surveyed surface), `v8-work-orders` (each ticket's bounds, which ``WorkOrderLimits`` bound).
///
/// A migration never calls the app's types (records, merging, geometry): they change, a migration must not. Each
/// one is SQL, and the data migrations read rows and compute with a private frozen copy of what they need
/// (``Frozen``), as it was when the migration shipped.
public enum Schema {
    /// Every migration identifier, oldest first.
    public static let versions = ["v1", "v2", "v3", "review-v1", "v4", "v5", "v6", "v7-frame-surface", "v8-work-orders"]

    /// The migrator with every migration.
    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "survey") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("startedAt", .datetime).notNull()
            }
            try db.create(table: "frame") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("survey", onDelete: .cascade).notNull()
                t.column("path", .text).notNull()
                t.column("contentHash", .text).notNull().unique()
                t.column("width", .integer).notNull()
                t.column("height", .integer).notNull()
                t.column("latitude", .double)
                t.column("longitude", .double)
                t.column("altitudeM", .double)
                t.column("gsdCmPerPx", .double)
                t.column("footprint", .text)
                t.column("capturedAt", .text)
            }
            try db.create(table: "ticket") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("class", .text).notNull().indexed()
                t.column("subtype", .text)
                t.column("status", .text).notNull().indexed()
                t.column("severity", .text).notNull()
                t.column("priority", .double).notNull()
                t.column("latitude", .double)
                t.column("longitude", .double)
                t.column("uncertaintyM", .double)
                t.column("lengthM", .double)
                t.column("widthMm", .double)
                t.column("areaM2", .double)
                t.column("firstLengthM", .double)
                t.column("firstWidthMm", .double)
                t.column("firstAreaM2", .double)
                t.column("confidence", .double).notNull()
                t.column("sightings", .integer).notNull()
                t.column("surveyCount", .integer).notNull()
                t.column("firstSeen", .datetime).notNull()
                t.column("lastSeen", .datetime).notNull()
                t.column("firstSurveyId", .integer).references("survey", onDelete: .setNull)
                t.column("lastSurveyId", .integer).references("survey", onDelete: .setNull)
                t.column("source", .text).notNull()
                t.column("details", .text)
                t.column("mediaUrl", .text)
                t.column("address", .text)
                t.column("attributes", .text)
                t.column("geoOutline", .text)
                t.column("zone", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "ticket_position", on: "ticket", columns: ["latitude", "longitude"])
            try db.create(table: "finding") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("frame", onDelete: .cascade).notNull()
                t.belongsTo("ticket", onDelete: .setNull)
                t.column("json", .text).notNull()
            }
            try db.create(table: "ticketEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("ticket", onDelete: .cascade).notNull()
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("fromStatus", .text)
                t.column("toStatus", .text)
                t.column("note", .text)
            }
        }
        m.registerMigration("v2") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('instanceId', lower(hex(randomblob(16))))")
            try db.alter(table: "ticket") { t in
                t.add(column: "externalKey", .text)
                t.add(column: "remoteId", .text)
                t.add(column: "remoteStatus", .text)
            }
            try db.create(index: "ticket_externalKey", on: "ticket", columns: ["externalKey"], unique: true)
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("ticket", onDelete: .cascade).notNull().unique()
                t.column("idempotencyKey", .text).notNull().unique()
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("nextAttemptAt", .datetime).notNull()
                t.column("lastError", .text)
                t.column("remoteId", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("sentAt", .datetime)
            }
            try db.create(index: "outbox_due", on: "outbox", columns: ["state", "nextAttemptAt"])
        }
        m.registerMigration("v3") { db in
            try db.alter(table: "ticket") { t in
                t.add(column: "radiusM", .double).notNull().defaults(to: 0)
            }
            for t in try Frozen.locatedTickets(db) {
                let members = try Frozen.findings(db, ticketId: t.id)
                let radius = Frozen.reach(from: t.center, points: t.outline, findings: members)
                try db.execute(sql: "UPDATE ticket SET radiusM = ? WHERE id = ?", arguments: [radius, t.id])
            }
        }
        ReviewSchema.register(in: &m)
        m.registerMigration("v4") { db in
            // Frames a survey could not analyse, with the reason (the survey page lists them).
            try db.create(table: "frameFailure") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("surveyId", .integer).notNull().references("survey", onDelete: .cascade)
                t.column("path", .text).notNull()
                t.column("reason", .text).notNull()
                t.column("failedAt", .datetime).notNull()
                t.uniqueKey(["surveyId", "path"])
            }
        }
        m.registerMigration("v5") { db in
            // Each finding's centre and reach, so a merge reads only the sightings near a group
            // (IngestPlan.MemberBox); filled in for the findings already stored.
            try db.alter(table: "finding") { t in
                t.add(column: "latitude", .double)
                t.add(column: "longitude", .double)
                t.add(column: "reach", .double)
            }
            for (id, p) in try Frozen.findingPositions(db) {
                try db.execute(sql: "UPDATE finding SET latitude = ?, longitude = ?, reach = ? WHERE id = ?",
                               arguments: [p.center.latitude, p.center.longitude, p.reach, id])
            }
        }
        m.registerMigration("v6") { db in
            // The extents of tickets and findings (IngestPlan.extent) in R*Tree indexes, so a merge reads only the
            // tickets and sightings that can reach its group; filled in for the rows already stored.
            for table in ["ticketExtent", "findingExtent"] {
                try db.execute(sql: "CREATE VIRTUAL TABLE \(table) USING rtree(id, minLatitude, maxLatitude, minLongitude, maxLongitude)")
            }
            // A ticket reaches its uncertainty plus its radius (v3), a finding its reach (v5).
            let tickets = try Row.fetchAll(db, sql: """
                SELECT id, latitude, longitude, coalesce(uncertaintyM, 0) + radiusM AS reach FROM ticket
                WHERE latitude IS NOT NULL AND longitude IS NOT NULL
                """).map { row in (row["id"] as Int64, Frozen.Point(latitude: row["latitude"], longitude: row["longitude"]),
                                   row["reach"] as Double) }
            let findings = try Frozen.findingPositions(db).map { ($0.id, $0.position.center, $0.position.reach) }
            for (table, rows) in [("ticketExtent", tickets), ("findingExtent", findings)] {
                for (id, center, reach) in rows {
                    let e = Frozen.extent(around: center, metres: reach)
                    try db.execute(sql: "INSERT OR REPLACE INTO \(table) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [id, e.minLatitude, e.maxLatitude, e.minLongitude, e.maxLongitude])
                }
            }
        }
        m.registerMigration("v7-frame-surface") { db in
            // What each frame surveyed: its paved share and area, and its detection limit (the condition index
            // divides distress by surveyed area). Frames stored before stay unknown (NULL).
            try db.alter(table: "frame") { t in
                t.add(column: "surfaceFraction", .double)
                t.add(column: "surveyedAreaM2", .double)
                t.add(column: "detectionLimitMm", .double)
            }
        }
        m.registerMigration("v8-work-orders") { db in
            // The box of every shape merged into a ticket (Ticket.bounds), filled in from the stored sightings.
            // Tickets stored before keep their size: work-order limits apply to what merges into them from now on.
            try db.alter(table: "ticket") { t in
                t.add(column: "bounds", .text)
            }
            for t in try Frozen.locatedTickets(db) {
                var box = Frozen.Extent.around([t.center] + t.outline)
                for f in try Frozen.findings(db, ticketId: t.id) {
                    guard let center = f.center else { continue }
                    box = box.union(.around([center] + f.outline))
                }
                try db.execute(sql: "UPDATE ticket SET bounds = ? WHERE id = ?", arguments: [try box.json(), t.id])
            }
        }
        return m
    }
}

extension Schema {
    /// A stored finding's centre, reach and extent as the finding-position migrations of both stores compute them
    /// (SQLite `v5` / `v6`, PostgreSQL `pg-v6`): frozen with them, never today's merging code.
    /// - Parameter json: the finding as stored.
    /// - Returns: `nil` for a finding without a location or outline.
    /// - Throws: `DecodingError` when the JSON is not a finding.
    public static func frozenPosition(ofFindingJSON json: String) throws
        -> (latitude: Double, longitude: Double, reachM: Double, extent: IngestPlan.Extent)?
    {
        try Frozen.position(json).map { p in
            let e = Frozen.extent(around: p.center, metres: p.reach)
            return (p.center.latitude, p.center.longitude, p.reach,
                    IngestPlan.Extent(minLatitude: e.minLatitude, maxLatitude: e.maxLatitude,
                                      minLongitude: e.minLongitude, maxLongitude: e.maxLongitude))
        }
    }
}

/// What the data migrations decode and compute, frozen as it was when they shipped (v3 to v8): the stored JSON of
/// findings and outlines, a finding's centre, reaches on a local plane, extents and bounds. Never change it to follow
/// the app's types: a database migrated last year and one migrated today must hold the same rows.
private enum Frozen {
    /// A GeoJSON position `[longitude, latitude, …]`.
    struct Point: Decodable {
        var latitude: Double, longitude: Double

        init(latitude: Double, longitude: Double) {
            self.latitude = latitude
            self.longitude = longitude
        }

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            longitude = try c.decode(Double.self)
            latitude = try c.decode(Double.self)
        }
    }

    /// The points of a stored outline: a `Polygon`'s outer ring or a `LineString`.
    struct Outline: Decodable {
        var points: [Point]
        private enum Keys: String, CodingKey { case type, coordinates }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            points = try c.decode(String.self, forKey: .type) == "Polygon"
                ? try c.decode([[Point]].self, forKey: .coordinates).first ?? []
                : try c.decode([Point].self, forKey: .coordinates)
        }
    }

    /// The fields of a stored finding's JSON that the migrations read.
    struct Finding: Decodable {
        var latitude: Double?, longitude: Double?, uncertaintyM: Double?
        var geoOutline: Outline?

        var outline: [Point] { geoOutline?.points ?? [] }

        /// Its position, else its outline's centroid.
        var center: Point? {
            if let latitude, let longitude { return Point(latitude: latitude, longitude: longitude) }
            guard !outline.isEmpty else { return nil }
            let n = Double(outline.count)
            return Point(latitude: outline.map(\.latitude).reduce(0, +) / n,
                         longitude: outline.map(\.longitude).reduce(0, +) / n)
        }
    }

    /// A ticket with a position: its id, position and outline points.
    struct Located {
        var id: Int64, center: Point, outline: [Point]
    }

    static func finding(_ json: String) throws -> Finding {
        try JSONDecoder().decode(Finding.self, from: Data(json.utf8))
    }

    /// A stored finding's centre and reach (its own points and uncertainty); `nil` without a centre.
    static func position(_ json: String) throws -> (center: Point, reach: Double)? {
        let f = try finding(json)
        return f.center.map { ($0, reach(from: $0, points: [], findings: [f])) }
    }

    /// Each stored finding's centre and reach, by finding id; none without a centre.
    static func findingPositions(_ db: Database) throws -> [(id: Int64, position: (center: Point, reach: Double))] {
        try Row.fetchAll(db, sql: "SELECT id, json FROM finding").compactMap { row in
            try position(row["json"]).map { (row["id"], $0) }
        }
    }

    static func findings(_ db: Database, ticketId: Int64) throws -> [Finding] {
        try String.fetchAll(db, sql: "SELECT json FROM finding WHERE ticketId = ?", arguments: [ticketId]).map(finding)
    }

    static func locatedTickets(_ db: Database) throws -> [Located] {
        try Row.fetchAll(db, sql: """
            SELECT id, latitude, longitude, geoOutline FROM ticket WHERE latitude IS NOT NULL AND longitude IS NOT NULL
            """).map { row in
            let outline = try (row["geoOutline"] as String?).map { try JSONDecoder().decode(Outline.self, from: Data($0.utf8)) }
            return Located(id: row["id"], center: Point(latitude: row["latitude"], longitude: row["longitude"]),
                           outline: outline?.points ?? [])
        }
    }

    /// Metres from `center` to the farthest of `points` and of each finding's position and outline points plus its
    /// uncertainty, on the plane of the WGS84 radii of curvature at `center`.
    static func reach(from center: Point, points: [Point], findings: [Finding]) -> Double {
        let (a, e2) = (6_378_137.0, 6.694_379_990_14e-3)
        let s = sin(center.latitude * .pi / 180)
        let w = (1 - e2 * s * s).squareRoot()
        let perDegree = SIMD2(a / w * cos(center.latitude * .pi / 180), a * (1 - e2) / (w * w * w)) * .pi / 180
        func distance(_ p: Point) -> Double {
            let v = SIMD2(p.longitude - center.longitude, p.latitude - center.latitude) * perDegree
            return (v * v).sum().squareRoot()
        }
        var r = points.map(distance).max() ?? 0
        for f in findings {
            let located = f.latitude.flatMap { lat in f.longitude.map { Point(latitude: lat, longitude: $0) } }
            if let d = ((located.map { [$0] } ?? []) + f.outline).map(distance).max() {
                r = max(r, d + max(0, f.uncertaintyM ?? 0))
            }
        }
        return r
    }

    /// A box in degrees, coded as the `bounds` column holds it.
    struct Extent: Encodable {
        var minLatitude, maxLatitude, minLongitude, maxLongitude: Double

        /// The box of some points (at least one).
        static func around(_ points: [Point]) -> Extent {
            Extent(minLatitude: points.map(\.latitude).min()!, maxLatitude: points.map(\.latitude).max()!,
                   minLongitude: points.map(\.longitude).min()!, maxLongitude: points.map(\.longitude).max()!)
        }

        func union(_ o: Extent) -> Extent {
            Extent(minLatitude: min(minLatitude, o.minLatitude), maxLatitude: max(maxLatitude, o.maxLatitude),
                   minLongitude: min(minLongitude, o.minLongitude), maxLongitude: max(maxLongitude, o.maxLongitude))
        }

        /// JSON as GRDB wrote a record's nested value (sorted keys).
        func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    /// The square reaching `metres` around a point, 1 % wider, at 111,320 m per degree with 1 % of slack.
    static func extent(around p: Point, metres: Double) -> Extent {
        let (latitude, longitude) = (p.latitude, p.longitude)
        let latitudePerMetre = 1.01 / (111_320.0 * 0.99)
        let dLat = max(0, metres) * latitudePerMetre
        let dLon = max(0, metres) * latitudePerMetre / max(cos(min(abs(latitude) + dLat, 89.9) * .pi / 180), 1e-6)
        return Extent(minLatitude: latitude - dLat, maxLatitude: latitude + dLat,
                      minLongitude: longitude - dLon, maxLongitude: longitude + dLon)
    }
}
