import ArgumentParser
import Foundation
import Tickets

/// `--db PATH` (or `PAVEWATCH_DB`), default `./pavewatch.sqlite`, shared by the ticket commands.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Ticket database file (default: $PAVEWATCH_DB, else ./pavewatch.sqlite).")
    var db: String?

    @Option(name: .long, help: "Zone weights YAML for the priority score.")
    var zones: String?

    /// The database path after the environment fallback.
    var path: String {
        db ?? ProcessInfo.processInfo.environment["PAVEWATCH_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "./pavewatch.sqlite"
    }

    /// Opens and migrates the store.
    func open() throws -> SQLiteTicketStore {
        let p = path
        if p.hasPrefix("postgres://") || p.hasPrefix("postgresql://") {
            throw ValidationError("the PostgreSQL backend is not built yet; use a SQLite file path")
        }
        var model = PriorityModel()
        if let zones { model.zones = try ZoneWeights.load(path: zones) }
        return try SQLiteTicketStore(path: p, model: model)
    }
}
