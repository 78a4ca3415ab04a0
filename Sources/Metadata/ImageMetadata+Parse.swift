extension ImageMetadata {
    /// Reads EXIF and XMP from a JPEG's APP1 segments.
    ///
    /// Walks the marker segments from SOI up to SOS (never the entropy-coded image data) and decodes
    /// the first EXIF APP1 and the first XMP APP1. All offsets are bounds-checked; the input is untrusted.
    /// - Parameters:
    ///   - bytes: the JPEG file (or at least everything up to its SOS marker).
    /// - Returns: the fields found; an empty `ImageMetadata()` when the file has no EXIF or XMP.
    /// - Throws: `MetadataError` when the marker structure or the EXIF TIFF structure is unusable.
    public static func parse(jpeg bytes: some Collection<UInt8>) throws(MetadataError) -> ImageMetadata {
        let segments = try JPEGSegments.app1Payloads(bytes)
        var meta = ImageMetadata()
        if let exif = segments.exif {
            var reader = EXIFReader(tiff: exif)
            try reader.read(into: &meta)
        }
        if let xmp = segments.xmp {
            XMPReader.read(xmp, into: &meta)
        }
        return meta
    }

    /// Reads the fields of an XMP packet (the text of an APP1 XMP segment after its namespace header,
    /// or a sidecar `.xmp` file). Unknown or malformed values are skipped; this never fails.
    /// - Parameters:
    ///   - xmp: UTF-8 bytes of the packet.
    /// - Returns: the XMP fields found.
    public static func parse(xmp: some Collection<UInt8>) -> ImageMetadata {
        var meta = ImageMetadata()
        XMPReader.read(Array(xmp), into: &meta)
        return meta
    }

    /// Reads the fields of a TIFF-structured EXIF block (the APP1 payload after `Exif\0\0`).
    /// - Parameters:
    ///   - tiff: the block, starting with `II*\0` or `MM\0*`.
    /// - Returns: the EXIF fields found.
    /// - Throws: `MetadataError.badTIFFHeader`, `.ifdOffsetOutOfRange`, `.truncatedIFD`, `.ifdLoop`.
    public static func parse(exifTIFF tiff: some Collection<UInt8>) throws(MetadataError) -> ImageMetadata {
        var meta = ImageMetadata()
        var reader = EXIFReader(tiff: Array(tiff))
        try reader.read(into: &meta)
        return meta
    }
}

/// The marker-segment walk of a JPEG header.
enum JPEGSegments {
    static let exifHeader: [UInt8] = Array("Exif".utf8) + [0, 0]
    static let xmpHeader: [UInt8] = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0]

    /// The first EXIF (TIFF block) and first XMP (packet) APP1 payloads before SOS.
    static func app1Payloads(_ bytes: some Collection<UInt8>) throws(MetadataError)
        -> (exif: [UInt8]?, xmp: [UInt8]?)
    {
        var exif: [UInt8]?
        var xmp: [UInt8]?
        var i = bytes.startIndex
        var offset = 0
        /// Next byte, or nil at the end.
        func next() -> UInt8? {
            guard i != bytes.endIndex else { return nil }
            let b = bytes[i]
            bytes.formIndex(after: &i)
            offset += 1
            return b
        }
        guard next() == 0xFF, next() == 0xD8 else { throw .notAJPEG }
        while true {
            let segmentStart = offset
            guard let ff = next() else { throw .unexpectedEnd(offset: segmentStart) }
            guard ff == 0xFF else { throw .invalidMarker(offset: segmentStart) }
            var marker: UInt8 = 0xFF
            while marker == 0xFF {  // fill bytes
                guard let m = next() else { throw .unexpectedEnd(offset: segmentStart) }
                marker = m
            }
            switch marker {
            case 0xDA, 0xD9:  // SOS, EOI: headers are over
                return (exif, xmp)
            case 0x01, 0xD0...0xD7:  // TEM, RSTn: no payload
                continue
            case 0x00:
                throw .invalidMarker(offset: segmentStart)
            default:
                break
            }
            guard let hi = next(), let lo = next() else {
                throw .truncatedSegment(marker: marker, offset: segmentStart)
            }
            let length = Int(hi) << 8 | Int(lo)
            guard length >= 2 else { throw .invalidMarker(offset: segmentStart) }
            let payloadLength = length - 2
            guard let end = bytes.index(i, offsetBy: payloadLength, limitedBy: bytes.endIndex) else {
                throw .truncatedSegment(marker: marker, offset: segmentStart)
            }
            if marker == 0xE1 && (exif == nil || xmp == nil) {
                let payload = bytes[i..<end]
                if exif == nil, payload.starts(with: exifHeader) {
                    exif = Array(payload.dropFirst(exifHeader.count))
                } else if exif == nil, payload.starts(with: exifHeader.prefix(5)), payload.count >= 6 {
                    // Some writers put `Exif\0\xFF` (or another pad byte) before the TIFF header.
                    exif = Array(payload.dropFirst(6))
                } else if xmp == nil, payload.starts(with: xmpHeader) {
                    xmp = Array(payload.dropFirst(xmpHeader.count))
                }
            }
            i = end
            offset += payloadLength
        }
    }
}
