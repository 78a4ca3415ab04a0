/// A single-channel image of any element type (`Float`, `Int16`, `UInt32`, ...), rows `rowStride` elements apart.
///
/// Used where 8 bits are not enough: signed derivatives (`Plane<Int16>`), float responses
/// (``FloatImage``), integral images. Value semantics like ``PixelBuffer``. Padding elements are zero.
public struct Plane<Element: Sendable & Equatable & Numeric>: Sendable, Equatable {
    /// Width in elements.
    public let width: Int
    /// Height in rows.
    public let height: Int
    /// Elements from the start of one row to the start of the next (≥ width).
    public let rowStride: Int
    /// The elements, `height × rowStride` long.
    public var values: [Element]

    /// The row alignment in bytes used for the default stride.
    @inlinable
    public static var rowAlignment: Int { 64 }

    /// The padded stride (in elements) for rows of `width` elements: a multiple of 64 bytes.
    @inlinable
    public static func alignedStride(width: Int) -> Int {
        let perLine = max(1, rowAlignment / MemoryLayout<Element>.stride)
        return (width + perLine - 1) / perLine * perLine
    }

    /// A zero-filled plane.
    /// - Parameters: width, height: ≥ 0; rowStride: nil for the aligned default, else ≥ width.
    @inlinable
    public init(width: Int, height: Int, rowStride: Int? = nil) {
        precondition(width >= 0 && height >= 0, "negative plane size")
        let stride = rowStride ?? Self.alignedStride(width: width)
        precondition(stride >= width, "row stride shorter than a row")
        self.width = width
        self.height = height
        self.rowStride = stride
        self.values = [Element](repeating: 0, count: stride * height)
    }

    /// Wraps existing values. Precondition: `values.count ≥ height × rowStride`, `rowStride ≥ width`.
    @inlinable
    public init(width: Int, height: Int, rowStride: Int, values: [Element]) {
        precondition(width >= 0 && height >= 0, "negative plane size")
        precondition(rowStride >= width, "row stride shorter than a row")
        precondition(values.count >= rowStride * height, "plane storage too small")
        self.width = width
        self.height = height
        self.rowStride = rowStride
        self.values = values
    }

    /// Element (x, y). Precondition: in bounds.
    @inlinable
    public subscript(x: Int, y: Int) -> Element {
        get { values[y * rowStride + x] }
        set { values[y * rowStride + x] = newValue }
    }

    /// The elements of row `y` without padding.
    public func row(_ y: Int) -> ArraySlice<Element> {
        values[(y * rowStride)..<(y * rowStride + width)]
    }

    /// Element equality ignoring row padding and stride.
    public static func == (a: Plane, b: Plane) -> Bool {
        guard a.width == b.width, a.height == b.height else { return false }
        for y in 0..<a.height where a.row(y) != b.row(y) { return false }
        return true
    }
}

/// A single-channel float image (responses, blurred intensities, orientations).
public typealias FloatImage = Plane<Float>
