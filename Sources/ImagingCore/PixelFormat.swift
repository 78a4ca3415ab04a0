/// The layout of one pixel in a ``PixelBuffer``: 8 bits per channel, channels interleaved.
public enum PixelFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// One channel, luma.
    case gray8
    /// Three channels, red, green, blue.
    case rgb8
    /// Four channels, red, green, blue, alpha (not premultiplied).
    case rgba8

    /// Bytes (channels) per pixel.
    public var channels: Int {
        switch self {
        case .gray8: 1
        case .rgb8: 3
        case .rgba8: 4
        }
    }
}
