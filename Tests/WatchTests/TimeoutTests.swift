import Dispatch
import Foundation
import Testing
import TestSupport

/// TestSupport's `withTimeout`, which the stream tests rely on not to hang the test run.
struct TimeoutTests {
    @Test("a result in time is returned; an operation that ignores cancellation still times out at once")
    func timeouts() async throws {
        #expect(try await withTimeout(5) { 42 } == 42)
        let start = Date()
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(0.2) {
                // Ignores cancellation, as a read stuck in a library might: done only after 30 s.
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 30) { c.resume() }
                }
            }
        }
        // Far below the operation's 30 s even on a loaded machine (2.8 s was seen with two builds beside it).
        #expect(Date().timeIntervalSince(start) < 10, "returned without waiting for the operation")
        await #expect(throws: CancellationError.self) { try await withTimeout(5) { throw CancellationError() } }
    }
}
