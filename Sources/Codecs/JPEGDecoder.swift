import CTurboJPEG
import ImagingCore

/// The colour model stored in a JPEG stream.
public enum JPEGColorspace: String, Sendable, Hashable {
    case rgb, ycbcr, gray, cmyk, ycck

    init(tj: Int32) {
        switch tj {
        case Int32(TJCS_RGB.rawValue): self = .rgb
        case Int32(TJCS_GRAY.rawValue): self = .gray
        case Int32(TJCS_CMYK.rawValue): self = .cmyk
        case Int32(TJCS_YCCK.rawValue): self = .ycck
        default: self = .ycbcr
        }
    }
}

/// What a JPEG header says, read without decoding any pixels.
public struct JPEGHeader: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let colorspace: JPEGColorspace
}

/// JPEG decoding through TurboJPEG (libjpeg-turbo), whose API reports errors by return code:
/// no `longjmp` ever crosses a Swift frame. Baseline, progressive, restart markers; gray, RGB, YCbCr, CMYK, YCCK.
public enum JPEGDecoder {
    /// Reads the frame size and colour model.
    /// - Parameters: bytes: a whole JPEG file in memory.
    /// - Throws: ``CodecError/empty``, ``CodecError/formatMismatch(expected:found:)``, ``CodecError/truncated(_:)``,
    ///   ``CodecError/corrupt(_:)``.
    public static func readHeader(_ bytes: [UInt8]) throws(CodecError) -> JPEGHeader {
        try checkSignature(bytes)
        let handle = try TurboHandle(decompress: true)
        return try handle.header(bytes)
    }

    /// Decodes a JPEG to `options.format`, downscaled in the DCT domain by `options.scale`.
    /// EXIF orientation is not applied here (see ``ImageDecoder``).
    /// - Parameters: bytes: a whole JPEG file in memory; options: output format, scale and pixel limit.
    /// - Returns: (scaled H, scaled W) buffer of `options.format`, rows padded to 64 bytes.
    /// - Throws: ``CodecError`` naming the problem: empty, not a JPEG, truncated, corrupt, too large.
    public static func decode(_ bytes: [UInt8], options: DecodeOptions = DecodeOptions()) throws(CodecError) -> PixelBuffer {
        try checkSignature(bytes)
        let handle = try TurboHandle(decompress: true)
        let header = try handle.header(bytes)
        try options.checkSize(width: header.width, height: header.height)
        let width = options.scale.scaled(header.width)
        let height = options.scale.scaled(header.height)
        switch header.colorspace {
        case .cmyk, .ycck:
            let cmyk = try handle.decompress(bytes, width: width, height: height, channels: 4,
                                             pixelFormat: Int32(TJPF_CMYK.rawValue))
            return CMYKConversion.convert(cmyk, width: width, height: height, to: options.format)
        default:
            let pf: Int32
            switch options.format {
            case .gray8: pf = Int32(TJPF_GRAY.rawValue)
            case .rgb8: pf = Int32(TJPF_RGB.rawValue)
            case .rgba8: pf = Int32(TJPF_RGBA.rawValue)
            }
            let out = try handle.decompress(bytes, width: width, height: height,
                                            channels: options.format.channels, pixelFormat: pf)
            return PixelBuffer(width: width, height: height, format: options.format,
                               rowStride: PixelBuffer.alignedStride(width: width, format: options.format), bytes: out)
        }
    }

    static func checkSignature(_ bytes: [UInt8]) throws(CodecError) {
        if bytes.isEmpty { throw .empty }
        let found = ImageFileFormat.sniff(bytes)
        if found != .jpeg { throw .formatMismatch(expected: .jpeg, found: found) }
    }
}

/// Owns one TurboJPEG handle; every call that touches libjpeg-turbo goes through here.
@safe final class TurboHandle {
    let raw: tjhandle

    init(decompress: Bool) throws(CodecError) {
        guard let h = unsafe (decompress ? tjInitDecompress() : tjInitCompress()) else {
            throw .unsupported("TurboJPEG could not be initialised")
        }
        unsafe raw = h
    }

    deinit { unsafe _ = tjDestroy(raw) }

    var errorMessage: String { unsafe String(cString: tjGetErrorStr2(raw)) }
    var lastWasWarning: Bool { unsafe tjGetErrorCode(raw) == Int32(TJERR_WARNING.rawValue) }

    /// Maps a libjpeg message to the error a user should see.
    func classify(_ message: String) -> CodecError {
        let lower = message.lowercased()
        if lower.contains("premature end") || lower.contains("no image") || lower.contains("insufficient data") {
            return .truncated(message)
        }
        return .corrupt(message)
    }

    func header(_ bytes: [UInt8]) throws(CodecError) -> JPEGHeader {
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, cs: Int32 = 0
        let rc = unsafe bytes.withUnsafeBufferPointer { buf in
            unsafe tjDecompressHeader3(raw, buf.baseAddress, UInt(buf.count), &w, &h, &subsamp, &cs)
        }
        if rc != 0 { throw classify(errorMessage) }
        // TurboJPEG reports success with a zero size when the data ends before the frame header.
        if w == 0 || h == 0 { throw .truncated("data ends before the frame header") }
        return JPEGHeader(width: Int(w), height: Int(h), colorspace: JPEGColorspace(tj: cs))
    }

    /// Decompresses into a new array of `height` rows of the aligned stride; padding bytes are zeroed.
    /// A warning about premature end of data is an error (``CodecError/truncated(_:)``); other warnings
    /// (extraneous bytes and the like, common in camera files) are tolerated.
    func decompress(_ bytes: [UInt8], width: Int, height: Int, channels: Int, pixelFormat: Int32) throws(CodecError) -> [UInt8] {
        let rowBytes = width * channels
        let stride = (rowBytes + PixelBuffer.rowAlignment - 1) / PixelBuffer.rowAlignment * PixelBuffer.rowAlignment
        var failure: CodecError?
        let out = unsafe [UInt8](unsafeUninitializedCapacity: stride * height) { dst, initialized in
            func run(_ flags: Int32) -> Int32 {
                unsafe bytes.withUnsafeBufferPointer { src in
                    unsafe tjDecompress2(raw, src.baseAddress, UInt(src.count), dst.baseAddress,
                                         Int32(width), Int32(stride), Int32(height), pixelFormat, flags)
                }
            }
            var rc = run(Int32(TJFLAG_STOPONWARNING))
            if rc != 0 {
                let message = errorMessage
                let error = classify(message)
                if case .truncated = error {
                    failure = error
                } else if lastWasWarning {
                    rc = run(0)
                    if rc != 0 { failure = classify(errorMessage) }
                } else {
                    failure = error
                }
            }
            if failure == nil && stride > rowBytes {
                for y in 0..<height {
                    unsafe (dst.baseAddress! + y * stride + rowBytes).initialize(repeating: 0, count: stride - rowBytes)
                }
            }
            if failure != nil {
                unsafe dst.initialize(repeating: 0)
            }
            initialized = stride * height
        }
        if let failure { throw failure }
        return out
    }
}
