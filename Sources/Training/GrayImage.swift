import Codecs
import ImagingCore

/// A tightly packed gray image (no row padding), the working form of the data preparation.
public struct GrayImage: Sendable {
    public var width: Int
    public var height: Int
    /// Row-major, `width × height`.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "gray image size mismatch")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Packs a gray8 ``PixelBuffer`` (drops row padding). - Precondition: gray8.
    public init(_ buffer: PixelBuffer) {
        precondition(buffer.format == .gray8, "expected gray8")
        var p = [UInt8]()
        p.reserveCapacity(buffer.width * buffer.height)
        for y in 0..<buffer.height { p += buffer.row(y) }
        self.init(width: buffer.width, height: buffer.height, pixels: p)
    }

    /// Decodes a JPEG or PNG file straight to gray (for masks: the stored gray values, unchanged).
    public init(path: String) throws {
        self.init(try ImageDecoder.decode(path: path, options: DecodeOptions(format: .gray8)).pixels)
    }

    /// Area-averaged (box filter) resize for shrinking, bilinear for enlarging.
    public func resized(width w: Int, height h: Int) -> GrayImage {
        if w == width && h == height { return self }
        var out = [UInt8](repeating: 0, count: w * h)
        let sx = Double(width) / Double(w), sy = Double(height) / Double(h)
        if sx >= 1 && sy >= 1 {
            for y in 0..<h {
                let y0 = Int(Double(y) * sy), y1 = max(y0 + 1, min(height, Int(Double(y + 1) * sy)))
                for x in 0..<w {
                    let x0 = Int(Double(x) * sx), x1 = max(x0 + 1, min(width, Int(Double(x + 1) * sx)))
                    var s = 0
                    for yy in y0..<y1 { for xx in x0..<x1 { s += Int(pixels[yy * width + xx]) } }
                    out[y * w + x] = UInt8((s + (y1 - y0) * (x1 - x0) / 2) / ((y1 - y0) * (x1 - x0)))
                }
            }
        } else {
            for y in 0..<h {
                let fy = max(0, min(Double(height - 1), (Double(y) + 0.5) * sy - 0.5))
                let y0 = Int(fy), y1 = min(height - 1, y0 + 1), wy = fy - Double(y0)
                for x in 0..<w {
                    let fx = max(0, min(Double(width - 1), (Double(x) + 0.5) * sx - 0.5))
                    let x0 = Int(fx), x1 = min(width - 1, x0 + 1), wx = fx - Double(x0)
                    let a = Double(pixels[y0 * width + x0]) * (1 - wx) + Double(pixels[y0 * width + x1]) * wx
                    let b = Double(pixels[y1 * width + x0]) * (1 - wx) + Double(pixels[y1 * width + x1]) * wx
                    out[y * w + x] = UInt8(min(255, max(0, (a * (1 - wy) + b * wy).rounded())))
                }
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// Nearest-neighbour resize (for label masks: keeps class values).
    public func resizedNearest(width w: Int, height h: Int) -> GrayImage {
        if w == width && h == height { return self }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let sy = min(height - 1, (y * height + height / 2) / h)
            for x in 0..<w { out[y * w + x] = pixels[sy * width + min(width - 1, (x * width + width / 2) / w)] }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }

    /// The `size × size` window at (x, y). - Precondition: inside the image.
    public func crop(x: Int, y: Int, size: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(size * size)
        for r in y..<(y + size) { out += pixels[(r * width + x)..<(r * width + x + size)] }
        return out
    }
}
