import ImagingCore

/// A binary image: one byte per pixel, 0 = off, 1 = on, rows packed (stride = width).
public struct BinaryMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height × width` values, each 0 or 1.
    public var bits: [UInt8]

    /// An all-off mask.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        bits = [UInt8](repeating: 0, count: width * height)
    }

    /// The pixels of a gray image at or above `threshold`.
    /// - Parameters: image: (H, W) gray8; threshold: 0...255.
    public init(_ image: PixelBuffer, threshold: UInt8) {
        precondition(image.format == .gray8, "BinaryMask needs a gray image")
        self.init(width: image.width, height: image.height)
        for y in 0..<height {
            let row = y * image.rowStride
            for x in 0..<width where image.bytes[row + x] >= threshold { bits[y * width + x] = 1 }
        }
    }

    /// Pixel (x, y); outside the mask reads as off.
    @inlinable
    public subscript(x: Int, y: Int) -> Bool {
        get { x >= 0 && y >= 0 && x < width && y < height && bits[y * width + x] != 0 }
        set { bits[y * width + x] = newValue ? 1 : 0 }
    }

    /// Number of on pixels.
    public var count: Int { bits.reduce(0) { $0 + Int($1) } }

    /// As a gray image (0 / 255), e.g. for saving.
    public func image() -> PixelBuffer {
        var out = PixelBuffer(width: width, height: height, format: .gray8)
        for y in 0..<height { for x in 0..<width where bits[y * width + x] != 0 { out.bytes[y * out.rowStride + x] = 255 } }
        return out
    }
}
