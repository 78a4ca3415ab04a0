import CPNG
import ImagingCore

/// PNG decoding through libpng's simplified API (`png_image_*`), which catches libpng's own `longjmp`
/// errors inside C and reports them by return code and message: no `longjmp` crosses a Swift frame.
/// Gray, gray+alpha, RGB, RGBA, palette, 16-bit (reduced to 8 bits) and interlaced files.
public enum PNGDecoder {
    /// Reads the size without decoding pixels.
    /// - Throws: ``CodecError`` (empty, not a PNG, truncated, corrupt).
    public static func readSize(_ bytes: [UInt8]) throws(CodecError) -> (width: Int, height: Int) {
        try checkSignature(bytes)
        var failure: CodecError?
        var size = (0, 0)
        unsafe bytes.withUnsafeBufferPointer { src in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            if unsafe png_image_begin_read_from_memory(&image, src.baseAddress, src.count) == 0 {
                failure = classify(message(of: image))
            } else {
                size = (Int(image.width), Int(image.height))
            }
            unsafe png_image_free(&image)
        }
        if let failure { throw failure }
        return size
    }

    /// Decodes a PNG to `options.format` (alpha is composited away when the output has none;
    /// colour → gray uses libpng's sRGB-aware conversion). 16-bit samples without a gamma chunk are
    /// taken as sRGB-encoded and reduced to 8 bits.
    /// - Parameters: bytes: a whole PNG file; options: format and pixel limit (`scale` must be `.full`).
    /// - Returns: (H, W) buffer of `options.format`, rows padded to 64 bytes.
    /// - Throws: ``CodecError`` naming the problem.
    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws(CodecError) -> PixelBuffer {
        try checkSignature(bytes)
        guard options.scale == .full else { throw .unsupported("PNG has no reduced-size decode") }
        var failure: CodecError?
        var result: PixelBuffer?
        unsafe bytes.withUnsafeBufferPointer { src in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            defer { unsafe png_image_free(&image) }
            guard unsafe png_image_begin_read_from_memory(&image, src.baseAddress, src.count) != 0 else {
                failure = classify(message(of: image))
                return
            }
            let width = Int(image.width), height = Int(image.height)
            do throws(CodecError) {
                try options.checkSize(width: width, height: height)
            } catch {
                failure = error
                return
            }
            switch options.format {
            case .gray8: image.format = PNGFormat.gray
            case .rgb8: image.format = PNGFormat.rgb
            case .rgba8: image.format = PNGFormat.rgba
            }
            image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            var buffer = PixelBuffer(width: width, height: height, format: options.format)
            let stride = buffer.rowStride
            let ok = unsafe buffer.bytes.withUnsafeMutableBytes { dst in
                unsafe png_image_finish_read(&image, nil, dst.baseAddress, Int32(stride), nil)
            }
            if ok == 0 {
                failure = classify(message(of: image))
                return
            }
            result = buffer
        }
        if let failure { throw failure }
        guard let result else { throw .corrupt("libpng returned no image") }
        return result
    }

    static func checkSignature(_ bytes: [UInt8]) throws(CodecError) {
        if bytes.isEmpty { throw .empty }
        let found = ImageFileFormat.sniff(bytes)
        if found != .png { throw .formatMismatch(expected: .png, found: found) }
    }

    static func message(of image: png_image) -> String {
        var copy = image.message
        return unsafe withUnsafeBytes(of: &copy) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func classify(_ message: String) -> CodecError {
        let lower = message.lowercased()
        if lower.contains("end of data") || lower.contains("not enough") || lower.contains("truncat")
            || lower.contains("eof") || lower.contains("too short") || lower.contains("unexpected end") {
            return .truncated(message)
        }
        return .corrupt(message)
    }
}

/// libpng's simplified-API format codes (`PNG_FORMAT_*`; composite macros Swift does not import).
enum PNGFormat {
    static let gray: UInt32 = 0          // PNG_FORMAT_GRAY
    static let rgb: UInt32 = 0x02        // PNG_FORMAT_FLAG_COLOR
    static let rgba: UInt32 = 0x03       // PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA
}
