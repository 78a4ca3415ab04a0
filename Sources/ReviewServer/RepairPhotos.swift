import Codecs
import Foundation
import ImagingCore
import Reports

/// Photos a field crew takes when it marks a defect fixed, kept in a folder beside the database
/// (`serve --photos DIR`): each upload is decoded (a JPEG or PNG within ``RepairPhotos/maximumPixels``), its EXIF
/// position read, and only a re-encoded JPEG (long side at most 2,048 px, no metadata) stored as
/// `ticket-ID-MILLISECONDS.jpg`, listed with its position, time and uploader in `ticket-ID.json`. Nothing of the
/// upload's own file name reaches the disk.
struct RepairPhotos: Sendable {
    /// One stored photo.
    struct Photo: Codable, Sendable, Hashable {
        var file: String
        var uploadedAt: Date
        var actor: String
        var latitude: Double?
        var longitude: Double?
    }

    /// The folder.
    let directory: String
    /// Largest upload body, bytes.
    static let maximumBytes = 15 << 20
    /// Largest decoded photo, pixels (a 48 MP phone camera).
    static let maximumPixels = 50_000_000

    /// Errors of an upload, said to the crew.
    struct Failure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// The photos of a ticket, oldest first.
    func photos(ticketId: Int64) -> [Photo] {
        guard let data = FileManager.default.contents(atPath: listPath(ticketId)) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([Photo].self, from: data)) ?? []
    }

    func listPath(_ ticketId: Int64) -> String { (directory as NSString).appendingPathComponent("ticket-\(ticketId).json") }

    /// Whether `name` is a stored photo file name of `ticketId` (the only names served).
    static func isPhotoName(_ name: String, ticketId: Int64) -> Bool {
        let prefix = "ticket-\(ticketId)-"
        guard name.hasPrefix(prefix), name.hasSuffix(".jpg") else { return false }
        let digits = name.dropFirst(prefix.count).dropLast(4)
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    /// Decodes, re-encodes and stores an uploaded photo.
    /// - Throws: ``Failure`` for a file that is not a readable JPEG / PNG or is too large; file-system errors.
    func store(_ bytes: [UInt8], ticketId: Int64, actor: String, now: Date = Date()) throws -> Photo {
        let decoded: DecodedImage
        do {
            decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(format: .rgb8, maxPixels: Self.maximumPixels))
        } catch {
            throw Failure(description: "The photo is not a readable JPEG or PNG (\(error)).")
        }
        var image = decoded.pixels
        var factor = 1
        while max(image.width, image.height) / factor > 2048 { factor += 1 }
        if factor > 1 { image = SurveyReport.downscale(image, by: factor) }
        let jpeg = try ImageEncoder.jpeg(image, quality: 85)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let name = "ticket-\(ticketId)-\(Int64(now.timeIntervalSince1970 * 1000)).jpg"
        try Data(jpeg).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(name)), options: .atomic)
        let photo = Photo(file: name, uploadedAt: now, actor: actor, latitude: decoded.metadata.latitude,
                          longitude: decoded.metadata.longitude)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(photos(ticketId: ticketId) + [photo]).write(to: URL(fileURLWithPath: listPath(ticketId)), options: .atomic)
        return photo
    }
}
