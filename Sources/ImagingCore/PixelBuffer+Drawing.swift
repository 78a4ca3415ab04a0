/// Simple vector drawing for overlay images: lines, polygons and rectangles in a solid colour.
extension PixelBuffer {
    /// Sets pixel (x, y) to `color` (one value per channel; alpha, if any, becomes opaque). Outside: ignored.
    public mutating func plot(x: Int, y: Int, color: [UInt8]) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let base = y * rowStride + x * format.channels
        switch format {
        case .gray8:
            let c = color.count >= 3 ? UInt8((Int(color[0]) * 77 + Int(color[1]) * 150 + Int(color[2]) * 29) >> 8) : color[0]
            bytes[base] = c
        case .rgb8, .rgba8:
            for c in 0..<3 { bytes[base + c] = color.count >= 3 ? color[c] : color[0] }
            if format == .rgba8 { bytes[base + 3] = 255 }
        }
    }

    /// Draws a line of `thickness` pixels (a square pen) from (x0, y0) to (x1, y1) with Bresenham's algorithm.
    public mutating func drawLine(x0: Int, y0: Int, x1: Int, y1: Int, color: [UInt8], thickness: Int = 1) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        let r0 = -(thickness - 1) / 2, r1 = thickness / 2
        while true {
            for oy in r0...r1 { for ox in r0...r1 { plot(x: x + ox, y: y + oy, color: color) } }
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Draws a closed polygon (or an open polyline when `closed` is false) through pixel points.
    public mutating func drawPolygon(_ points: [SIMD2<Double>], color: [UInt8], thickness: Int = 1, closed: Bool = true) {
        guard let first = points.first else { return }
        if points.count == 1 {
            drawLine(x0: Int(first.x), y0: Int(first.y), x1: Int(first.x), y1: Int(first.y), color: color, thickness: thickness)
            return
        }
        let n = closed ? points.count : points.count - 1
        for i in 0..<n {
            let a = points[i], b = points[(i + 1) % points.count]
            drawLine(x0: Int(a.x.rounded()), y0: Int(a.y.rounded()), x1: Int(b.x.rounded()), y1: Int(b.y.rounded()),
                     color: color, thickness: thickness)
        }
    }

    /// Draws the outline of a rectangle.
    public mutating func drawRect(_ r: Rect, color: [UInt8], thickness: Int = 1) {
        let pts = [SIMD2<Double>(Double(r.x), Double(r.y)), SIMD2(Double(r.maxX - 1), Double(r.y)),
                   SIMD2(Double(r.maxX - 1), Double(r.maxY - 1)), SIMD2(Double(r.x), Double(r.maxY - 1))]
        drawPolygon(pts, color: color, thickness: thickness)
    }

    /// 3×5 glyphs of the overlay labels, rows top to bottom, 3 bits each (MSB left).
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "C": [7, 4, 4, 4, 7], "L": [4, 4, 4, 4, 7], "T": [7, 2, 2, 2, 2], "B": [6, 5, 6, 5, 6], "A": [2, 5, 7, 5, 5],
        "K": [5, 5, 6, 5, 5],
    ]

    /// Draws a short label in a 3×5 pixel font scaled by `scale` (digits and the letters A B C K L T; other
    /// characters leave a gap), its top-left corner at (x, y), 4 · `scale` pixels per character.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: [UInt8], scale: Int = 1) {
        var cx = x
        for ch in text {
            for (r, bits) in (Self.glyphs[ch] ?? []).enumerated() {
                for col in 0..<3 where bits & (4 >> UInt8(col)) != 0 {
                    for dy in 0..<scale { for dx in 0..<scale { plot(x: cx + col * scale + dx, y: y + r * scale + dy, color: color) } }
                }
            }
            cx += 4 * scale
        }
    }

    /// A copy converted to RGB (gray replicated; alpha dropped), e.g. to draw coloured overlays on a gray frame.
    public func rgbCopy() -> PixelBuffer {
        if format == .rgb8 { return self }
        var out = PixelBuffer(width: width, height: height, format: .rgb8)
        for y in 0..<height {
            for x in 0..<width {
                let s = y * rowStride + x * format.channels, d = y * out.rowStride + x * 3
                if format == .gray8 {
                    out.bytes[d] = bytes[s]; out.bytes[d + 1] = bytes[s]; out.bytes[d + 2] = bytes[s]
                } else {
                    out.bytes[d] = bytes[s]; out.bytes[d + 1] = bytes[s + 1]; out.bytes[d + 2] = bytes[s + 2]
                }
            }
        }
        return out
    }
}
