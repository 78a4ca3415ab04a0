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
        var next = 0
        try await run(next: { () -> Item? in
            guard next < items.count else { return nil }
            defer { next += 1 }
            return items[next]
        }, width: width, work: work, consume: consume)
    }

    /// As ``run(_:width:work:consume:)`` for items pulled one at a time from a source (frames decoded from a
    /// video): `next` is called only when a slot is free, so an upstream producer waits (pipe backpressure).
    /// - Parameters:
    ///   - next: the next item, nil at the end; throwing stops the run after the items in flight are cancelled.
    ///   - width: most items in flight (≥ 1).
    ///   - work: what to do with one item, concurrently.
    ///   - consume: receives each item with its result, in completion order, one at a time.
    public static func run<Item: Sendable, Output: Sendable>(
        next: () async throws -> Item?, width: Int,
        work: @escaping @Sendable (Item) async -> Output,
        consume: (Item, Output) async throws -> Void
    ) async throws {
        let width = max(1, width)
        try await withThrowingTaskGroup(of: (Item, Output).self) { group in
            var exhausted = false
            func startNext() async throws {
                guard !exhausted else { return }
                guard let item = try await next() else { exhausted = true; return }
                group.addTask { (item, await work(item)) }
            }
            do {
                for _ in 0..<width { try await startNext() }
                while let (item, output) = try await group.next() {
                    if Task.isCancelled { group.cancelAll(); break }
                    try await consume(item, output)
                    try await startNext()
                }
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
