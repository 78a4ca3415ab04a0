// Compiled only with the Postgres package trait (see Package.swift).
#if Postgres
import Synchronization
import Tickets

/// Decoded tickets by id together with the JSON they were decoded from: a merge reads the same candidate tickets
/// (long ones with large outlines) again and again, and comparing the text is far cheaper than decoding it. A row
/// whose text changed, whoever changed it, is decoded again. Bounded: when full it starts again empty.
final class TicketDecodeCache: Sendable {
    private let entries = Mutex<[Int64: (text: String, ticket: Ticket)]>([:])
    let capacity: Int

    init(capacity: Int = 16_384) {
        self.capacity = max(1, capacity)
    }

    /// The ticket stored as `text` under `id`, decoded once per text.
    func ticket(id: Int64, text: String) throws -> Ticket {
        if let hit = entries.withLock({ $0[id] }), hit.text == text { return hit.ticket }
        var t = try PostgresTicketStore.decode(Ticket.self, text)
        t.id = id
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[id] = (text, t)
        }
        return t
    }
}
#endif
