/// Reads the parts of a `multipart/x-mixed-replace` body (an MJPEG camera stream) as they arrive.
///
/// Each part is `--BOUNDARY CRLF headers CRLF CRLF body`. With a `Content-Length` header the body is exactly
/// that long; without one it runs to the next boundary line. Anything before a boundary (preamble, junk after
/// a body) is skipped, and memory is bounded by `maxPartBytes`: a part that grows past it is dropped and the
/// parser looks for the next boundary.
public struct MultipartStreamParser: Sendable {
    private enum State: Sendable {
        case boundary
        case headers
        case body(length: Int?)
    }

    /// The boundary token, without the leading `--`.
    public let boundary: String
    /// Largest part accepted.
    public let maxPartBytes: Int
    /// Longest rest of a delimiter line (`--`, transport padding, CRLF): a `--BOUNDARY` without a line feed within
    /// it is taken for data, so that a stream without line feeds cannot fill memory.
    public static let maxDelimiterLine = 1024
    /// Parts dropped for being too long or malformed.
    public private(set) var droppedParts = 0

    private let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    private var start = 0
    private var state = State.boundary

    /// - Parameters:
    ///   - boundary: the `boundary` parameter of the response's `Content-Type` (quotes and a leading `--` removed).
    ///   - maxPartBytes: largest part accepted (default 64 MiB).
    public init(boundary: String, maxPartBytes: Int = 64 << 20) {
        var b = Substring(boundary)
        if b.hasPrefix("\"") && b.hasSuffix("\"") && b.count >= 2 { b = b.dropFirst().dropLast() }
        while b.hasPrefix("--") { b = b.dropFirst(2) }
        self.boundary = String(b)
        self.delimiter = Array(("--" + b).utf8)
        self.maxPartBytes = max(1024, maxPartBytes)
    }

    /// The boundary of a `Content-Type` header value such as `multipart/x-mixed-replace; boundary=frame`,
    /// or `nil` when it is not a multipart type or has no boundary.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingSpaces() }
        guard let type = parts.first, type.lowercased().hasPrefix("multipart/") else { return nil }
        for p in parts.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingSpaces().lowercased() == "boundary" {
                let value = kv[1].trimmingSpaces()
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// Bytes held.
    public var bufferedBytes: Int { buffer.count - start }

    /// Adds bytes of the body.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The body of the next complete part, or `nil` when more bytes are needed.
    public mutating func nextPart() -> [UInt8]? {
        while true {
            switch state {
            case .boundary:
                guard let at = find(delimiter, from: start) else {
                    start = max(start, buffer.count - delimiter.count)
                    return nil
                }
                // The rest of the delimiter line (`--` after the last part, transport padding, CRLF); one that runs
                // on past `maxDelimiterLine` is no delimiter line, so look further on.
                let eol = find([0x0A], from: at + delimiter.count)
                if (eol ?? buffer.count) - (at + delimiter.count) > Self.maxDelimiterLine {
                    start = at + 1
                    continue
                }
                guard let eol else {
                    start = at
                    return nil
                }
                start = eol + 1
                state = .headers
            case .headers:
                guard let (end, next) = headerEnd(from: start) else {
                    if buffer.count - start > 16 << 10 { dropPart() ; continue }
                    return nil
                }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = next
                state = .body(length: Self.contentLength(headers: text))
            case .body(let length?):
                guard length <= maxPartBytes else { dropPart(); continue }
                guard buffer.count - start >= length else { return nil }
                let part = Array(buffer[start..<(start + length)])
                start += length
                state = .boundary
                return part
            case .body(nil):
                guard let at = find(delimiter, from: start) else {
                    if buffer.count - start > maxPartBytes { dropPart(); continue }
                    return nil
                }
                var end = at
                if end > start && buffer[end - 1] == 0x0A { end -= 1 }
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                // Too long, even when its end came in the same read as the bytes that took it over the limit.
                guard end - start <= maxPartBytes else {
                    droppedParts += 1
                    start = at
                    state = .boundary
                    continue
                }
                let part = Array(buffer[start..<end])
                start = at
                state = .boundary
                return part
            }
        }
    }

    static func contentLength(headers: String) -> Int? {
        for line in headers.split(whereSeparator: { $0 == "\r" || $0 == "\n" }) {
            let kv = line.split(separator: ":", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingSpaces().lowercased() == "content-length",
               let n = Int(kv[1].trimmingSpaces()), n >= 0 {
                return n
            }
        }
        return nil
    }

    private mutating func dropPart() {
        droppedParts += 1
        // Skip what is held and look for the next boundary in what follows.
        start = max(start, buffer.count - delimiter.count)
        state = .boundary
    }

    /// End of the header block (`CRLF CRLF` or `LF LF`) at or after `from`: (end of headers, start of body).
    private func headerEnd(from: Int) -> (Int, Int)? {
        var i = from
        // An empty header block: the body starts right away.
        if i + 1 < buffer.count && buffer[i] == 0x0D && buffer[i + 1] == 0x0A { return (i, i + 2) }
        if i < buffer.count && buffer[i] == 0x0A { return (i, i + 1) }
        while i < buffer.count {
            guard let lf = buffer[i...].firstIndex(of: 0x0A) else { return nil }
            if lf + 1 < buffer.count && buffer[lf + 1] == 0x0A { return (lf, lf + 2) }
            if lf + 2 < buffer.count && buffer[lf + 1] == 0x0D && buffer[lf + 2] == 0x0A { return (lf, lf + 3) }
            if lf + 2 >= buffer.count { return nil }
            i = lf + 1
        }
        return nil
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, buffer.count - from >= needle.count else { return nil }
        var i = from
        let last = buffer.count - needle.count
        while i <= last {
            guard let c = buffer[i...last].firstIndex(of: first) else { return nil }
            var ok = true
            for k in 1..<needle.count where buffer[c + k] != needle[k] {
                ok = false
                break
            }
            if ok { return c }
            i = c + 1
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
