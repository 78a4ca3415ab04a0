// libFuzzer entry point for the Metadata parsers (JPEG APP1 walk, EXIF/TIFF, XMP, SRT).
// Built by Fuzz/run-metadata-fuzz.sh together with Sources/Metadata/*.swift; not part of the package build.

@_cdecl("LLVMFuzzerTestOneInput")
public func metadataFuzzInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(unsafe UnsafeBufferPointer(start: data, count: size))
    // Whole input as a JPEG; as a bare TIFF block; as an XMP packet.
    do throws(MetadataError) { _ = try ImageMetadata.parse(jpeg: bytes) } catch {}
    do throws(MetadataError) { _ = try ImageMetadata.parse(exifTIFF: bytes) } catch {}
    _ = ImageMetadata.parse(xmp: bytes)
    fuzzExtraParsers(bytes)
    return 0
}
