/// Why an image could not be decoded or encoded. Each case names one way input goes wrong.
public enum CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input has no bytes at all.
    case empty
    /// The bytes are neither JPEG nor PNG.
    case unrecognizedFormat
    /// A format-specific decoder was given another format's bytes (e.g. a PNG named `.jpg` given to the JPEG decoder).
    case formatMismatch(expected: ImageFileFormat, found: ImageFileFormat?)
    /// The data stops before the image is complete.
    case truncated(String)
    /// The data is damaged or not a valid stream of its format.
    case corrupt(String)
    /// The header declares more pixels than allowed (decompression-bomb guard), or a zero / absurd size.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The header declares an image with no pixels.
    case zeroSize
    /// A valid file that this decoder does not handle.
    case unsupported(String)
    /// Encoding failed (message from the codec).
    case encodeFailed(String)
    /// The file could not be read.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .empty: "empty file (zero bytes)"
        case .unrecognizedFormat: "not a JPEG or PNG image"
        case .formatMismatch(let expected, let found):
            "expected \(expected.rawValue.uppercased()) data but found \(found.map { $0.rawValue.uppercased() } ?? "unknown bytes")"
        case .truncated(let m): "truncated image data (\(m))"
        case .corrupt(let m): "corrupt image data (\(m))"
        case .tooLarge(let w, let h, let limit):
            "image is \(w)x\(h) = \(w * h) pixels, above the limit of \(limit) (raise it with --max-pixels)"
        case .zeroSize: "image has zero width or height"
        case .unsupported(let m): "unsupported image (\(m))"
        case .encodeFailed(let m): "encoding failed (\(m))"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
