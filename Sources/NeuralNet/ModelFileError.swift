/// Why a model file cannot be read. Each damaged-file case has its own error; a damaged file never yields a
/// network.
public enum ModelFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file ends before the `expected` number of bytes (header or weights cut off).
    case truncated(expected: Int, actual: Int)
    /// The first 8 bytes are not the Pavewatch model magic (not a model file, or mangled by a text transfer).
    case badMagic
    /// A format version this reader does not know.
    case unsupportedVersion(major: Int, minor: Int)
    /// Header fields that contradict each other (offsets, alignment, sizes).
    case corruptHeader(String)
    /// The CRC-32 of the metadata and weights does not match the header.
    case checksumMismatch(expected: UInt32, actual: UInt32)
    /// Bytes after the last weight.
    case trailingBytes(Int)
    /// The metadata is not valid JSON of the expected shape.
    case invalidMetadata(String)
    /// The weights do not fit the stored architecture, or the architecture is not the one asked for.
    case architectureMismatch(String)
    /// A weight is NaN or infinite.
    case nonFiniteWeight(index: Int)

    public var description: String {
        switch self {
        case .truncated(let e, let a): "model file truncated: \(a) bytes, expected \(e)"
        case .badMagic: "not a Pavewatch model file (bad magic number)"
        case .unsupportedVersion(let ma, let mi): "model file format version \(ma).\(mi) is not supported (reader: \(ModelFile.majorVersion).x)"
        case .corruptHeader(let m): "model file header corrupt: \(m)"
        case .checksumMismatch(let e, let a): "model file checksum mismatch: header says \(hex(e)), content has \(hex(a))"
        case .trailingBytes(let n): "model file has \(n) unexpected bytes after the weights"
        case .invalidMetadata(let m): "model file metadata invalid: \(m)"
        case .architectureMismatch(let m): "model file is for another architecture: \(m)"
        case .nonFiniteWeight(let i): "model file weight \(i) is not finite"
        }
    }
}

private func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
