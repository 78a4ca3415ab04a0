import Synchronization

/// Runs `operation`, throwing ``TimeoutError`` after `seconds`.
///
/// Unlike a task group, which waits for every child before it returns, this returns as soon as the time is up: the
/// operation is cancelled and left to finish on its own. So an operation stuck in something that ignores
/// cancellation fails its test instead of hanging the whole test run.
public func withTimeout<T: Sendable>(_ seconds: Double,
                                     _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let pending = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let finish = { @Sendable (result: Result<T, any Error>) -> Bool in
        guard let c = pending.withLock({ state in defer { state = nil }; return state }) else { return false }
        c.resume(with: result)
        return true
    }
    let timer = Mutex<Task<Void, Never>?>(nil)
    defer {
        timer.withLock { $0?.cancel() }
    }
    return try await withCheckedThrowingContinuation { continuation in
        pending.withLock { $0 = continuation }
        let w = Task {
            do { _ = finish(.success(try await operation())) } catch { _ = finish(.failure(error)) }
        }
        let t = Task {
            try? await Task.sleep(for: .seconds(seconds))
            if !Task.isCancelled, finish(.failure(TimeoutError())) { w.cancel() }
        }
        timer.withLock { $0 = t }
    }
}
