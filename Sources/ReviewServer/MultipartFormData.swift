import Foundation

/// The pure parsing behind the field crew's upload form (`multipart/form-data`, RFC 7578), apart from the routes so
/// that it has no Hummingbird dependency: `Fuzz/run forms` compiles this file into its harness.
enum MultipartFormData {
    /// The fields and the `photo` file of a whole `multipart/form-data` body.
    /// - Parameters: body: the body's bytes; boundary: the `boundary` parameter of its `Content-Type`;
    ///   maxFieldBytes: longest field value kept (longer ones are left out).
    /// - Returns: the named fields (UTF-8, invalid sequences replaced) and the `photo` part's bytes, if any.
    static func fields(_ body: [UInt8], boundary: String, maxFieldBytes: Int) -> (fields: [String: String], photo: [UInt8]?) {
        var fields: [String: String] = [:], photo: [UInt8]?
        for part in parts(body, boundary: boundary) {
            // Content-Disposition: form-data; name="…"; filename="…"
            let disposition = part.headers.split(whereSeparator: \.isNewline)
                .first { $0.lowercased().hasPrefix("content-disposition:") }.map(String.init) ?? ""
            guard let name = parameter("name", in: disposition) else { continue }
            if name == "photo" {
                photo = part.data
            } else if part.data.count <= maxFieldBytes {
                fields[name] = String(decoding: part.data, as: UTF8.self)
            }
        }
        return (fields, photo)
    }

    /// The parts of a whole `multipart/form-data` body (RFC 7578): each starts after a `--BOUNDARY` line, has a
    /// header block ended by an empty line, and ends before `CRLF --BOUNDARY`; `--BOUNDARY--` closes the body.
    static func parts(_ body: [UInt8], boundary: String) -> [(headers: String, data: [UInt8])] {
        let delimiter = Array(("--" + boundary).utf8), crlf: [UInt8] = [13, 10]
        func find(_ needle: [UInt8], from: Int) -> Int? {
            guard let first = needle.first, from >= 0 else { return nil }
            var i = from
            while i + needle.count <= body.count {
                guard let j = body[i...].firstIndex(of: first), j + needle.count <= body.count else { return nil }
                if body[j..<(j + needle.count)].elementsEqual(needle) { return j }
                i = j + 1
            }
            return nil
        }
        var parts: [(headers: String, data: [UInt8])] = []
        var at = find(delimiter, from: 0)
        while let d = at {
            let afterDelimiter = d + delimiter.count
            if afterDelimiter + 1 < body.count && body[afterDelimiter] == 45 && body[afterDelimiter + 1] == 45 { break }
            guard let eol = find(crlf, from: afterDelimiter), let headerEnd = find(crlf + crlf, from: eol) else { break }
            let headers = eol == headerEnd ? "" : String(decoding: body[(eol + 2)..<headerEnd], as: UTF8.self)
            let start = headerEnd + 4
            guard let next = find(crlf + delimiter, from: start) else { break }
            parts.append((headers, Array(body[start..<next])))
            at = next + 2
        }
        return parts
    }

    /// A quoted parameter of a header value (`name="note"` → `note`).
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let kv = piece.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            return kv[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
