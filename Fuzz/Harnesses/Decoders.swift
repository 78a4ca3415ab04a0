// libFuzzer harness "decoders": the JPEG and PNG decoders (and the metadata parser they call).
// Invariant: a decoded image has the asked-for format, a size within the pixel limit, and exactly
// `rowStride × height` bytes with rows at least `width × channels` long.
import Codecs
import ImagingCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    // A small pixel limit keeps each run fast; the limit check itself is part of what is fuzzed.
    let limit = 4_000_000
    check(try? ImageDecoder.decode(bytes, options: DecodeOptions(format: .rgb8, maxPixels: limit)).pixels, .rgb8, limit)
    check(try? JPEGDecoder.decode(bytes, options: DecodeOptions(format: .gray8, scale: .quarter, maxPixels: limit)),
          .gray8, limit)
    check(try? PNGDecoder.decode(bytes, options: DecodeOptions(format: .gray8, maxPixels: limit)), .gray8, limit)
    return 0
}

/// Checks the shape of a decoded image (nothing when decoding failed).
private func check(_ image: PixelBuffer?, _ format: PixelFormat, _ limit: Int) {
    guard let image else { return }
    invariant(image.format == format, "format \(image.format), asked for \(format)")
    invariant(image.width > 0 && image.height > 0 && image.pixelCount <= limit, "size \(image.width)×\(image.height)")
    invariant(image.rowStride >= image.width * format.channels, "row stride \(image.rowStride) for width \(image.width)")
    invariant(image.bytes.count == image.rowStride * image.height,
              "\(image.bytes.count) bytes for \(image.height) rows of \(image.rowStride)")
}
