// libFuzzer harness for the JPEG and PNG decoders (and the metadata parser they call).
// Run: Fuzz/run-decoders [SECONDS]
import Codecs

@c(LLVMFuzzerTestOneInput)
public func fuzzDecoders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = unsafe Array(UnsafeBufferPointer(start: data, count: size))
    // A small pixel limit keeps each run fast; the limit check itself is part of what is fuzzed.
    let options = DecodeOptions(format: .rgb8, maxPixels: 4_000_000)
    _ = try? ImageDecoder.decode(bytes, options: options)
    _ = try? JPEGDecoder.decode(bytes, options: DecodeOptions(format: .gray8, scale: .quarter, maxPixels: 4_000_000))
    _ = try? PNGDecoder.decode(bytes, options: DecodeOptions(format: .gray8, maxPixels: 4_000_000))
    return 0
}
