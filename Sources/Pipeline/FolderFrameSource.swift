import Codecs
import Foundation
import Logging

/// The frames dropped into a folder (by a camera's FTP upload, a capture script), in arrival order.
///
/// The folder is polled. A file is handed on once it is finished: its size and modification time did not
/// change between two polls and it is a complete JPEG (ends with EOI) or PNG (holds IEND), or it stayed
/// unchanged for `settle` (a file that will never be completed). A file rewritten later (new size or time)
/// is read again. Memory: the names of the files present, nothing else.
public struct FolderFrameSource: AsyncSequence, Sendable {
    public typealias Element = WatchFrame
    public typealias Failure = any Error

    /// The watched folder.
    public let folder: String
    /// Time between polls.
    public let pollInterval: Duration
    /// How long an incomplete but unchanging file is waited for before it is read anyway.
    public let settle: Duration
    /// Whether files present when watching starts are processed (else only new ones).
    public let includeExisting: Bool
    let logger: Logger

    /// - Parameters:
    ///   - folder: the folder to watch (searched recursively, like a survey folder).
    ///   - pollInterval: time between polls.
    ///   - settle: wait for an incomplete, unchanging file before reading it anyway.
    ///   - includeExisting: process the files already there.
    ///   - logger: where skipped files are logged.
    /// - Throws: ``PipelineError/notAFolder(_:)``.
    public init(folder: String, pollInterval: Duration = .milliseconds(250), settle: Duration = .seconds(3),
                includeExisting: Bool = true, logger: Logger) throws(PipelineError) {
        let type = (try? FileManager.default.attributesOfItem(atPath: folder))?[.type] as? FileAttributeType
        guard type == .typeDirectory else { throw .notAFolder(folder) }
        self.folder = folder
        self.pollInterval = pollInterval
        self.settle = settle
        self.includeExisting = includeExisting
        self.logger = logger
    }

    public func makeAsyncIterator() -> Iterator { Iterator(source: self) }

    /// Polls the folder.
    public struct Iterator: AsyncIteratorProtocol {
        struct Signature: Equatable {
            var size: Int
            var modified: Date
        }

        let source: FolderFrameSource
        /// Files handed on, with the signature they had.
        var done: [String: Signature] = [:]
        /// Files seen but not finished: signature at the last poll and when it was first seen unchanged.
        var waiting: [String: (Signature, ContinuousClock.Instant)] = [:]
        var ready: [String] = []
        var first = true

        init(source: FolderFrameSource) { self.source = source }

        public mutating func next() async throws -> WatchFrame? {
            while true {
                try Task.checkCancellation()
                while !ready.isEmpty {
                    let path = ready.removeFirst()
                    guard let bytes = try? ImageDecoder.readFile(path) else { continue }
                    return WatchFrame(name: path, bytes: bytes)
                }
                try poll()
                if ready.isEmpty { try await Task.sleep(for: source.pollInterval) }
            }
        }

        mutating func poll() throws {
            let files = try FrameDiscovery.frames(in: source.folder)
            let present = Set(files)
            done = done.filter { present.contains($0.key) }
            waiting = waiting.filter { present.contains($0.key) }
            let now = ContinuousClock.now
            var found: [(String, Date)] = []
            for path in files {
                guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
                      let size = (attrs[.size] as? NSNumber)?.intValue,
                      let modified = attrs[.modificationDate] as? Date else { continue }
                let sig = Signature(size: size, modified: modified)
                if first && !source.includeExisting {
                    done[path] = sig
                    continue
                }
                if done[path] == sig { continue }
                guard let entry = waiting[path], entry.0 == sig, size > 0 else {
                    waiting[path] = (sig, now)
                    continue
                }
                let since = entry.1
                // Unchanged for a poll: finished if complete, or if unchanged for `settle`.
                let complete = (try? ImageDecoder.readFile(path)).map(ImageCompleteness.isComplete) ?? false
                if complete || now - since >= source.settle {
                    if !complete {
                        source.logger.info("incomplete file read after settling", metadata: ["frame.file": "\(path)"])
                    }
                    waiting[path] = nil
                    done[path] = sig
                    found.append((path, modified))
                }
            }
            first = false
            ready += found.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        }
    }
}
