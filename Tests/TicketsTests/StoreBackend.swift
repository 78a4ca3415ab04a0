import Logging
import Testing
import PostgresStore
import TestSupport
import Tickets

/// The ticket store backends that every store test runs against: SQLite in memory, and a fresh database
/// in the tests' own PostgreSQL cluster (see ``TemporaryPostgres``).
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty, migrated store.
    func store(model: PriorityModel = PriorityModel()) async throws -> any TicketStore { try await reviewStore(model: model) }

    /// A new, empty, migrated store with the review pages' part.
    func reviewStore(model: PriorityModel = PriorityModel()) async throws -> any ReviewStore {
        switch self {
        case .sqlite:
            return try SQLiteTicketStore.inMemory(model: model)
        case .postgres:
            let url = try await TemporaryPostgres.shared().createDatabase()
            // 60 s to connect and migrate: dozens of tests create their databases at once, and on a loaded 2-core
            // machine the default 20 s was missed now and then.
            return try await PostgresTicketStore(location: try PostgresLocation(url: url), model: model, timeout: .seconds(60),
                                                 logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
    }
}
