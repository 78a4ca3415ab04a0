import ImagingCore

/// CMYK → RGB / gray for the rare CMYK and YCCK JPEGs (Adobe convention: stored inverted, so
/// R = C·K / 255 on the stored values).
enum CMYKConversion {
    static func convert(_ cmyk: [UInt8], width: Int, height: Int, to format: PixelFormat) -> PixelBuffer {
        let srcStride = (width * 4 + PixelBuffer.rowAlignment - 1) / PixelBuffer.rowAlignment * PixelBuffer.rowAlignment
        var out = PixelBuffer(width: width, height: height, format: format)
        let ch = format.channels
        for y in 0..<height {
            for x in 0..<width {
                let s = y * srcStride + x * 4
                let k = UInt32(cmyk[s + 3])
                let r = (UInt32(cmyk[s]) * k + 127) / 255
                let g = (UInt32(cmyk[s + 1]) * k + 127) / 255
                let b = (UInt32(cmyk[s + 2]) * k + 127) / 255
                let d = y * out.rowStride + x * ch
                if format == .gray8 {
                    // BT.601 luma with libjpeg's fixed-point weights.
                    out.bytes[d] = UInt8((19595 * r + 38470 * g + 7471 * b + 32768) >> 16)
                } else {
                    out.bytes[d] = UInt8(r)
                    out.bytes[d + 1] = UInt8(g)
                    out.bytes[d + 2] = UInt8(b)
                    if ch == 4 { out.bytes[d + 3] = 255 }
                }
            }
        }
        return out
    }
}
