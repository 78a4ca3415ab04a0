import ImagingCore

/// Canny edge detection with OpenCV's `Canny(src, low, high, apertureSize: 3, L2gradient)` meaning:
/// Sobel 3x3 with replicated borders, magnitude |dx| + |dy| (or dx² + dy² against squared thresholds),
/// non-maximum suppression in four directions with OpenCV's tan(22.5°) rule, and hysteresis over the
/// 8-neighbourhood: a pixel is an edge when its magnitude is a local maximum above `low` and it connects
/// to one above `high`.
public enum Canny {
    /// Edges as 255 on 0.
    /// - Parameters: src: (H, W) gray8; low, high: thresholds (swapped when low > high); l2Gradient: use the
    ///   Euclidean magnitude; border: derivative edge rule (OpenCV: replicate); threads: ≥ 1 (non-maximum
    ///   suppression and the output run in bands; hysteresis is one pass).
    /// - Returns: (H, W) gray8 of 0 and 255.
    public static func edges(_ src: PixelBuffer, low: Double, high: Double, l2Gradient: Bool = false,
                             border: BorderMode = .replicate, threads: Int = 1) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        edges(src, into: &dst, low: low, high: high, l2Gradient: l2Gradient, border: border, threads: threads)
        return dst
    }

    /// As ``edges(_:low:high:l2Gradient:border:threads:)`` into an existing (H, W) gray8 buffer.
    public static func edges(_ src: PixelBuffer, into dst: inout PixelBuffer, low: Double, high: Double,
                             l2Gradient: Bool = false, border: BorderMode = .replicate, threads: Int = 1) {
        precondition(src.format == .gray8, "Canny takes gray8")
        checkSameSize(src, dst)
        guard src.width > 0 && src.height > 0 else { return }
        let (lo, hi) = thresholds(low: low, high: high, l2Gradient: l2Gradient)
        let w = src.width, h = src.height, mw = w + 2
        let map = UnsafeMutablePointer<UInt8>.allocate(capacity: mw * (h + 2))
        defer { unsafe map.deallocate() }
        unsafe map.initialize(repeating: 0, count: mw)
        unsafe (map + (h + 1) * mw).initialize(repeating: 0, count: mw)
        unsafe src.readPixels { s in
            Parallelism.forEachBand(rows: h, threads: threads) { rows in
                unsafe suppressBand(rows, s, src.rowStride, w, h, border, l2Gradient, lo, hi, map)
            }
        }
        unsafe hysteresis(map, mw, h)
        let ds = dst.rowStride
        unsafe dst.writePixels { d in
            Parallelism.forEachBand(rows: h, threads: threads) { rows in
                for y in rows {
                    let m = unsafe UnsafePointer(map + (y + 1) * mw + 1), o = unsafe d + y * ds
                    for x in 0..<w { unsafe o[x] = unsafe m[x] == 3 ? 255 : 0 }
                }
            }
        }
    }

    /// OpenCV's integer thresholds: swapped if needed, squared for the L2 magnitude, then floored.
    static func thresholds(low: Double, high: Double, l2Gradient: Bool) -> (Int32, Int32) {
        var lo = min(low, high), hi = max(low, high)
        if l2Gradient {
            lo = min(32767, lo)
            hi = min(32767, hi)
            if lo > 0 { lo *= lo }
            if hi > 0 { hi *= hi }
        }
        return (Int32(max(-1, lo.rounded(.down))), Int32(max(-1, hi.rounded(.down))))
    }

    /// Scalar twin of ``edges(_:low:high:l2Gradient:border:threads:)``.
    public static func edgesReference(_ src: PixelBuffer, low: Double, high: Double, l2Gradient: Bool = false,
                                      border: BorderMode = .replicate) -> PixelBuffer {
        let w = src.width, h = src.height
        var out = PixelBuffer(width: w, height: h, format: .gray8)
        guard w > 0 && h > 0 else { return out }
        let (lo, hi) = thresholds(low: low, high: high, l2Gradient: l2Gradient)
        func px(_ x: Int, _ y: Int) -> Int {
            guard let xx = border.index(x, count: w), let yy = border.index(y, count: h) else { return 0 }
            return Int(src[xx, yy])
        }
        var gx = [Int](repeating: 0, count: w * h), gy = gx, mag = gx
        for y in 0..<h {
            for x in 0..<w {
                let dx = px(x + 1, y - 1) - px(x - 1, y - 1) + 2 * (px(x + 1, y) - px(x - 1, y)) + px(x + 1, y + 1) - px(x - 1, y + 1)
                let dy = px(x - 1, y + 1) - px(x - 1, y - 1) + 2 * (px(x, y + 1) - px(x, y - 1)) + px(x + 1, y + 1) - px(x + 1, y - 1)
                gx[y * w + x] = dx
                gy[y * w + x] = dy
                mag[y * w + x] = l2Gradient ? dx * dx + dy * dy : abs(dx) + abs(dy)
            }
        }
        func m(_ x: Int, _ y: Int) -> Int { x < 0 || y < 0 || x >= w || y >= h ? 0 : mag[y * w + x] }
        var state = [UInt8](repeating: 0, count: w * h)
        var stack: [Int] = []
        for y in 0..<h {
            for x in 0..<w {
                let v = m(x, y)
                guard v > Int(lo) else { continue }
                let dx = gx[y * w + x], dy = gy[y * w + x]
                let ax = abs(dx), ay = abs(dy) << 15
                let tg22 = ax * 13573, tg67 = tg22 + (ax << 16)
                let isMax: Bool
                if ay < tg22 {
                    isMax = v > m(x - 1, y) && v >= m(x + 1, y)
                } else if ay > tg67 {
                    isMax = v > m(x, y - 1) && v >= m(x, y + 1)
                } else {
                    let s = (dx < 0) != (dy < 0) ? -1 : 1
                    isMax = v > m(x - s, y - 1) && v > m(x + s, y + 1)
                }
                guard isMax else { continue }
                state[y * w + x] = v > Int(hi) ? 2 : 1
                if v > Int(hi) { stack.append(y * w + x) }
            }
        }
        while let p = stack.popLast() {
            let x = p % w, y = p / w
            for ny in max(0, y - 1)...min(h - 1, y + 1) {
                for nx in max(0, x - 1)...min(w - 1, x + 1) where state[ny * w + nx] == 1 {
                    state[ny * w + nx] = 2
                    stack.append(ny * w + nx)
                }
            }
        }
        for y in 0..<h {
            for x in 0..<w where state[y * w + x] == 2 { out[x, y] = 255 }
        }
        return out
    }
}

/// Non-maximum suppression of one band: writes map rows y + 1 (0 none, 1 weak, 2 strong; column x + 1).
private func suppressBand(_ rows: Range<Int>, _ s: UnsafePointer<UInt8>, _ ss: Int, _ w: Int, _ h: Int,
                          _ border: BorderMode, _ l2: Bool, _ lo: Int32, _ hi: Int32,
                          _ map: UnsafeMutablePointer<UInt8>) {
    var cache = unsafe RowCache(source: s, stride: ss, width: w, height: h, pad: 1, window: 3, border: border, value: 0)
    let gx = unsafe ScratchRows<Int16>(count: 3, width: w, value: 0)
    let gy = unsafe ScratchRows<Int16>(count: 3, width: w, value: 0)
    let mags = unsafe ScratchRows<Int32>(count: 4, width: w + 2, value: 0)   // slot 3 stays zero (outside rows)
    defer { unsafe cache.release(); unsafe gx.release(); unsafe gy.release(); unsafe mags.release() }
    var tags = [Int](repeating: -2, count: 3)
    func magRow(_ j: Int) -> UnsafeMutablePointer<Int32> {
        guard j >= 0 && j < h else { return unsafe mags(3) + 1 }
        let slot = j % 3
        if tags[slot] != j {
            let a = unsafe cache.row(j - 1), b = unsafe cache.row(j), c = unsafe cache.row(j + 1)
            let dx = unsafe gx(slot), dy = unsafe gy(slot), m = unsafe mags(slot) + 1
            unsafe derivativeRow(a, b, c, dx, dy, w, 1, 2)
            if l2 {
                for x in 0..<w {
                    let fx = unsafe Int32(dx[x]), fy = unsafe Int32(dy[x])
                    unsafe m[x] = fx &* fx &+ fy &* fy
                }
            } else {
                for x in 0..<w {
                    let fx = unsafe Int32(dx[x]), fy = unsafe Int32(dy[x])
                    unsafe m[x] = (fx < 0 ? 0 &- fx : fx) &+ (fy < 0 ? 0 &- fy : fy)
                }
            }
            tags[slot] = j
        }
        return unsafe mags(slot) + 1
    }
    let mw = w + 2
    for y in rows {
        let mp = unsafe UnsafePointer(magRow(y - 1)), mn = unsafe UnsafePointer(magRow(y + 1)), mc = unsafe UnsafePointer(magRow(y))
        let dx = unsafe UnsafePointer(gx(y % 3)), dy = unsafe UnsafePointer(gy(y % 3))
        let out = unsafe map + (y + 1) * mw + 1
        unsafe out[-1] = 0
        unsafe out[w] = 0
        for x in 0..<w {
            let m = unsafe mc[x]
            let fx = unsafe Int32(dx[x]), fy = unsafe Int32(dy[x])
            let ax = fx < 0 ? 0 &- fx : fx, ay = (fy < 0 ? 0 &- fy : fy) &<< 15
            let tg22 = ax &* 13573, tg67 = tg22 &+ (ax &<< 16)
            // Masks (-1 or 0) and arithmetic selects: written as `cond ? a[i] : a[j]`, LLVM turns the
            // choice of loads into AVX-512 gathers, which ran this loop several times slower.
            let horizontal = (ay &- tg22) &>> 31, vertical = (tg67 &- ay) &>> 31
            let negative = (fx ^ fy) &>> 31
            let pl = unsafe mp[x &- 1], pc = unsafe mp[x], pr = unsafe mp[x &+ 1]
            let nl = unsafe mn[x &- 1], nc = unsafe mn[x], nr = unsafe mn[x &+ 1]
            let cl = unsafe mc[x &- 1], cr = unsafe mc[x &+ 1]
            let dp = pl ^ ((pl ^ pr) & negative)
            let dn = (nr ^ ((nr ^ nl) & negative)) &+ 1
            let t1 = dp ^ ((dp ^ pc) & vertical), t2 = dn ^ ((dn ^ nc) & vertical)
            let n1 = t1 ^ ((t1 ^ cl) & horizontal), n2 = t2 ^ ((t2 ^ cr) & horizontal)
            let keep = (m > lo) && (m > n1) && (m >= n2)
            let code: UInt8 = m > hi ? 2 : 1
            unsafe out[x] = keep ? code : 0
        }
    }
}

/// Grows strong pixels (2) through weak ones (1) over the 8-neighbourhood; edges end as 3.
private func hysteresis(_ map: UnsafeMutablePointer<UInt8>, _ mw: Int, _ h: Int) {
    let total = mw * (h + 2)
    var stack: [Int] = []
    stack.reserveCapacity(4096)
    let offsets = [-mw - 1, -mw, -mw + 1, -1, 1, mw - 1, mw, mw + 1]
    let raw = UnsafeRawPointer(map)
    var i = 0
    while i < total {
        if i &+ 8 <= total {
            let word = unsafe raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & 0x0202_0202_0202_0202 == 0 {
                i &+= 8
                continue
            }
        }
        let end = min(i + 8, total)
        while i < end {
            if unsafe map[i] == 2 {
                unsafe map[i] = 3
                stack.append(i)
                while let p = stack.popLast() {
                    for o in offsets {
                        let q = p &+ o
                        let v = unsafe map[q]
                        if v == 1 || v == 2 {
                            unsafe map[q] = 3
                            stack.append(q)
                        }
                    }
                }
            }
            i &+= 1
        }
    }
}
