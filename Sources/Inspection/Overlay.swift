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
        var out = image.rgbCopy()
        if let surface, !surface.classes.isEmpty { shade(&out, surface) }
        let thick = max(1, min(image.width, image.height) / 600)
        let glyph = max(1, min(image.width, image.height) / 300)
        for f in findings {
            let colour: [UInt8] = f.defectClass == .crack ? [255, 40, 40] : [40, 120, 255]
            let pts = f.outline.compactMap { $0.count >= 2 ? SIMD2($0[0], $0[1]) : nil }
            if pts.count > 1 { out.drawPolygon(pts, color: colour, thickness: thick) }
            let code: String
            switch (f.defectClass, f.subtype) {
            case (.leak, _): code = "LK"
            case (_, "transverse"): code = "CT"
            case (_, "block"): code = "CB"
            case (_, "alligator"): code = "CA"
            default: code = "CL"
            }
            out.drawText(code + String(Int((f.confidence * 100).rounded())), x: f.bbox.x, y: max(0, f.bbox.y - 7 * glyph),
                         color: colour, scale: glyph)
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
}
