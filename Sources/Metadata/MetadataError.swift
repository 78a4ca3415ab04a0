/// Why a JPEG's metadata could not be read.
///
/// Thrown only when the structure of the file is unusable. Garbage inside an optional tag (a zero
/// denominator, a latitude of 400°, an unparsable XMP number) drops that tag instead.
public enum MetadataError: Error, Sendable, Equatable {
    /// The bytes do not start with the JPEG start-of-image marker `FF D8`.
    case notAJPEG
    /// A marker segment's length runs past the end of the data.
    /// `marker`: the segment's marker byte (`0xE1` for APP1); `offset`: where the segment starts.
    case truncatedSegment(marker: UInt8, offset: Int)
    /// The data ended between segments, before the start-of-scan marker.
    case unexpectedEnd(offset: Int)
    /// A byte other than `FF` where a marker was expected, or a segment length below 2.
    case invalidMarker(offset: Int)
    /// The EXIF block's TIFF header is neither `II*\0` nor `MM\0*`, or it is shorter than 8 bytes.
    case badTIFFHeader
    /// An IFD offset (IFD0, Exif IFD or GPS IFD) points outside the TIFF block.
    case ifdOffsetOutOfRange(offset: Int)
    /// An IFD's entry table runs past the end of the TIFF block.
    case truncatedIFD(offset: Int)
    /// An IFD pointer leads back to an IFD already read.
    case ifdLoop(offset: Int)
}
