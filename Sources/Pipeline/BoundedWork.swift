/// Runs work items on at most `width` concurrent tasks and hands each result, as it completes, to a
/// consumer that runs one at a time in the caller's task. A new item starts only when a result has
/// been consumed, so memory holds at most `width` items in flight however long the input is (backpressure),
/// and a slow consumer (the database) slows the producers instead of piling results up.
public enum BoundedWork {
    /// - Parameters:
    ///   - items: the work, started in order.
    ///   - width: most items in flight (≥ 1), e.g. the core count.
    ///   - work: what to do with one item (runs concurrently; errors are the item's result, not the run's).
    ///   - consume: receives each item with its result, in completion order; throwing stops the run after
    ///     cancelling the items in flight.
    public static func run<Item: Sendable, Output: Sendable>(
        _ items: [Item], width: Int,
        work: @escaping @Sendable (Item) async -> Output,
        consume: (Item, Output) async throws -> Void
    ) async throws {
        let width = max(1, width)
        try await withThrowingTaskGroup(of: (Item, Output).self) { group in
            var next = 0
            func startNext() {
                guard next < items.count else { return }
                let item = items[next]
                next += 1
                group.addTask { (item, await work(item)) }
            }
            for _ in 0..<min(width, items.count) { startNext() }
            while let (item, output) = try await group.next() {
                if Task.isCancelled { group.cancelAll(); break }
                do {
                    try await consume(item, output)
                } catch {
                    group.cancelAll()
                    throw error
                }
                startNext()
            }
        }
    }
}
