import Codecs
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Concatenated JPEGs read from a file descriptor: standard input for `pavewatch watch -`, fed by
/// `ffmpeg -i rtsp://... -f image2pipe -c:v mjpeg -`.
///
/// Reads happen one chunk at a time on a private dispatch queue (a blocking `read` never holds a Swift
/// concurrency thread), and only when the next frame is asked for, so a slow pipeline makes the writer wait
/// (pipe backpressure). Garbage between frames is skipped; a truncated last frame is dropped and counted.
public struct FileDescriptorFrameSource: AsyncSequence, Sendable {
    public typealias Element = WatchFrame
    public typealias Failure = any Error

    /// The descriptor read (not closed by the source).
    public let fileDescriptor: Int32
    /// Name prefix of the frames (`stdin` gives `stdin#1`, `stdin#2`, ...).
    public let name: String
    /// Largest JPEG accepted.
    public let maxFrameBytes: Int
    let metrics: WatchMetrics?
    let logger: Logger

    /// - Parameters: fileDescriptor: e.g. 0; name: frame name prefix; maxFrameBytes: largest JPEG;
    ///   metrics: counts truncated frames; logger: logs them.
    public init(fileDescriptor: Int32, name: String = "stdin", maxFrameBytes: Int = 64 << 20,
                metrics: WatchMetrics? = nil, logger: Logger) {
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.maxFrameBytes = maxFrameBytes
        self.metrics = metrics
        self.logger = logger
    }

    public func makeAsyncIterator() -> Iterator { Iterator(source: self) }

    /// Reads and splits.
    public struct Iterator: AsyncIteratorProtocol {
        let source: FileDescriptorFrameSource
        var splitter: JPEGStreamSplitter
        var count = 0
        var ended = false
        let queue = DispatchQueue(label: "pavewatch.fd-reader")

        init(source: FileDescriptorFrameSource) {
            self.source = source
            self.splitter = JPEGStreamSplitter(maxFrameBytes: source.maxFrameBytes)
        }

        public mutating func next() async throws -> WatchFrame? {
            while true {
                let droppedBefore = splitter.droppedFrames
                let frame = splitter.next()
                noteDrops(since: droppedBefore)
                if let frame {
                    count += 1
                    return WatchFrame(name: "\(source.name)#\(count)", bytes: frame)
                }
                if ended { return nil }
                try Task.checkCancellation()
                let chunk = try await read()
                if chunk.isEmpty {
                    ended = true
                    let before = splitter.droppedFrames
                    splitter.finish()
                    noteDrops(since: before)
                } else {
                    splitter.append(chunk)
                }
            }
        }

        func noteDrops(since before: Int) {
            let n = splitter.droppedFrames - before
            guard n > 0 else { return }
            for _ in 0..<n { source.metrics?.recordError(.truncated) }
            source.logger.warning("truncated or malformed JPEG skipped",
                                  metadata: ["source.name": "\(source.name)", "source.dropped": "\(splitter.droppedFrames)"])
        }

        func read() async throws -> [UInt8] {
            let fd = source.fileDescriptor
            let result: Result<[UInt8], POSIXError> = await withCheckedContinuation { c in
                queue.async {
                    var buffer = [UInt8](repeating: 0, count: 1 << 16)
                    while true {
                        let n = unsafe buffer.withUnsafeMutableBytes { raw in unsafe systemRead(fd, raw.baseAddress, raw.count) }
                        if n >= 0 {
                            buffer.removeSubrange(n...)
                            c.resume(returning: .success(buffer))
                            return
                        }
                        if errno == EINTR { continue }
                        c.resume(returning: .failure(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)))
                        return
                    }
                }
            }
            return try result.get()
        }
    }
}

/// `read(2)`, under a name the iterator's own `read()` does not hide. (The one unsafe call outside Kernels and
/// Codecs: Foundation's `FileHandle` reads either block until a whole count arrives or slurp a regular file.)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    unsafe read(fd, buffer, count)
}
