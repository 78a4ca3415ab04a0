// libFuzzer harness "metadata": the image metadata parsers (JPEG APP1 walk, EXIF/TIFF, XMP with DJI fields).
// Invariant: a GPS position, when one is read, is a position on Earth.
import Metadata

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMetadata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    // The whole input as a JPEG; as a bare TIFF block; as an XMP packet.
    do throws(MetadataError) { check(try ImageMetadata.parse(jpeg: bytes)) } catch {}
    do throws(MetadataError) { check(try ImageMetadata.parse(exifTIFF: bytes)) } catch {}
    check(ImageMetadata.parse(xmp: bytes))
    return 0
}

/// Checks the position of parsed metadata.
private func check(_ m: ImageMetadata) {
    if let lat = m.latitude { invariant(abs(lat) <= 90, "latitude \(lat)") }
    if let lon = m.longitude { invariant(abs(lon) <= 180, "longitude \(lon)") }
}
