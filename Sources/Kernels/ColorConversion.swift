import ImagingCore

/// Colour to luma conversion.
public enum ColorConversion {
    /// BT.601 luma weights in 8-bit fixed point: Y = (77 R + 150 G + 29 B + 128) >> 8.
    /// Within 1 level of libjpeg's 16-bit weights (19595, 38470, 7471) for every RGB triple.
    public static let lumaWeights: (red: UInt16, green: UInt16, blue: UInt16) = (77, 150, 29)

    /// RGB or RGBA to gray (BT.601). A gray source is copied.
    /// - Parameters: src: (H, W) rgb8, rgba8 or gray8; threads: bands run concurrently (≥ 1).
    /// - Returns: (H, W) gray8.
    public static func gray(_ src: PixelBuffer, threads: Int = 1) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        gray(src, into: &dst, threads: threads)
        return dst
    }

    /// RGB or RGBA to gray into an existing buffer.
    /// - Parameters: src: (H, W) rgb8, rgba8 or gray8; dst: (H, W) gray8 (precondition); threads: ≥ 1.
    public static func gray(_ src: PixelBuffer, into dst: inout PixelBuffer, threads: Int = 1) {
        checkSameSize(src, dst)
        guard src.width > 0 && src.height > 0 else { return }
        let w = src.width, channels = src.format.channels, ss = src.rowStride, ds = dst.rowStride
        unsafe src.readPixels { s in
            unsafe dst.writePixels { d in
                Parallelism.forEachBand(rows: src.height, threads: threads) { rows in
                    for y in rows {
                        let sp = unsafe s + y * ss, dp = unsafe d + y * ds
                        switch channels {
                        case 3: unsafe grayRow3(sp, dp, w)
                        case 4: unsafe grayRow4(sp, dp, w)
                        default: unsafe dp.update(from: sp, count: w)
                        }
                    }
                }
            }
        }
    }

    /// Scalar twin of ``gray(_:threads:)``.
    public static func grayReference(_ src: PixelBuffer) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        for y in 0..<src.height {
            for x in 0..<src.width {
                if src.format == .gray8 {
                    dst[x, y] = src[x, y]
                    continue
                }
                let r = Int(src[x, y, channel: 0]), g = Int(src[x, y, channel: 1]), b = Int(src[x, y, channel: 2])
                dst[x, y] = UInt8((r * 77 + g * 150 + b * 29 + 128) >> 8)
            }
        }
        return dst
    }
}

// The stride-3 load below is vectorised by LLVM (interleaved access groups); written with SIMD16 lanes
// and element shuffles it ran 2x slower here, and with per-lane gathers 40x slower.
private func grayRow3(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, _ w: Int) {
    for i in 0..<w {
        let r = unsafe UInt16(s[3 &* i]), g = unsafe UInt16(s[3 &* i &+ 1]), b = unsafe UInt16(s[3 &* i &+ 2])
        unsafe d[i] = UInt8(truncatingIfNeeded: (r &* 77 &+ g &* 150 &+ b &* 29 &+ 128) &>> 8)
    }
}

private func grayRow4(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, _ w: Int) {
    for i in 0..<w {
        let r = unsafe UInt16(s[4 &* i]), g = unsafe UInt16(s[4 &* i &+ 1]), b = unsafe UInt16(s[4 &* i &+ 2])
        unsafe d[i] = UInt8(truncatingIfNeeded: (r &* 77 &+ g &* 150 &+ b &* 29 &+ 128) &>> 8)
    }
}
