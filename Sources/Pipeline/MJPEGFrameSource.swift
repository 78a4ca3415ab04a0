import AsyncHTTPClient
import Codecs
import Foundation
import Logging
import NIOCore

/// The frames of an HTTP MJPEG camera stream (`multipart/x-mixed-replace`), reconnecting when the camera drops.
///
/// Parts are split by their `Content-Length` or, without one, at the next boundary; a response that is not
/// multipart (or has no boundary) is read as concatenated JPEGs. When the connection fails or ends, the
/// source waits and connects again, doubling the wait from `initialBackoff` up to `maxBackoff` and resetting
/// it after a frame arrives; it ends only when its task is cancelled. The body is read only as frames are
/// asked for, so the camera is not read faster than the pipeline takes frames (TCP backpressure).
public struct MJPEGFrameSource: AsyncSequence, Sendable {
    public typealias Element = WatchFrame
    public typealias Failure = any Error

    /// The stream's URL.
    public let url: String
    let client: HTTPClient
    /// First wait before reconnecting.
    public let initialBackoff: Duration
    /// Longest wait before reconnecting.
    public let maxBackoff: Duration
    /// Largest frame accepted.
    public let maxFrameBytes: Int
    let metrics: WatchMetrics?
    let logger: Logger

    /// - Parameters:
    ///   - url: `http://camera/stream.mjpg`.
    ///   - client: the HTTP client (its read timeout detects a stalled camera); the caller shuts it down.
    ///   - initialBackoff: first wait before reconnecting; maxBackoff: longest wait.
    ///   - maxFrameBytes: largest frame accepted.
    ///   - metrics: counts reconnections and errors; logger: logs them.
    public init(url: String, client: HTTPClient, initialBackoff: Duration = .milliseconds(500),
                maxBackoff: Duration = .seconds(30), maxFrameBytes: Int = 64 << 20,
                metrics: WatchMetrics? = nil, logger: Logger) {
        self.url = url
        self.client = client
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxFrameBytes = maxFrameBytes
        self.metrics = metrics
        self.logger = logger
    }

    public func makeAsyncIterator() -> Iterator { Iterator(source: self) }

    /// Splits whichever framing the response uses (one of the two is set; mutated in place, never copied).
    struct Framing {
        var multipart: MultipartStreamParser?
        var jpegs: JPEGStreamSplitter?

        mutating func append(_ bytes: ByteBuffer) {
            multipart?.append(bytes.readableBytesView)
            jpegs?.append(bytes.readableBytesView)
        }

        mutating func next() -> [UInt8]? {
            multipart?.nextPart() ?? jpegs?.next()
        }
    }

    /// Connects, reads, reconnects.
    public struct Iterator: AsyncIteratorProtocol {
        let source: MJPEGFrameSource
        var body: HTTPClientResponse.Body.AsyncIterator?
        var framing: Framing?
        var backoff: Duration
        var attempts = 0
        var count = 0

        init(source: MJPEGFrameSource) {
            self.source = source
            self.backoff = source.initialBackoff
        }

        public mutating func next() async throws -> WatchFrame? {
            while true {
                try Task.checkCancellation()
                if let frame = framing?.next() {
                    count += 1
                    backoff = source.initialBackoff
                    return WatchFrame(name: "\(source.url)#\(count)", bytes: frame)
                }
                if body == nil {
                    if attempts > 0 {
                        source.metrics?.recordReconnect()
                        try await Task.sleep(for: backoff)
                        backoff = Swift.min(backoff * 2, source.maxBackoff)
                    }
                    attempts += 1
                    do {
                        try await connect()
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        source.metrics?.recordError(.source)
                        source.logger.warning("camera stream connection failed",
                                              metadata: ["source.url": "\(source.url)", "error": "\(error)",
                                                         "source.retryIn": "\(backoff)"])
                        continue
                    }
                }
                do {
                    if let chunk = try await body?.next() {
                        framing?.append(chunk)
                    } else {
                        source.logger.info("camera stream ended", metadata: ["source.url": "\(source.url)"])
                        body = nil
                    }
                } catch {
                    try Task.checkCancellation()
                    source.metrics?.recordError(.source)
                    source.logger.warning("camera stream dropped",
                                          metadata: ["source.url": "\(source.url)", "error": "\(error)"])
                    body = nil
                }
            }
        }

        mutating func connect() async throws {
            let request = HTTPClientRequest(url: source.url)
            // The stream never completes: no overall deadline; the client's read timeout catches a stall.
            let response = try await source.client.execute(request, deadline: .distantFuture, logger: source.logger)
            guard response.status == .ok else {
                throw MJPEGSourceError.badStatus(Int(response.status.code))
            }
            let contentType = response.headers.first(name: "content-type") ?? ""
            if let boundary = MultipartStreamParser.boundary(contentType: contentType) {
                framing = Framing(multipart: MultipartStreamParser(boundary: boundary, maxPartBytes: source.maxFrameBytes))
            } else {
                framing = Framing(jpegs: JPEGStreamSplitter(maxFrameBytes: source.maxFrameBytes))
            }
            body = response.body.makeAsyncIterator()
            source.logger.info("camera stream connected", metadata: ["source.url": "\(source.url)",
                                                                     "source.contentType": "\(contentType)"])
        }
    }
}

/// Why a camera stream could not be read (the source retries).
public enum MJPEGSourceError: Error, Sendable, Equatable {
    /// The camera answered with a status other than 200.
    case badStatus(Int)
}
