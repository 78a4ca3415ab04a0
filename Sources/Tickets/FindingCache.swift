import Findings
import Synchronization

/// Decoded findings by database id, kept by a store for its merges: a stored finding never changes (only the
/// ticket it belongs to, which is read from its row each time), so a merge that meets a sighting again uses the
/// decoded value instead of parsing its JSON (large area outlines) once more. Findings are put in as they are
/// stored, so a survey's merges rarely decode any. Bounded: when full it starts again empty. A store empties it
/// when an ingest fails: the ids of a rolled-back transaction may be given to other findings.
public final class FindingCache: Sendable {
    private let entries = Mutex<[Int64: Finding]>([:])
    /// Most findings kept.
    public let capacity: Int

    /// An empty cache of at most `capacity` findings.
    public init(capacity: Int = 65_536) {
        self.capacity = max(1, capacity)
    }

    /// The finding stored under `id`, if cached.
    public func finding(_ id: Int64) -> Finding? {
        entries.withLock { $0[id] }
    }

    /// Forgets every finding.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// Keeps `finding` as the one stored under `id`.
    public func keep(_ finding: Finding, id: Int64) {
        entries.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[id] = finding
        }
    }
}
