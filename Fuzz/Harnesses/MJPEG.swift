// libFuzzer harness "mjpeg": the `multipart/x-mixed-replace` parser of MJPEG camera streams
// (Sources/Pipeline/MultipartStreamParser.swift, compiled into this harness), and its Content-Type reader.
// Input: the first line is the boundary, the rest the stream, fed in pieces (Support.swift's `pieces`).
// Invariants: no part is longer than the limit, the bytes held stay bounded, and, when no part was dropped, the
// parts do not depend on how the stream was cut into pieces.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let eol = bytes.firstIndex(of: 0x0A) ?? bytes.count
    let header = String(decoding: bytes[..<eol], as: UTF8.self)
    _ = MultipartStreamParser.boundary(contentType: header)
    _ = MultipartStreamParser.boundary(contentType: "multipart/x-mixed-replace; boundary=" + header)
    let stream = bytes.count > eol ? Array(bytes[(eol + 1)...]) : []
    let limit = 1024
    // Whole.
    var whole = MultipartStreamParser(boundary: header, maxPartBytes: limit)
    whole.append(stream)
    var wholeParts: [[UInt8]] = []
    while let part = whole.nextPart() { wholeParts.append(part) }
    // In pieces, taking parts after each.
    var split = MultipartStreamParser(boundary: header, maxPartBytes: limit)
    var splitParts: [[UInt8]] = []
    for piece in pieces(of: stream) {
        split.append(piece)
        while let part = split.nextPart() { splitParts.append(part) }
        invariant(split.bufferedBytes <= limit + (16 << 10) + 2 * 97 + header.utf8.count + 4,
                  "\(split.bufferedBytes) bytes held")
    }
    for part in wholeParts + splitParts { invariant(part.count <= split.maxPartBytes, "a part of \(part.count) bytes") }
    if whole.droppedParts == 0 && split.droppedParts == 0 && !pieces(of: stream).isEmpty {
        // `pieces` skips the first byte (it picks the lengths); compare with the whole stream less that byte.
        var same = MultipartStreamParser(boundary: header, maxPartBytes: limit)
        same.append(stream.dropFirst())
        var sameParts: [[UInt8]] = []
        while let part = same.nextPart() { sameParts.append(part) }
        if same.droppedParts == 0 {
            invariant(sameParts == splitParts, "\(sameParts.count) parts whole, \(splitParts.count) in pieces")
        }
    }
    return 0
}
