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
        guard let boundary = MultipartFormData.parameter("boundary", in: type), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw Failure(.badRequest, "The upload has no multipart boundary.")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: RepairPhotos.maximumBytes) } catch {
            throw Failure(.contentTooLarge, "The upload is larger than \(RepairPhotos.maximumBytes >> 20) MB.")
        }
        return MultipartFormData.fields([UInt8](buffer.readableBytesView), boundary: boundary,
                                        maxFieldBytes: configuration.maxFormBytes)
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
