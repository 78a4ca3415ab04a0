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
            for var t in try Ticket.filter(Column("latitude") != nil && Column("longitude") != nil).fetchAll(db) {
                let members = try FindingRecord.filter(Column("ticketId") == t.id).fetchAll(db).map(\.finding)
                t.radiusM = Ticket.reach(from: t.location!, outline: t.geoOutline, findings: members)
                try t.update(db, columns: ["radiusM"])
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
            for record in try FindingRecord.fetchAll(db) {
                try SQLiteTicketStore.storePosition(db, of: record.finding, id: record.id!)
            }
        }
        m.registerMigration("v6") { db in
            // The extents of tickets and findings (IngestPlan.extent) in R*Tree indexes, so a merge reads only the
            // tickets and sightings that can reach its group; filled in for the rows already stored.
            for table in ["ticketExtent", "findingExtent"] {
                try db.execute(sql: "CREATE VIRTUAL TABLE \(table) USING rtree(id, minLatitude, maxLatitude, minLongitude, maxLongitude)")
            }
            for t in try Ticket.fetchAll(db) { try SQLiteTicketStore.storeExtent(db, of: t) }
            for record in try FindingRecord.fetchAll(db) {
                try SQLiteTicketStore.storeExtent(db, of: record.finding, id: record.id!)
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
            for var t in try Ticket.filter(Column("latitude") != nil && Column("longitude") != nil).fetchAll(db) {
                let members = try FindingRecord.filter(Column("ticketId") == t.id).fetchAll(db).map(\.finding)
                t.bounds = IngestPlan.union(IngestPlan.bounds(of: t), IngestPlan.bounds(of: members))
                try t.update(db, columns: ["bounds"])
            }
        }
        return m
    }
}
