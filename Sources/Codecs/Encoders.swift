import CPNG
import CTurboJPEG
import ImagingCore

/// JPEG and PNG encoding, for overlay images and defect crops.
public enum ImageEncoder {
    /// Encodes to JPEG with TurboJPEG (4:2:0 chroma for colour, gray stays one channel; alpha is dropped).
    /// - Parameters: image: gray8, rgb8 or rgba8; quality: 1...100.
    /// - Throws: ``CodecError/encodeFailed(_:)``, ``CodecError/zeroSize``.
    public static func jpeg(_ image: PixelBuffer, quality: Int = 90) throws(CodecError) -> [UInt8] {
        if image.width == 0 || image.height == 0 { throw .zeroSize }
        let handle = try TurboHandle(decompress: false)
        let pf: Int32
        let subsamp: Int32
        switch image.format {
        case .gray8: pf = Int32(TJPF_GRAY.rawValue); subsamp = Int32(TJSAMP_GRAY.rawValue)
        case .rgb8: pf = Int32(TJPF_RGB.rawValue); subsamp = Int32(TJSAMP_420.rawValue)
        case .rgba8: pf = Int32(TJPF_RGBA.rawValue); subsamp = Int32(TJSAMP_420.rawValue)
        }
        var outPtr: UnsafeMutablePointer<UInt8>? = nil
        var outSize: UInt = 0
        let rc = unsafe image.bytes.withUnsafeBufferPointer { src in
            unsafe tjCompress2(handle.raw, src.baseAddress, Int32(image.width), Int32(image.rowStride),
                               Int32(image.height), pf, &outPtr, &outSize, subsamp,
                               Int32(max(1, min(100, quality))), 0)
        }
        defer { if let p = unsafe outPtr { unsafe tjFree(p) } }
        guard rc == 0, let p = unsafe outPtr else { throw .encodeFailed(handle.errorMessage) }
        return unsafe Array(UnsafeBufferPointer(start: p, count: Int(outSize)))
    }

    /// Encodes to PNG with libpng's simplified writer (8-bit gray, RGB or RGBA).
    /// - Throws: ``CodecError/encodeFailed(_:)``, ``CodecError/zeroSize``.
    public static func png(_ image: PixelBuffer) throws(CodecError) -> [UInt8] {
        if image.width == 0 || image.height == 0 { throw .zeroSize }
        var desc = png_image()
        desc.version = UInt32(PNG_IMAGE_VERSION)
        desc.width = UInt32(image.width)
        desc.height = UInt32(image.height)
        switch image.format {
        case .gray8: desc.format = PNGFormat.gray
        case .rgb8: desc.format = PNGFormat.rgb
        case .rgba8: desc.format = PNGFormat.rgba
        }
        var size = 0
        let stride = Int32(image.rowStride)
        let sized = unsafe image.bytes.withUnsafeBufferPointer { src in
            unsafe png_image_write_to_memory(&desc, nil, &size, 0, src.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else {
            let m = PNGDecoder.message(of: desc)
            unsafe png_image_free(&desc)
            throw .encodeFailed(m)
        }
        var out = [UInt8](repeating: 0, count: size)
        let ok = unsafe out.withUnsafeMutableBytes { dst in
            unsafe image.bytes.withUnsafeBufferPointer { src in
                unsafe png_image_write_to_memory(&desc, dst.baseAddress, &size, 0, src.baseAddress, stride, nil)
            }
        }
        let m = PNGDecoder.message(of: desc)
        unsafe png_image_free(&desc)
        guard ok != 0 else { throw .encodeFailed(m) }
        return Array(out.prefix(size))
    }
}
