import Findings
import ImagingCore

/// Draws findings onto a frame: outlines coloured by class (cracks red, leaks blue) with a short label
/// (`CL` longitudinal, `CT` transverse, `CB` block, `CA` alligator, `LK` leak, then the confidence in %).
public enum Overlay {
    /// - Parameters: image: the frame, gray8 or rgb8; findings: in frame pixels; surface: the frame's surface map,
    ///   whose cells off the paved surface are shaded (tinted by class, darkened) so that the surveyed surface stands
    ///   out (nil: no shading).
    /// - Returns: an rgb8 copy with the drawing.
    public static func draw(_ findings: [Finding], on image: PixelBuffer, surface: SurfaceMap? = nil) -> PixelBuffer {
        var out = PixelBuffer(width: image.width, height: image.height, format: .rgb8)
        let gray = image.format == .gray8
        for y in 0..<image.height {
            for x in 0..<image.width {
                let d = y * out.rowStride + 3 * x
                if gray {
                    let v = image.bytes[y * image.rowStride + x]
                    out.bytes[d] = v; out.bytes[d + 1] = v; out.bytes[d + 2] = v
                } else {
                    let s = y * image.rowStride + 3 * x
                    out.bytes[d] = image.bytes[s]; out.bytes[d + 1] = image.bytes[s + 1]; out.bytes[d + 2] = image.bytes[s + 2]
                }
            }
        }
        if let surface, !surface.classes.isEmpty { shade(&out, surface) }
        let thick = max(1, min(image.width, image.height) / 600)
        let glyph = max(1, min(image.width, image.height) / 300)
        for f in findings {
            let colour: (UInt8, UInt8, UInt8) = f.defectClass == .crack ? (255, 40, 40) : (40, 120, 255)
            let pts = f.outline
            for i in pts.indices where pts.count > 1 {
                let a = pts[i], b = pts[(i + 1) % pts.count]
                line(&out, a[0], a[1], b[0], b[1], colour, thick)
            }
            let code: String
            switch (f.defectClass, f.subtype) {
            case (.leak, _): code = "LK"
            case (_, "transverse"): code = "CT"
            case (_, "block"): code = "CB"
            case (_, "alligator"): code = "CA"
            default: code = "CL"
            }
            text(&out, code + String(Int((f.confidence * 100).rounded())), x: f.bbox.x, y: max(0, f.bbox.y - 7 * glyph),
                 colour: colour, scale: glyph)
        }
        return out
    }

    /// Tint of each surface class off the pavement (vegetation green, vivid magenta, soil brown, rough blue).
    static func tint(_ c: SurfaceClass) -> SIMD3<Float>? {
        switch c {
        case .paved: nil
        case .vegetation: SIMD3(0, 160, 0)
        case .vivid: SIMD3(200, 0, 200)
        case .soil: SIMD3(150, 90, 30)
        case .rough: SIMD3(40, 60, 200)
        }
    }

    /// The surface map as a picture: paved cells light gray, the others in their class's tint, each cell a square
    /// of `scale` pixels.
    /// - Parameters: surface: a frame's map; scale: pixels per cell (≥ 1).
    /// - Returns: (rows · scale, columns · scale) rgb8.
    public static func surfaceImage(_ surface: SurfaceMap, scale: Int = 4) -> PixelBuffer {
        let k = max(1, scale)
        var out = PixelBuffer(width: surface.columns * k, height: surface.rows * k, format: .rgb8)
        for y in 0..<out.height {
            for x in 0..<out.width {
                let c = tint(surface.classes[(y / k) * surface.columns + x / k]) ?? SIMD3(215, 215, 215)
                let d = y * out.rowStride + 3 * x
                out.bytes[d] = UInt8(c.x); out.bytes[d + 1] = UInt8(c.y); out.bytes[d + 2] = UInt8(c.z)
            }
        }
        return out
    }

    /// Blends the cells off the paved surface half with their class's tint, so what was surveyed stays clear.
    static func shade(_ img: inout PixelBuffer, _ surface: SurfaceMap) {
        for y in 0..<img.height {
            for x in 0..<img.width {
                guard let t = tint(surface.surface(x: Double(x), y: Double(y))) else { continue }
                let d = y * img.rowStride + 3 * x
                for c in 0..<3 { img.bytes[d + c] = UInt8(min(255, (Float(img.bytes[d + c]) * 0.45 + t[c] * 0.55).rounded())) }
            }
        }
    }

    static func plot(_ img: inout PixelBuffer, _ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0 && y >= 0 && x < img.width && y < img.height else { return }
        let d = y * img.rowStride + 3 * x
        img.bytes[d] = c.0; img.bytes[d + 1] = c.1; img.bytes[d + 2] = c.2
    }

    static func line(_ img: inout PixelBuffer, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double,
                     _ c: (UInt8, UInt8, UInt8), _ thick: Int) {
        let steps = max(1, Int(max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)))
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let x = Int((x0 + (x1 - x0) * t).rounded()), y = Int((y0 + (y1 - y0) * t).rounded())
            for dy in 0..<thick { for dx in 0..<thick { plot(&img, x + dx, y + dy, c) } }
        }
    }

    /// 3×5 glyphs, rows top to bottom, 3 bits each (MSB left).
    static let font: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "C": [7, 4, 4, 4, 7], "L": [4, 4, 4, 4, 7], "T": [7, 2, 2, 2, 2], "B": [6, 5, 6, 5, 6], "A": [2, 5, 7, 5, 5],
        "K": [5, 5, 6, 5, 5],
    ]

    static func text(_ img: inout PixelBuffer, _ s: String, x: Int, y: Int, colour: (UInt8, UInt8, UInt8), scale: Int) {
        var cx = x
        for ch in s {
            if let rows = font[ch] {
                for (r, bits) in rows.enumerated() {
                    for col in 0..<3 where bits & (4 >> UInt8(col)) != 0 {
                        for dy in 0..<scale { for dx in 0..<scale { plot(&img, cx + col * scale + dx, y + r * scale + dy, colour) } }
                    }
                }
            }
            cx += 4 * scale
        }
    }
}
