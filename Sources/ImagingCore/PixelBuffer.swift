/// An 8-bit image: gray, RGB or RGBA, rows `rowStride` bytes apart (padded to 64 bytes by default).
///
/// Value semantics: copies share storage until one is written (copy on write), so passing a buffer
/// around never copies pixels. `Sendable`.
public struct PixelBuffer: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Channel layout.
    public let format: PixelFormat
    /// Bytes from the start of one row to the start of the next (≥ width × channels).
    public let rowStride: Int
    /// The pixel bytes, `height × rowStride` long. Padding bytes at the end of rows are zero.
    public var bytes: [UInt8]

    /// The default row alignment in bytes.
    public static let rowAlignment = 64

    /// The padded stride for a row of `width` pixels of `format`.
    public static func alignedStride(width: Int, format: PixelFormat) -> Int {
        let raw = width * format.channels
        return (raw + rowAlignment - 1) / rowAlignment * rowAlignment
    }

    /// A zero-filled image.
    /// - Parameters: width, height: ≥ 0; format: channel layout; rowStride: nil for the aligned default.
    public init(width: Int, height: Int, format: PixelFormat, rowStride: Int? = nil) {
        precondition(width >= 0 && height >= 0, "negative image size")
        let stride = rowStride ?? Self.alignedStride(width: width, format: format)
        precondition(stride >= width * format.channels, "row stride shorter than a row")
        self.width = width
        self.height = height
        self.format = format
        self.rowStride = stride
        self.bytes = [UInt8](repeating: 0, count: stride * height)
    }

    /// Wraps existing bytes.
    /// - Parameters: bytes: `height × rowStride` bytes (precondition).
    public init(width: Int, height: Int, format: PixelFormat, rowStride: Int, bytes: [UInt8]) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(rowStride >= width * format.channels, "row stride shorter than a row")
        precondition(bytes.count >= rowStride * height, "pixel storage too small")
        self.width = width
        self.height = height
        self.format = format
        self.rowStride = rowStride
        self.bytes = bytes
    }

    /// Bytes of pixel data per row (without padding).
    public var rowBytes: Int { width * format.channels }
    /// Number of pixels.
    public var pixelCount: Int { width * height }
    /// The whole image as a rectangle.
    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    /// Channel `c` of pixel (x, y). Precondition: in bounds.
    @inlinable
    public subscript(x: Int, y: Int, channel c: Int = 0) -> UInt8 {
        get { bytes[y * rowStride + x * format.channels + c] }
        set { bytes[y * rowStride + x * format.channels + c] = newValue }
    }

    /// The bytes of row `y` without padding, as a new array (for tests and slow paths).
    public func row(_ y: Int) -> ArraySlice<UInt8> {
        bytes[(y * rowStride)..<(y * rowStride + rowBytes)]
    }

    /// A view of `rect` that shares this buffer's storage (no pixels are copied).
    /// - Precondition: `rect` lies inside ``bounds``.
    public func region(_ rect: Rect) -> PixelRegion {
        precondition(bounds.contains(rect), "region \(rect) outside \(width)x\(height)")
        return PixelRegion(base: self, rect: rect)
    }

    /// Pixel equality ignoring row padding and stride.
    public static func == (a: PixelBuffer, b: PixelBuffer) -> Bool {
        guard a.width == b.width, a.height == b.height, a.format == b.format else { return false }
        for y in 0..<a.height where a.row(y) != b.row(y) { return false }
        return true
    }
}

/// A rectangular window into a ``PixelBuffer`` that shares its storage.
public struct PixelRegion: Sendable {
    /// The image the region looks into.
    public let base: PixelBuffer
    /// The window, in the base image's coordinates.
    public let rect: Rect

    public var width: Int { rect.width }
    public var height: Int { rect.height }
    public var format: PixelFormat { base.format }
    public var rowStride: Int { base.rowStride }
    /// Offset in `base.bytes` of the region's first pixel.
    public var byteOffset: Int { rect.y * base.rowStride + rect.x * base.format.channels }

    /// Channel `c` of pixel (x, y) in region coordinates.
    @inlinable
    public subscript(x: Int, y: Int, channel c: Int = 0) -> UInt8 {
        base[rect.x + x, rect.y + y, channel: c]
    }

    /// Copies the region into a new, tightly aligned buffer.
    public func copy() -> PixelBuffer {
        var out = PixelBuffer(width: rect.width, height: rect.height, format: base.format)
        let n = rect.width * base.format.channels
        for y in 0..<rect.height {
            let src = byteOffset + y * base.rowStride
            out.bytes.replaceSubrange((y * out.rowStride)..<(y * out.rowStride + n),
                                      with: base.bytes[src..<(src + n)])
        }
        return out
    }
}
