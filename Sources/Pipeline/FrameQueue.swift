import Synchronization

/// A bounded first-in first-out queue between one producer task and one consumer task.
///
/// `send` suspends while the queue is full (backpressure: a folder or a pipe is then read no faster than
/// frames are processed), or, with `dropOldest`, makes room by dropping the oldest frame (a live camera
/// wants the newest picture, not a growing backlog). `finish()` ends the queue: the consumer still gets
/// what is buffered, then `nil`; a suspended `send` returns `false`.
public final class FrameQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var finished = false
        var consumer: CheckedContinuation<Element?, Never>?
        var producer: CheckedContinuation<Bool, Never>?
        var dropped = 0
    }

    private enum SendAction {
        case done(Bool)
        case resume(CheckedContinuation<Element?, Never>)
        case wait
    }

    /// Most elements held.
    public let capacity: Int
    /// Whether a full queue drops its oldest element instead of suspending the sender.
    public let dropOldest: Bool
    private let state = Mutex(State())

    /// - Parameters: capacity: most elements held (≥ 1); dropOldest: drop instead of waiting when full.
    public init(capacity: Int, dropOldest: Bool = false) {
        self.capacity = max(1, capacity)
        self.dropOldest = dropOldest
    }

    /// Elements waiting.
    public var count: Int { state.withLock { $0.buffer.count } }
    /// Elements dropped because the queue was full (with `dropOldest`).
    public var droppedCount: Int { state.withLock { $0.dropped } }

    /// Adds an element, waiting for room unless `dropOldest`.
    /// - Returns: `false` when the queue was finished (the element is discarded).
    public func send(_ element: Element) async -> Bool {
        while true {
            let action: SendAction = state.withLock { s in
                if s.finished { return .done(false) }
                if let c = s.consumer {
                    s.consumer = nil
                    return .resume(c)
                }
                if s.buffer.count < capacity {
                    s.buffer.append(element)
                    return .done(true)
                }
                if dropOldest {
                    s.buffer.removeFirst()
                    s.buffer.append(element)
                    s.dropped += 1
                    return .done(true)
                }
                return .wait
            }
            switch action {
            case .done(let ok): return ok
            case .resume(let c):
                c.resume(returning: element)
                return true
            case .wait:
                let goOn = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                    let now: Bool? = state.withLock { s in
                        if s.finished { return false }
                        if s.buffer.count < capacity { return true }
                        s.producer = c
                        return nil
                    }
                    if let now { c.resume(returning: now) }
                }
                if !goOn { return false }
            }
        }
    }

    /// The next element, or `nil` once the queue is finished and empty.
    public func next() async -> Element? {
        await withCheckedContinuation { (c: CheckedContinuation<Element?, Never>) in
            let (result, wake): (Element??, CheckedContinuation<Bool, Never>?) = state.withLock { s in
                if !s.buffer.isEmpty {
                    let e = s.buffer.removeFirst()
                    let p = s.producer
                    s.producer = nil
                    return (.some(e), p)
                }
                if s.finished { return (.some(nil), nil) }
                s.consumer = c
                return (nil, nil)
            }
            wake?.resume(returning: true)
            if let result { c.resume(returning: result) }
        }
    }

    /// Ends the queue.
    public func finish() {
        let (c, p) = state.withLock { s in
            s.finished = true
            let c = s.buffer.isEmpty ? s.consumer : nil
            if c != nil { s.consumer = nil }
            let p = s.producer
            s.producer = nil
            return (c, p)
        }
        c?.resume(returning: nil)
        p?.resume(returning: false)
    }
}
