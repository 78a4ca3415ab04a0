import ArgumentParser
import Foundation
import Logging
#if Postgres
import PostgresStore
#endif
import Tickets

/// `--db PATH|URL` (or `PAVEWATCH_DB`), default `./pavewatch.sqlite`, shared by the ticket commands.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Ticket database: a SQLite file, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: $PAVEWATCH_DB, else ./pavewatch.sqlite).")
    var db: String?

    @Option(name: .long, help: "Zone weights YAML for the priority score.")
    var zones: String?

    @Option(name: .long, help: ArgumentHelp("Longest crack ticket, metres of crack: a longer crack or chain is split along the crack into work orders.", valueName: "M"))
    var ticketExtent: Double = WorkOrderLimits().crackExtentM

    @Option(name: .long, help: ArgumentHelp("Largest area-defect ticket (leaks, alligator and block cracking), square metres.", valueName: "M2"))
    var ticketArea: Double = WorkOrderLimits().areaM2

    /// The database path or URL after the environment fallback.
    var path: String {
        db ?? ProcessInfo.processInfo.environment["PAVEWATCH_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "./pavewatch.sqlite"
    }

    /// Whether the database is a PostgreSQL server.
    var isPostgres: Bool {
        #if Postgres
        PostgresLocation.isURL(path)
        #else
        // PostgresLocation.isURL's test: a build without the store still names a PostgreSQL URL for what it is.
        path.hasPrefix("postgres://") || path.hasPrefix("postgresql://")
        #endif
    }

    /// What a command that needs PostgreSQL throws in a build without the `Postgres` package trait.
    static let postgreSQLLeftOut = CommandFailure(
        "this pavewatch was built without PostgreSQL (the Postgres package trait was off): --db postgres://..., "
        + "survey --enqueue, survey status and worker need a build with it (swift build with the default traits)")

    func validate() throws {
        guard ticketExtent > 0, ticketArea > 0 else { throw ValidationError("--ticket-extent and --ticket-area must be > 0") }
    }

    func priorityModel() throws -> PriorityModel {
        var model = PriorityModel(workOrder: WorkOrderLimits(crackExtentM: ticketExtent, areaM2: ticketArea))
        if let zones { model.zones = try ZoneWeights.load(path: zones) }
        return model
    }

    /// Opens and migrates the SQLite store.
    func open() throws -> SQLiteTicketStore {
        if isPostgres {
            throw ValidationError("this command works on a SQLite database only so far; give --db a file path")
        }
        do {
            return try SQLiteTicketStore(path: path, model: try priorityModel())
        } catch let e as TicketError where "\(e)".contains("database is locked") {
            // SQLite waited its busy timeout (10 s); say who holds the file.
            let holders = FileHolders.describe(path)
            throw CommandFailure("\(path): the database stayed locked by another process for 10 s"
                                 + (holders.isEmpty ? "" : " (held open by " + holders.joined(separator: ", ") + ")")
                                 + "; wait for it to finish or stop it, then run the command again")
        }
    }

    /// Opens either backend.
    /// - Parameters:
    ///   - connections: PostgreSQL pool size.
    ///   - logger: the command's logger (``LoggingOptions``), for the PostgreSQL client.
    func openStore(connections: Int = 4, logger: Logger) async throws -> any TicketStore {
        isPostgres ? try await openPostgres(connections: connections, logger: logger) : try open()
    }

    /// Opens either backend with the review pages' users, sessions and merging.
    /// - Parameters:
    ///   - connections: PostgreSQL pool size.
    ///   - logger: the command's logger (``LoggingOptions``), for the PostgreSQL client.
    func openReviewStore(connections: Int = 8, logger: Logger) async throws -> any ReviewStore {
        isPostgres ? try await openPostgres(connections: connections, logger: logger) : try open()
    }

    #if Postgres
    /// Opens the PostgreSQL store.
    /// - Parameters:
    ///   - connections: PostgreSQL pool size.
    ///   - logger: the command's logger (``LoggingOptions``), for the PostgreSQL client.
    func openPostgres(connections: Int = 4, logger: Logger) async throws -> PostgresTicketStore {
        guard isPostgres else {
            throw ValidationError("this needs a PostgreSQL database: --db postgres://USER@HOST/DATABASE (or PAVEWATCH_DB)")
        }
        return try await PostgresTicketStore(location: try PostgresLocation(url: path), model: try priorityModel(),
                                             maximumConnections: connections, logger: logger)
    }
    #else
    /// Throws ``postgreSQLLeftOut``: this build has no PostgreSQL store.
    func openPostgres(connections: Int = 4, logger: Logger) async throws -> any ReviewStore {
        throw Self.postgreSQLLeftOut
    }
    #endif
}
