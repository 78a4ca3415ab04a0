/// How a filter reads pixels outside the image.
public enum BorderMode: Sendable, Hashable, CaseIterable {
    /// Repeat the edge pixel: `aaa|abcd|ddd` (OpenCV's BORDER_REPLICATE).
    case replicate
    /// Mirror without repeating the edge: `dcb|abcd|cba` (OpenCV's BORDER_REFLECT_101, its default).
    case reflect101
    /// A constant value outside (zero unless a filter says otherwise).
    case constant

    /// Maps a coordinate that may lie outside `0..<n` to one inside, or nil for ``constant``.
    /// - Parameters: i: coordinate; n: length of the axis (≥ 1).
    @inlinable
    public func index(_ i: Int, count n: Int) -> Int? {
        if i >= 0 && i < n { return i }
        switch self {
        case .replicate:
            return i < 0 ? 0 : n - 1
        case .reflect101:
            if n == 1 { return 0 }
            var j = i
            let period = 2 * (n - 1)
            j = j % period
            if j < 0 { j += period }
            return j < n ? j : period - j
        case .constant:
            return nil
        }
    }
}
