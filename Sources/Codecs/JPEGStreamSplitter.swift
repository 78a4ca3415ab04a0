/// Splits a byte stream of concatenated JPEG files (what `ffmpeg -f image2pipe -c:v mjpeg -` writes) into
/// whole JPEGs.
///
/// The splitter follows the JPEG marker structure instead of searching for `FF D9`: segment lengths are
/// skipped (so an EXIF thumbnail's EOI does not end the frame), and inside entropy-coded data only a real
/// marker counts (`FF 00` stuffing and `FF D0`–`FF D7` restarts are data). Bytes between frames are garbage
/// and skipped; a frame cut short by a new SOI, by corrupt structure or by the end of input is dropped and
/// counted. Memory is bounded by `maxFrameBytes`: a longer frame is dropped.
public struct JPEGStreamSplitter: Sendable {
    private enum State: Sendable {
        /// Looking for `FF D8 FF`.
        case seek
        /// At a marker between segments, before the first scan or between scans.
        case markers
        /// Inside entropy-coded data.
        case entropy
    }

    /// Largest JPEG accepted; a frame that grows past it is dropped.
    public let maxFrameBytes: Int
    /// Frames dropped because they were cut short or malformed (a new SOI, bad structure, end of input, size).
    public private(set) var droppedFrames = 0
    /// Bytes skipped outside any frame (garbage between frames, dropped frames).
    public private(set) var skippedBytes = 0

    private var buffer: [UInt8] = []
    /// Start of the current frame (or of the unscanned bytes while seeking).
    private var start = 0
    /// Scan position.
    private var pos = 0
    private var state = State.seek

    /// - Parameters: maxFrameBytes: largest JPEG accepted (default 64 MiB).
    public init(maxFrameBytes: Int = 64 << 20) {
        self.maxFrameBytes = max(1024, maxFrameBytes)
    }

    /// Bytes held, for bounds checks in tests.
    public var bufferedBytes: Int { buffer.count - start }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            pos -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete JPEG, or `nil` when more bytes are needed.
    public mutating func next() -> [UInt8]? {
        while true {
            switch state {
            case .seek:
                guard let soi = findSOI(from: pos) else {
                    // Keep the last two bytes: they may begin an SOI.
                    let keep = max(start, buffer.count - 2)
                    skippedBytes += keep - start
                    start = keep
                    pos = keep
                    return nil
                }
                skippedBytes += soi - start
                start = soi
                pos = soi + 2
                state = .markers
            case .markers:
                guard pos + 1 < buffer.count else { return nil }
                guard buffer[pos] == 0xFF else { resync(); continue }
                let marker = buffer[pos + 1]
                switch marker {
                case 0xFF:
                    pos += 1  // fill byte
                case 0xD9:
                    if let frame = emit(end: pos + 2) { return frame }
                case 0xD8:
                    drop(newStart: pos)
                case 0x01, 0xD0...0xD7:
                    pos += 2
                case 0x00:
                    resync()
                default:
                    guard pos + 3 < buffer.count else { return nil }
                    let length = Int(buffer[pos + 2]) << 8 | Int(buffer[pos + 3])
                    guard length >= 2 else { resync(); continue }
                    guard pos + 2 + length <= buffer.count else {
                        if pos + 2 + length - start > maxFrameBytes { resync() ; continue }
                        return nil
                    }
                    pos += 2 + length
                    if marker == 0xDA { state = .entropy }
                }
            case .entropy:
                guard let ff = buffer[pos...].firstIndex(of: 0xFF) else {
                    pos = buffer.count
                    if pos - start > maxFrameBytes { resync() ; continue }
                    return nil
                }
                pos = ff
                guard pos + 1 < buffer.count else { return nil }
                let b = buffer[pos + 1]
                switch b {
                case 0x00, 0xD0...0xD7: pos += 2
                case 0xFF: pos += 1
                case 0xD9: if let frame = emit(end: pos + 2) { return frame }
                case 0xD8: drop(newStart: pos)
                default: state = .markers  // DHT / SOS of a progressive JPEG, DNL, ...
                }
            }
        }
    }

    /// Ends the stream: a frame still open is truncated and dropped.
    /// - Returns: whether a partial frame was dropped.
    @discardableResult
    public mutating func finish() -> Bool {
        let partial = state != .seek
        if partial { droppedFrames += 1 }
        skippedBytes += buffer.count - start
        buffer = []
        start = 0
        pos = 0
        state = .seek
        return partial
    }

    private func findSOI(from index: Int) -> Int? {
        var i = max(index, start)
        while i + 2 < buffer.count {
            guard let ff = buffer[i..<(buffer.count - 2)].firstIndex(of: 0xFF) else { return nil }
            if buffer[ff + 1] == 0xD8 && buffer[ff + 2] == 0xFF { return ff }
            i = ff + 1
        }
        return nil
    }

    /// The frame that ends at `end`, or `nil` when it is longer than `maxFrameBytes` (dropped, whether it came in
    /// pieces or in one read).
    private mutating func emit(end: Int) -> [UInt8]? {
        let frame = end - start <= maxFrameBytes ? Array(buffer[start..<end]) : nil
        if frame == nil {
            droppedFrames += 1
            skippedBytes += end - start
        }
        start = end
        pos = end
        state = .seek
        return frame
    }

    /// The current frame is cut short by a new SOI at `newStart`.
    private mutating func drop(newStart: Int) {
        droppedFrames += 1
        skippedBytes += newStart - start
        start = newStart
        pos = newStart + 2
        state = .markers
    }

    /// The current frame is malformed: look for the next SOI after its start.
    private mutating func resync() {
        droppedFrames += 1
        skippedBytes += 1
        start += 1
        pos = start
        state = .seek
    }
}
