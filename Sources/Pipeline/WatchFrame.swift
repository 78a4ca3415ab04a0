import Foundation

/// One encoded frame received by `pavewatch watch`, before decoding.
public struct WatchFrame: Sendable {
    /// Where it came from: a file path, or `SOURCE#N` for the N-th frame of a stream.
    public var name: String
    /// The encoded image (JPEG or PNG).
    public var bytes: [UInt8]
    /// When it was received.
    public var receivedAt: Date

    /// Creates a frame.
    public init(name: String, bytes: [UInt8], receivedAt: Date = Date()) {
        self.name = name
        self.bytes = bytes
        self.receivedAt = receivedAt
    }
}

/// Whether the bytes of an image file are complete: a JPEG ends with its EOI marker (`FF D9`, possibly
/// followed by padding), a PNG holds its `IEND` chunk. Used to tell a file still being written from a finished one.
public enum ImageCompleteness {
    /// - Parameters: bytes: the file's bytes so far.
    /// - Returns: `true` for a JPEG ending in EOI or a PNG with IEND; `false` otherwise (including other formats).
    public static func isComplete(_ bytes: [UInt8]) -> Bool {
        if bytes.count >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8 {
            // Trailing zero padding after EOI is tolerated.
            var end = bytes.count
            while end > 2 && bytes[end - 1] == 0x00 && bytes.count - end < 4096 { end -= 1 }
            return end >= 4 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9
        }
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 20 && Array(bytes[0..<8]) == pngSignature {
            // IEND: length 0, type "IEND", CRC AE 42 60 82, at the end.
            let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            return Array(bytes.suffix(12)) == iend
        }
        return false
    }
}
