// Kernel test helpers: seeded images with structure, awkward shapes, image comparisons.
import ImagingCore
import Testing

/// A seeded random image (padding random too, so kernels that read it show up).
/// - Parameters: width, height: ≥ 0; format: channel layout; rowStride: nil for the aligned default;
///   seed: generator seed; smooth: average 5x5 neighbourhoods so the image has structure (edges, flats).
public func testImage(width: Int, height: Int, format: PixelFormat = .gray8, rowStride: Int? = nil,
                      seed: UInt64, smooth: Bool = false) -> PixelBuffer {
    let img = TestSupport.randomImage(width: width, height: height, format: format, seed: seed, rowStride: rowStride)
    guard smooth && format == .gray8 else { return img }
    var out = img
    for y in 0..<height {
        for x in 0..<width {
            var t = 0, n = 0
            for yy in max(0, y - 2)...min(height - 1, y + 2) {
                for xx in max(0, x - 2)...min(width - 1, x + 2) {
                    t += Int(img[xx, yy])
                    n += 1
                }
            }
            out[x, y] = UInt8(t / n)
        }
    }
    return out
}

/// Image shapes that catch edge cases: 1x1, every width 1…33 (heights 1…5, odd strides on odd widths),
/// and a 4097-wide strip.
public struct Shape: Sendable, CustomStringConvertible {
    public let width: Int
    public let height: Int
    public let rowStride: Int?
    public var description: String { "\(width)x\(height)/\(rowStride.map(String.init) ?? "aligned")" }
}

/// See ``Shape``.
public let awkwardShapes: [Shape] = {
    var shapes = [Shape(width: 1, height: 1, rowStride: nil)]
    for w in 1...33 {
        shapes.append(Shape(width: w, height: 1 + w % 5, rowStride: w % 2 == 1 ? w + 7 : nil))
    }
    shapes.append(Shape(width: 4097, height: 3, rowStride: nil))
    shapes.append(Shape(width: 4097, height: 2, rowStride: 4099))
    shapes.append(Shape(width: 37, height: 29, rowStride: 41))
    return shapes
}()

/// The first differing pixel of two gray8 images, or nil when equal (sizes must match).
public func firstDifference(_ a: PixelBuffer, _ b: PixelBuffer) -> String? {
    guard a.width == b.width, a.height == b.height, a.format == b.format else {
        return "size \(a.width)x\(a.height) vs \(b.width)x\(b.height)"
    }
    for y in 0..<a.height {
        for x in 0..<(a.width * a.format.channels) {
            let u = a.bytes[y * a.rowStride + x], v = b.bytes[y * b.rowStride + x]
            if u != v { return "(\(x), \(y)): \(u) vs \(v)" }
        }
    }
    return nil
}

/// Largest |a − b| over two float planes of equal size.
public func maxAbsDifference(_ a: Plane<Float>, _ b: Plane<Float>) -> Float {
    precondition(a.width == b.width && a.height == b.height, "sizes differ")
    var m: Float = 0
    for y in 0..<a.height { for x in 0..<a.width { m = max(m, abs(a[x, y] - b[x, y])) } }
    return m
}

/// Largest |a| over a float plane.
public func maxAbs(_ a: Plane<Float>) -> Float {
    var m: Float = 0
    for y in 0..<a.height { for x in 0..<a.width { m = max(m, abs(a[x, y])) } }
    return m
}
