import Foundation
import ImagingCore
import Metadata

/// A decoded frame with the metadata read from its file.
public struct DecodedImage: Sendable {
    /// Pixels, upright when orientation was applied.
    public var pixels: PixelBuffer
    /// The container format found by content (not by file name).
    public var fileFormat: ImageFileFormat
    /// EXIF / XMP metadata (empty for PNG and for JPEGs without any).
    public var metadata: ImageMetadata
}

/// The entry point for reading frames: sniffs the format from the bytes, checks the size against the
/// pixel limit before allocating, decodes, and turns JPEGs upright by their EXIF orientation.
public enum ImageDecoder {
    /// Decodes bytes of either format.
    /// - Throws: ``CodecError`` (empty, unrecognized format, truncated, corrupt, too large…).
    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws(CodecError) -> DecodedImage {
        if bytes.isEmpty { throw .empty }
        switch ImageFileFormat.sniff(bytes) {
        case .jpeg:
            // Metadata problems never stop a decode: a frame without readable EXIF is still a frame.
            let metadata = (try? ImageMetadata.parse(jpeg: bytes)) ?? ImageMetadata()
            var pixels = try JPEGDecoder.decode(bytes, options: options)
            if options.applyOrientation, let o = metadata.orientation, o != 1 {
                pixels = pixels.applyingEXIFOrientation(o)
            }
            return DecodedImage(pixels: pixels, fileFormat: .jpeg, metadata: metadata)
        case .png:
            let pixels = try PNGDecoder.decode(bytes, options: options)
            return DecodedImage(pixels: pixels, fileFormat: .png, metadata: ImageMetadata())
        case nil:
            throw .unrecognizedFormat
        }
    }

    /// Reads and decodes a file.
    /// - Throws: ``CodecError/unreadable(path:reason:)`` when the file cannot be read, else as ``decode(_:options:)``.
    public static func decode(path: String, options: DecodeOptions = DecodeOptions()) throws(CodecError) -> DecodedImage {
        try decode(readFile(path), options: options)
    }

    /// The whole file as bytes.
    /// - Throws: ``CodecError/unreadable(path:reason:)``.
    public static func readFile(_ path: String) throws(CodecError) -> [UInt8] {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
            return [UInt8](data)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
    }
}
