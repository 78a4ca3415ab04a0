import ImagingCore

extension BorderMode {
    /// `index(_:count:)` for rows, as the row pointer offset, or nil for constant borders outside.
    @inlinable
    func rowOffset(_ y: Int, height: Int, stride: Int) -> Int? {
        index(y, count: height).map { $0 * stride }
    }
}

/// Copies a row of `width` elements into `dst` with `left` and `right` elements of border around it:
/// `dst[left + x] = row[x]`, outside taken by `border` (`constant` writes `value`).
/// - Parameters: dst: room for left + width + right elements; width ≥ 1.
func padRow<T>(_ dst: UnsafeMutablePointer<T>, from row: UnsafePointer<T>, width: Int, left: Int, right: Int,
               border: BorderMode, value: T) {
    unsafe (dst + left).update(from: row, count: width)
    for i in 0..<left {
        let x = i - left
        unsafe dst[i] = border.index(x, count: width).map { unsafe row[$0] } ?? value
    }
    for i in 0..<right {
        let x = width + i
        unsafe dst[left + width + i] = border.index(x, count: width).map { unsafe row[$0] } ?? value
    }
}

/// Fills `pad` elements on each side of `buf[0..<width]` in place by the border rule.
/// - Parameters: buf: `buf[-pad ..< width + pad]` must be writable; width ≥ 1.
func padInPlace<T>(_ buf: UnsafeMutablePointer<T>, width: Int, pad: Int, border: BorderMode, value: T) {
    guard pad > 0 else { return }
    for i in 1...pad {
        unsafe buf[-i] = border.index(-i, count: width).map { unsafe buf[$0] } ?? value
        unsafe buf[width - 1 + i] = border.index(width - 1 + i, count: width).map { unsafe buf[$0] } ?? value
    }
}
