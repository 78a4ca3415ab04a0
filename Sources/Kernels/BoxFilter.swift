import ImagingCore

/// Box (mean) filter on 8 bits with running sums: O(1) per pixel whatever the window.
public enum BoxFilter {
    /// Rounded mean over a `width` x `height` window anchored at (`width / 2`, `height / 2`):
    /// (Σ + n / 2) / n with n = width × height.
    /// - Parameters: src: (H, W) gray8; width, height: ≥ 1; border: edge rule (constant = 0); threads: ≥ 1.
    /// - Returns: (H, W) gray8.
    public static func mean(_ src: PixelBuffer, width kw: Int, height kh: Int, border: BorderMode = .reflect101,
                            threads: Int = 1) -> PixelBuffer {
        precondition(src.format == .gray8, "box filter takes gray8")
        precondition(kw >= 1 && kh >= 1, "window must be at least 1x1")
        precondition(kw * kh <= Int(UInt32.max) / 255, "window too large")
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        guard src.width > 0 && src.height > 0 else { return dst }
        let w = src.width, h = src.height, ss = src.rowStride, ds = dst.rowStride
        let ax = kw / 2, ay = kh / 2, n = UInt32(kw * kh), half = UInt32(kw * kh / 2)
        unsafe src.readPixels { s in
            unsafe dst.writePixels { d in
                Parallelism.forEachBand(rows: h, threads: threads) { rows in
                    let columns = unsafe ScratchRows<UInt32>(count: 1, width: w + kw, value: 0)
                    defer { unsafe columns.release() }
                    let col = unsafe columns(0) + ax
                    func add(_ v: Int, _ sign: Bool) {
                        guard let m = border.index(v, count: h) else { return }
                        let p = unsafe s + m * ss
                        if sign {
                            for x in 0..<w { unsafe col[x] = unsafe col[x] &+ UInt32(p[x]) }
                        } else {
                            for x in 0..<w { unsafe col[x] = unsafe col[x] &- UInt32(p[x]) }
                        }
                    }
                    for y in rows {
                        if y == rows.lowerBound {
                            for x in 0..<w { unsafe col[x] = 0 }
                            for j in 0..<kh { add(y - ay + j, true) }
                        } else {
                            add(y - ay + kh - 1, true)
                            add(y - 1 - ay, false)
                        }
                        // Horizontal running sum over a bordered copy of the column sums.
                        var line = [UInt32](repeating: 0, count: w + kw - 1)
                        for i in 0..<(w + kw - 1) {
                            line[i] = border.index(i - ax, count: w).map { unsafe col[$0] } ?? 0
                        }
                        var acc: UInt32 = 0
                        for i in 0..<kw { acc = acc &+ line[i] }
                        let o = unsafe d + y * ds
                        for x in 0..<w {
                            if x > 0 { acc = acc &+ line[x + kw - 1] &- line[x - 1] }
                            unsafe o[x] = UInt8(truncatingIfNeeded: (acc + half) / n)
                        }
                    }
                }
            }
        }
        return dst
    }

    /// Scalar twin of ``mean(_:width:height:border:threads:)``.
    public static func meanReference(_ src: PixelBuffer, width kw: Int, height kh: Int,
                                     border: BorderMode = .reflect101) -> PixelBuffer {
        var out = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        let n = kw * kh
        for y in 0..<src.height {
            for x in 0..<src.width {
                var total = 0
                for j in 0..<kh {
                    for i in 0..<kw {
                        if let yy = border.index(y + j - kh / 2, count: src.height),
                           let xx = border.index(x + i - kw / 2, count: src.width) {
                            total += Int(src[xx, yy])
                        }
                    }
                }
                out[x, y] = UInt8((total + n / 2) / n)
            }
        }
        return out
    }
}
