import Foundation

/// Slows down password guessing per client and user name, without letting anyone lock an account for everyone.
///
/// Each (client address, name) pair may fail ``freeFailures`` times. After that, every further attempt must wait
/// ``baseDelay`` × 2^(failures − ``freeFailures``), at most ``maxDelay``, counted from the pair's last failure;
/// an attempt that comes earlier is refused with the time left (sent as `Retry-After`). A pair's failures are
/// forgotten ``window`` after its last one, and at its next successful login. Guesses from one client thus
/// slow down exponentially, while the owner of the account, from another client, logs in as usual.
/// At most ``capacity`` pairs are remembered; beyond that the ones failed longest ago are dropped first.
actor LoginThrottle {
    /// Who tries which name.
    struct Key: Hashable, Sendable {
        /// The client's address (`unknown` when the transport gives none).
        var client: String
        /// The user name tried.
        var name: String
    }

    /// Whether an attempt may go ahead.
    enum Decision: Equatable, Sendable {
        /// Check the password.
        case allowed
        /// Refuse; the client may try again after this many whole seconds (at least 1).
        case wait(seconds: Int)
    }

    struct Entry {
        var failures: Int
        var last: Date
    }

    let freeFailures: Int
    let baseDelay: TimeInterval
    let maxDelay: TimeInterval
    let window: TimeInterval
    let capacity: Int
    private var entries: [Key: Entry] = [:]

    /// Creates a throttle.
    /// - Parameters:
    ///   - freeFailures: failures of a pair before attempts must wait (≥ 0).
    ///   - baseDelay: the first wait in seconds (> 0); each further failure doubles it.
    ///   - maxDelay: the longest wait in seconds (≥ `baseDelay`).
    ///   - window: seconds after a pair's last failure when it is forgotten (≥ `maxDelay` keeps the backoff).
    ///   - capacity: most pairs remembered.
    init(freeFailures: Int, baseDelay: TimeInterval, maxDelay: TimeInterval, window: TimeInterval, capacity: Int = 10_000) {
        precondition(freeFailures >= 0 && baseDelay > 0 && maxDelay >= baseDelay && window > 0 && capacity > 0)
        self.freeFailures = freeFailures
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.window = window
        self.capacity = capacity
    }

    /// Creates a throttle from settings as configured, clamped to what the designated initialiser accepts: at least 0
    /// free failures, a first wait of at least 1 ms, a longest wait of at least the first, a window of at least 1 s.
    init(configuredFailures failures: Int, backoff: TimeInterval, maxBackoff: TimeInterval, window: TimeInterval) {
        self.init(freeFailures: max(0, failures), baseDelay: max(0.001, backoff),
                  maxDelay: max(backoff, maxBackoff, 0.001), window: max(1, window))
    }

    /// Whether `key` may try a password at `now`.
    func check(_ key: Key, now: Date = Date()) -> Decision {
        guard let e = entries[key] else { return .allowed }
        if now.timeIntervalSince(e.last) >= window {
            entries[key] = nil
            return .allowed
        }
        guard e.failures >= freeFailures else { return .allowed }
        let left = e.last.addingTimeInterval(delay(afterFailures: e.failures)).timeIntervalSince(now)
        return left > 0 ? .wait(seconds: max(1, Int(left.rounded(.up)))) : .allowed
    }

    /// Records a failed attempt of `key` at `now`.
    /// - Returns: the pair's failures so far, this one included.
    @discardableResult
    func fail(_ key: Key, now: Date = Date()) -> Int {
        var e = entries[key] ?? Entry(failures: 0, last: now)
        if now.timeIntervalSince(e.last) >= window { e.failures = 0 }
        e.failures += 1
        e.last = now
        entries[key] = e
        if entries.count > capacity { shrink(now) }
        return e.failures
    }

    /// Forgets the failures of `key` after a successful login.
    func succeed(_ key: Key) { entries[key] = nil }

    /// The wait after `failures` failures (0 below ``freeFailures``).
    func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= freeFailures else { return 0 }
        let doublings = min(failures - freeFailures, 40)
        return min(maxDelay, baseDelay * pow(2, Double(doublings)))
    }

    /// Drops expired pairs, then the oldest ones, down to ``capacity``.
    private func shrink(_ now: Date) {
        entries = entries.filter { now.timeIntervalSince($0.value.last) < window }
        guard entries.count > capacity else { return }
        let oldest = entries.sorted { $0.value.last < $1.value.last }.prefix(entries.count - capacity)
        for (k, _) in oldest { entries[k] = nil }
    }
}
