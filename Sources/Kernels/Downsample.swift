import ImagingCore

/// Area (box) downsampling by an integer factor.
public enum Downsample {
    /// Averages `factor` x `factor` blocks. Output is ⌈W / f⌉ x ⌈H / f⌉; each pixel is the rounded mean of
    /// the block's pixels inside the image (edge blocks may be smaller).
    /// Factors 2 and 4 take unrolled SIMD-friendly paths; other factors (≥ 2) the per-block loop.
    /// - Parameters: src: (H, W) gray8; factor: ≥ 2; threads: ≥ 1.
    public static func area(_ src: PixelBuffer, factor: Int, threads: Int = 1) -> PixelBuffer {
        precondition(src.format == .gray8, "downsample takes gray8")
        precondition(factor >= 2, "factor must be at least 2")
        let ow = (src.width + factor - 1) / factor, oh = (src.height + factor - 1) / factor
        var dst = PixelBuffer(width: ow, height: oh, format: .gray8)
        guard ow > 0 && oh > 0 else { return dst }
        let w = src.width, h = src.height, ss = src.rowStride, ds = dst.rowStride
        let fullW = w / factor
        unsafe src.readPixels { s in
            unsafe dst.writePixels { d in
                Parallelism.forEachBand(rows: oh, threads: threads, minimumRows: 4) { rows in
                    for oy in rows {
                        let y0 = oy * factor, o = unsafe d + oy * ds
                        let rowsIn = min(factor, h - y0)
                        var start = 0
                        if rowsIn == factor && (factor == 2 || factor == 4) {
                            if factor == 2 {
                                let a = unsafe s + y0 * ss, b = unsafe a + ss
                                for x in 0..<fullW {
                                    let i = 2 &* x
                                    let t = unsafe UInt16(a[i]) &+ UInt16(a[i &+ 1]) &+ UInt16(b[i]) &+ UInt16(b[i &+ 1])
                                    unsafe o[x] = UInt8(truncatingIfNeeded: (t &+ 2) &>> 2)
                                }
                            } else {
                                let a = unsafe s + y0 * ss, b = unsafe a + ss, c = unsafe b + ss, e = unsafe c + ss
                                for x in 0..<fullW {
                                    let i = 4 &* x
                                    var t = unsafe UInt16(a[i]) &+ UInt16(a[i &+ 1]) &+ UInt16(a[i &+ 2]) &+ UInt16(a[i &+ 3])
                                    t = unsafe t &+ UInt16(b[i]) &+ UInt16(b[i &+ 1]) &+ UInt16(b[i &+ 2]) &+ UInt16(b[i &+ 3])
                                    t = unsafe t &+ UInt16(c[i]) &+ UInt16(c[i &+ 1]) &+ UInt16(c[i &+ 2]) &+ UInt16(c[i &+ 3])
                                    t = unsafe t &+ UInt16(e[i]) &+ UInt16(e[i &+ 1]) &+ UInt16(e[i &+ 2]) &+ UInt16(e[i &+ 3])
                                    unsafe o[x] = UInt8(truncatingIfNeeded: (t &+ 8) &>> 4)
                                }
                            }
                            start = fullW
                        }
                        for ox in start..<ow {
                            let x0 = ox * factor, colsIn = min(factor, w - x0)
                            var t = 0
                            for j in 0..<rowsIn { for i in 0..<colsIn { unsafe t += Int(s[(y0 + j) * ss + x0 + i]) } }
                            let n = rowsIn * colsIn
                            unsafe o[ox] = UInt8((t + n / 2) / n)
                        }
                    }
                }
            }
        }
        return dst
    }

    /// ``area(_:factor:threads:)`` for any pixel format: each channel is split out, reduced by the gray kernel and
    /// interleaved again (so a colour frame's channels get exactly the gray kernel's means).
    /// - Parameters: src: (H, W) of any format; factor: ≥ 2; threads: ≥ 1.
    public static func areaPerChannel(_ src: PixelBuffer, factor: Int, threads: Int = 1) -> PixelBuffer {
        let c = src.format.channels
        guard c > 1 else { return area(src, factor: factor, threads: threads) }
        var out: PixelBuffer?
        for k in 0..<c {
            var plane = PixelBuffer(width: src.width, height: src.height, format: .gray8)
            for y in 0..<src.height {
                let s = y * src.rowStride, d = y * plane.rowStride
                for x in 0..<src.width { plane.bytes[d + x] = src.bytes[s + x * c + k] }
            }
            let small = area(plane, factor: factor, threads: threads)
            var o = out ?? PixelBuffer(width: small.width, height: small.height, format: src.format)
            for y in 0..<small.height {
                let s = y * small.rowStride, d = y * o.rowStride
                for x in 0..<small.width { o.bytes[d + x * c + k] = small.bytes[s + x] }
            }
            out = o
        }
        return out!
    }

    /// Scalar twin of ``area(_:factor:threads:)``.
    public static func areaReference(_ src: PixelBuffer, factor: Int) -> PixelBuffer {
        let ow = (src.width + factor - 1) / factor, oh = (src.height + factor - 1) / factor
        var out = PixelBuffer(width: ow, height: oh, format: .gray8)
        for oy in 0..<oh {
            for ox in 0..<ow {
                var t = 0, n = 0
                for y in (oy * factor)..<min(src.height, (oy + 1) * factor) {
                    for x in (ox * factor)..<min(src.width, (ox + 1) * factor) {
                        t += Int(src[x, y])
                        n += 1
                    }
                }
                out[ox, oy] = UInt8((t + n / 2) / n)
            }
        }
        return out
    }
}
