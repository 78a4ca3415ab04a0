// libFuzzer harness "forms": the request bodies of the review server and the Open311 endpoint, compiled into this
// harness from their Foundation-only files: form and query decoding (Sources/Tickets/FormURLEncoded.swift: the
// Open311 service request form, the review forms), the crew's multipart/form-data upload
// (Sources/ReviewServer/MultipartFormData.swift), the status change JSON of the review API
// (Sources/ReviewServer/StatusChangeBody.swift) and a peer Open311 server's JSON replies
// (Sources/Tickets/Open311Reply.swift).
// Invariants: decode → encode → decode and encode → decode give back the same pairs; multipart parts written
// back into a body read back the same; a status note is at most 2000 characters and never empty.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForms(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    // Forms and query strings.
    if let pairs = FormURLEncoded.decode(text) {
        let again = FormURLEncoded.decode(FormURLEncoded.encode(pairs))
        invariant(again.map { same($0, pairs) } ?? false, "decode → encode → decode changed \(pairs)")
    }
    let strings = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
    let made = stride(from: 0, to: strings.count - 1, by: 2).map { (strings[$0], strings[$0 + 1]) }
    let back = FormURLEncoded.decode(FormURLEncoded.encode(made))
    invariant(back.map { same($0, made) } ?? false, "encode → decode changed \(made)")
    // Multipart upload: the first line is the boundary.
    let eol = bytes.firstIndex(of: 0x0A) ?? bytes.count
    let boundary = String(decoding: bytes[..<eol], as: UTF8.self)
    let body = bytes.count > eol ? Array(bytes[(eol + 1)...]) : []
    _ = MultipartFormData.parameter("boundary", in: boundary)
    let parts = MultipartFormData.parts(body, boundary: boundary)
    let (fields, photo) = MultipartFormData.fields(body, boundary: boundary, maxFieldBytes: 64)
    invariant(fields.count <= parts.count && (photo == nil || !parts.isEmpty), "more fields than parts")
    if !boundary.isEmpty && !boundary.utf8.contains(13) {
        var rebuilt: [UInt8] = []
        for p in parts {
            // An empty header block is the delimiter line's CRLF and one empty line.
            rebuilt += Array("--\(boundary)\r\n\(p.headers.isEmpty ? "" : p.headers + "\r\n")\r\n".utf8) + p.data + [13, 10]
        }
        rebuilt += Array("--\(boundary)--\r\n".utf8)
        let again = MultipartFormData.parts(rebuilt, boundary: boundary)
        invariant(again.count == parts.count && zip(again, parts).allSatisfy { $0.headers == $1.headers && $0.data == $1.data },
                  "parts written back read differently: \(parts.map { ($0.headers, $0.data) }) became \(again.map { ($0.headers, $0.data) })")
    }
    // JSON bodies.
    if let change = StatusChangeBody(json: Data(bytes)), let note = change.note {
        invariant(!note.isEmpty && note.count <= 2000, "a note of \(note.count) characters")
    }
    _ = Open311Reply.remoteId(in: Data(bytes))
    _ = Open311Reply.statuses(in: Data(bytes))
    return 0
}

/// Whether two lists of name/value pairs are equal.
private func same(_ a: [(String, String)], _ b: [(String, String)]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
}
