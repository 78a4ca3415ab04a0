import Foundation

/// Compiled networks of one crack model kept between frames, so that a survey compiles each tile shape once per
/// concurrent worker instead of once per frame (compiling folds the weights and allocates the activation buffers,
/// tens of megabytes per shape).
///
/// A worker takes a network for its tile shape (``take(_:)``), uses it alone, and gives it back when its frame is
/// done (``give(_:_:)``); networks are not thread-safe, the pool is. At most ``capacity`` networks are kept; a
/// network given back to a full pool is dropped, so memory stays bounded when tile shapes change (frames of
/// another size).
final class CompiledNetworkPool: @unchecked Sendable {
    /// A tile shape: width and height including margins.
    struct Key: Hashable {
        var width: Int
        var height: Int
    }

    /// Most networks kept.
    let capacity: Int
    private let lock = NSLock()
    // Guarded by `lock`; each network is used by one worker at a time (taken out while in use).
    private var idle: [Key: [AnyObject]] = [:]
    private var count = 0
    private var missCount = 0

    init(capacity: Int = 8) { self.capacity = capacity }

    /// A network compiled for `key` that no worker is using, or nil.
    func take<T: AnyObject>(_ key: Key, as type: T.Type = T.self) -> T? {
        lock.lock()
        defer { lock.unlock() }
        guard var list = idle[key], let n = list.popLast() as? T else {
            missCount += 1
            return nil
        }
        idle[key] = list.isEmpty ? nil : list
        count -= 1
        return n
    }

    /// Gives a worker's network for `key` back (dropped when the pool is full).
    func give(_ key: Key, _ network: AnyObject) {
        lock.lock()
        defer { lock.unlock() }
        guard count < capacity else { return }
        idle[key, default: []].append(network)
        count += 1
    }

    /// Requests that found no network (each then compiled one).
    var misses: Int {
        lock.lock()
        defer { lock.unlock() }
        return missCount
    }

    /// Networks kept now.
    var kept: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }
}
