import Foundation
import Hummingbird
import NIOCore
import Tickets

/// The field crew's side: "fixed" with an optional photo (``RepairPhotos``), and the photos beside the later surveys'
/// views of the spot on the defect page (repair verification at a glance).
extension ReviewRoutes {
    /// The fields and the `photo` file of a `multipart/form-data` body of at most ``RepairPhotos/maximumBytes``.
    func uploadForm(_ request: Request) async throws -> ([String: String], [UInt8]?) {
        let type = request.headers[.contentType] ?? ""
        guard let boundary = Self.parameter("boundary", in: type), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw Failure(.badRequest, "The upload has no multipart boundary.")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: RepairPhotos.maximumBytes) } catch {
            throw Failure(.contentTooLarge, "The upload is larger than \(RepairPhotos.maximumBytes >> 20) MB.")
        }
        var fields: [String: String] = [:], photo: [UInt8]?
        for part in Self.formParts([UInt8](buffer.readableBytesView), boundary: boundary) {
            // Content-Disposition: form-data; name="…"; filename="…"
            let disposition = part.headers.split(whereSeparator: \.isNewline)
                .first { $0.lowercased().hasPrefix("content-disposition:") }.map(String.init) ?? ""
            guard let name = Self.parameter("name", in: disposition) else { continue }
            if name == "photo" {
                photo = part.data
            } else if part.data.count <= configuration.maxFormBytes {
                fields[name] = String(decoding: part.data, as: UTF8.self)
            }
        }
        return (fields, photo)
    }

    /// The parts of a whole `multipart/form-data` body (RFC 7578): each starts after a `--BOUNDARY` line, has a
    /// header block ended by an empty line, and ends before `CRLF --BOUNDARY`; `--BOUNDARY--` closes the body.
    static func formParts(_ body: [UInt8], boundary: String) -> [(headers: String, data: [UInt8])] {
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

    /// `GET /tickets/{id}/repair-photos/{name}`: a stored photo (names of the store's own pattern only).
    func repairPhoto(ticketId: Int64, name: String) throws -> Response {
        guard let dir = configuration.photoDirectory, RepairPhotos.isPhotoName(name, ticketId: ticketId),
              let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(name)) else {
            throw Failure(.notFound, "No such photo.")
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: [UInt8](data))))
    }

    /// The defect page's section of repair photos, each beside the first survey view of the spot taken after it.
    func repairSection(ticketId: Int64, findings: [FindingRecord], frames: [Int64: FrameRecord]) -> String {
        guard let dir = configuration.photoDirectory else { return "" }
        let photos = RepairPhotos(directory: dir).photos(ticketId: ticketId)
        guard !photos.isEmpty else { return "" }
        let iso = ISO8601DateFormatter()
        var out = "<h2>Repair photos</h2><div id=\"repair\">\n"
        for p in photos {
            let position = p.latitude.flatMap { lat in p.longitude.map { String(format: "at %.6f, %.6f", lat, $0) } } ?? "no position in the photo"
            // The first sighting captured after the repair, if a later survey saw the spot.
            let later = findings.filter { rec in
                guard let t = frames[rec.frameId]?.capturedAt.flatMap(iso.date(from:)) else { return false }
                return t > p.uploadedAt
            }.first
            let verification = later.flatMap { rec in rec.id.map {
                "<figure><img class=\"crop\" src=\"/tickets/\(ticketId)/findings/\($0)/crop.png\" alt=\"the spot in a later survey\"><figcaption>Seen again by a later survey (\(HTML.escape(frames[rec.frameId]?.capturedAt ?? ""))): not repaired, or a new defect</figcaption></figure>"
            } } ?? "<p class=\"note\">No later survey has seen the spot yet.</p>"
            out += """
            <div class="side-by-side"><figure><img class="crop" src="/tickets/\(ticketId)/repair-photos/\(HTML.escape(p.file))" alt="repair photo by \(HTML.escape(p.actor))">
            <figcaption>\(HTML.escape(p.actor)), \(iso.string(from: p.uploadedAt)), \(position)</figcaption></figure>\(verification)</div>\n
            """
        }
        return out + "</div>\n"
    }
}
