import Codecs
import Findings
import Foundation
import Geo
import ImagingCore
import Logging
import Pipeline
import Synchronization
import Tickets

/// Synthetic camera frames for the watch tests: a light 64×48 road with optional dark blobs (which
/// ``DarkRegionInspector`` reports as leaks), and a frame counter in the top row so every frame's bytes differ.
enum WatchFixtures {
    static let width = 64
    static let height = 48

    /// A JPEG frame.
    /// - Parameters: index: makes the bytes unique; blobs: dark squares `(x, y, size)`; bars: dark rectangles
    ///   `(x, y, width, height)`.
    static func frame(_ index: Int, blobs: [(Int, Int, Int)] = [], bars: [(Int, Int, Int, Int)] = []) throws -> [UInt8] {
        var px = PixelBuffer(width: width, height: height, format: .gray8)
        for y in 0..<height {
            for x in 0..<width { px.bytes[y * px.rowStride + x] = 200 }
        }
        // Frame counter: bright-ish bits on the top row (never dark).
        for bit in 0..<16 { px.bytes[bit * 2] = (index >> bit) & 1 == 1 ? 120 : 230 }
        for (bx, by, bw, bh) in blobs.map({ ($0.0, $0.1, $0.2, $0.2) }) + bars {
            for y in by..<(by + bh) {
                for x in bx..<(bx + bw) { px.bytes[y * px.rowStride + x] = 20 }
            }
        }
        return try ImageEncoder.jpeg(px, quality: 95)
    }

    /// A fixed camera looking straight down at 10 cm per pixel (the image's corners as control points).
    static func camera() throws -> FixedCamera {
        let lat0 = 51.92, lon0 = 4.47
        let metresPerDegLat = 111_320.0, metresPerDegLon = 111_320.0 * cos(lat0 * .pi / 180)
        func gcp(_ x: Double, _ y: Double) -> GroundControlPoint {
            GroundControlPoint(x: x, y: y, latitude: lat0 - y * 0.1 / metresPerDegLat,
                               longitude: lon0 + x * 0.1 / metresPerDegLon)
        }
        return try FixedCamera(controlPoints: [gcp(0, 0), gcp(64, 0), gcp(64, 48), gcp(0, 48)],
                               name: "test pole", controlPointAccuracy: 0.2)
    }

    static var logger: Logger {
        var l = Logger.current
        l.logLevel = .warning
        return l
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A runner over an in-memory store with the dark-region inspector.
    static func runner(persist: Int = 1, window: Int = 1, resightEvery: Int = 0, camera: (any GroundProjection)? = nil,
                       store: SQLiteTicketStore? = nil, metrics: WatchMetrics? = nil) throws -> WatchRunner {
        WatchRunner(store: try store ?? SQLiteTicketStore.inMemory(), inspector: DarkRegionInspector(), camera: camera,
                    options: WatchOptions(surveyName: "watch:test", persistence: persist, window: window,
                                          resightEvery: resightEvery, queueCapacity: 2, threads: 1),
                    metrics: metrics, logger: logger)
    }
}

/// Frames from an array, for runs that do not test a source.
struct ArrayFrameSource: AsyncSequence, Sendable {
    typealias Element = WatchFrame
    let frames: [WatchFrame]

    struct Iterator: AsyncIteratorProtocol {
        var rest: ArraySlice<WatchFrame>
        mutating func next() async throws -> WatchFrame? { rest.popFirst() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(rest: frames[...]) }
}

/// Stops a runner once it has received `count` frames.
final class StopAfter: Sendable {
    let count: Int
    let runner: Mutex<WatchRunner?> = Mutex(nil)

    init(_ count: Int) { self.count = count }

    func attach(_ r: WatchRunner) { runner.withLock { $0 = r } }

    func callback() -> @Sendable (WatchSummary) -> Void {
        { [self] summary in
            if summary.framesReceived >= count { runner.withLock { $0 }?.stop() }
        }
    }
}

/// A value shared between tasks and escaping closures.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}

