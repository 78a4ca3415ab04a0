// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Logging
import PostgresNIO
import Tickets

/// The versioned schema of the PostgreSQL store. Migrations only ever append: `pg-v1` (surveys, frames,
/// findings, tickets, events, outbox, the instance id), `pg-v2` (the job table of distributed surveys),
/// `pg-v3` (frames a survey could not analyse, with the reason), `pg-v4` (users and sessions of the review pages),
/// `pg-v5` (each finding's centre and reach, so a merge reads only the sightings near its group; rows stored
/// before it get their centre from the JSON and no reach, which makes every merge near their ticket read them),
/// `pg-v6` (each ticket's and finding's extent, a `box` under a GiST index that the merge searches: see
/// `IngestPlan.extent`; findings stored before it get their centre, reach and extent from their JSON).
///
/// Rows keep each record's full JSON in `data` and copy the fields that queries filter or sort on into
/// columns (written together by one function per record in ``PostgresTicketStore``). Times in columns are
/// seconds since 2001-01-01 (Foundation's reference date), as in the JSON, so they round-trip exactly.
/// Migrations run in one transaction under an advisory lock, so workers that start together migrate once.
public enum PostgresSchema {
    /// Every migration identifier, oldest first.
    public static let versions = ["pg-v1", "pg-v2", "pg-v3", "pg-v4", "pg-v5", "pg-v6"]

    /// Advisory lock key held while migrating ("pavewatch" in ASCII, truncated).
    static let migrationLock: Int64 = 0x7061_7665_7761_7401

    static let statements: [String: [PostgresQuery]] = [
        "pg-v1": [
            "CREATE TABLE pw_meta (key text PRIMARY KEY, value text NOT NULL)",
            "INSERT INTO pw_meta (key, value) VALUES ('instanceId', md5(random()::text || clock_timestamp()::text))",
            """
            CREATE TABLE survey (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE,
                                 started_at double precision NOT NULL, folder text)
            """,
            """
            CREATE TABLE frame (id bigserial PRIMARY KEY, survey_id bigint NOT NULL REFERENCES survey ON DELETE CASCADE,
                                content_hash text NOT NULL UNIQUE, data jsonb NOT NULL)
            """,
            """
            CREATE TABLE ticket (id bigserial PRIMARY KEY, class text NOT NULL, status text NOT NULL,
                                 priority double precision NOT NULL, latitude double precision,
                                 longitude double precision, reach double precision NOT NULL,
                                 created_at double precision NOT NULL, external_key text UNIQUE, data jsonb NOT NULL)
            """,
            "CREATE INDEX ticket_position ON ticket (class, latitude, longitude)",
            "CREATE INDEX ticket_status ON ticket (status)",
            """
            CREATE TABLE finding (id bigserial PRIMARY KEY, frame_id bigint NOT NULL REFERENCES frame ON DELETE CASCADE,
                                  ticket_id bigint REFERENCES ticket ON DELETE SET NULL, data jsonb NOT NULL)
            """,
            "CREATE INDEX finding_ticket ON finding (ticket_id)",
            """
            CREATE TABLE ticket_event (id bigserial PRIMARY KEY,
                                       ticket_id bigint NOT NULL REFERENCES ticket ON DELETE CASCADE, data jsonb NOT NULL)
            """,
            "CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id)",
            """
            CREATE TABLE outbox (id bigserial PRIMARY KEY, ticket_id bigint NOT NULL UNIQUE REFERENCES ticket ON DELETE CASCADE,
                                 state text NOT NULL, next_attempt_at double precision NOT NULL, data jsonb NOT NULL)
            """,
            "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
        ],
        "pg-v2": [
            """
            CREATE TABLE job (id bigserial PRIMARY KEY, survey_id bigint NOT NULL REFERENCES survey ON DELETE CASCADE,
                              path text NOT NULL, state text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0,
                              worker text, lease_until timestamptz, last_error text, finished_at timestamptz,
                              UNIQUE (survey_id, path))
            """,
            "CREATE INDEX job_claim ON job (state, id)",
        ],
        "pg-v3": [
            """
            CREATE TABLE frame_failure (id bigserial PRIMARY KEY, survey_id bigint NOT NULL REFERENCES survey ON DELETE CASCADE,
                                        path text NOT NULL, reason text NOT NULL, failed_at double precision NOT NULL,
                                        UNIQUE (survey_id, path))
            """,
        ],
        "pg-v4": [
            """
            CREATE TABLE review_user (name text PRIMARY KEY, role text NOT NULL, password_hash text NOT NULL,
                                      created_at double precision NOT NULL)
            """,
            """
            CREATE TABLE review_session (token_hash text PRIMARY KEY,
                                         user_name text NOT NULL REFERENCES review_user ON DELETE CASCADE,
                                         csrf_token text NOT NULL, expires_at double precision NOT NULL)
            """,
            "CREATE INDEX review_session_expiry ON review_session (expires_at)",
        ],
        "pg-v5": [
            """
            ALTER TABLE finding ADD COLUMN latitude double precision, ADD COLUMN longitude double precision,
                                ADD COLUMN reach double precision
            """,
            """
            UPDATE finding SET latitude = (data->>'latitude')::double precision,
                               longitude = (data->>'longitude')::double precision
            """,
        ],
        "pg-v6": [
            "ALTER TABLE ticket ADD COLUMN extent box",
            "ALTER TABLE finding ADD COLUMN extent box",
            // IngestPlan.extent(around:metres:) in SQL as it was when this migration shipped: the square reaching
            // `reach` metres, 1 % wider. 111320 is that version's metres per degree, frozen like the backfill's
            // `Schema.frozenPosition` (a migration never changes); today's Swift takes them from
            // `WGS84.metresPerDegree(latitude:)` (Geodesy) through `IngestPlan.degreesPerMetre(farthestLatitude:)`.
            // Either square holds every point within `reach`.
            """
            UPDATE ticket SET extent = box(point(longitude - d.lon, latitude - d.lat), point(longitude + d.lon, latitude + d.lat))
            FROM (SELECT id, greatest(reach, 0) * 1.01 / (111320 * 0.99) AS lat,
                         greatest(reach, 0) * 1.01 / (111320 * 0.99)
                         / greatest(cos(radians(least(abs(latitude) + greatest(reach, 0) * 1.01 / (111320 * 0.99), 89.9))), 1e-6) AS lon
                  FROM ticket WHERE latitude IS NOT NULL AND longitude IS NOT NULL) AS d
            WHERE ticket.id = d.id
            """,
            "CREATE INDEX ticket_extent ON ticket USING gist (extent)",
            "CREATE INDEX finding_extent ON finding USING gist (extent)",
        ],
    ]

    /// Work of a migration that SQL alone cannot do, run after its statements.
    static let backfills: [String: @Sendable (PostgresConnection, Logger) async throws -> Void] = [
        "pg-v6": { c, logger in
            // Every finding's centre, reach and extent from its JSON (rows of pg-v5 had no reach), computed as this
            // migration shipped (Schema.frozenPosition, the same as SQLite's v5 / v6), not with today's merging code.
            var rows: [(Int64, String)] = []
            for try await row in try await c.query("SELECT id, data::text FROM finding", logger: logger)
                .decode((Int64, String).self) {
                rows.append(row)
            }
            for (id, text) in rows {
                let p = try Schema.frozenPosition(ofFindingJSON: text), e = p?.extent
                try await c.query("""
                    UPDATE finding SET latitude = \(p?.latitude), longitude = \(p?.longitude), reach = \(p?.reachM),
                           extent = box(point(\(e?.minLongitude), \(e?.minLatitude)), point(\(e?.maxLongitude), \(e?.maxLatitude)))
                    WHERE id = \(id)
                    """, logger: logger)
            }
        },
    ]

    /// Applies the missing migrations, up to and including `last` (default: all).
    /// - Throws: postgres-nio errors (the caller names the database).
    static func migrate(_ connection: PostgresConnection, logger: Logger, upTo last: String? = nil) async throws {
        let wanted = last.flatMap { v in versions.firstIndex(of: v).map { Array(versions[...$0]) } } ?? versions
        try await PostgresTicketStore.transaction(connection, logger: logger) { c in
            try await c.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS pw_migration (version text PRIMARY KEY,
                                                         applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied: Set<String> = []
            for try await v in try await c.query("SELECT version FROM pw_migration", logger: logger).decode(String.self) {
                applied.insert(v)
            }
            for version in wanted where !applied.contains(version) {
                for statement in statements[version] ?? [] { try await c.query(statement, logger: logger) }
                try await backfills[version]?(c, logger)
                try await c.query("INSERT INTO pw_migration (version) VALUES (\(version))", logger: logger)
                logger.info("migrated", metadata: ["db.migration": "\(version)"])
            }
        }
    }
}
#endif
