import ImagingCore

/// Downscaling done inside the JPEG decoder (in the DCT domain), so the full-size image is never built.
public enum DecodeScale: Int, Sendable, Hashable, CaseIterable {
    case full = 1
    case half = 2
    case quarter = 4
    case eighth = 8

    /// Output size for an input size: `ceil(n / denominator)`, as libjpeg computes it.
    public func scaled(_ n: Int) -> Int { (n + rawValue - 1) / rawValue }
}

/// What a decode should produce.
public struct DecodeOptions: Sendable, Hashable {
    /// Output pixel format. Gray JPEG output is decoded straight from the luma plane (no RGB round trip).
    public var format: PixelFormat
    /// DCT-domain downscale (JPEG only; PNG is always full size and rejects other scales).
    public var scale: DecodeScale
    /// Largest accepted pixel count, checked from the header before any large allocation.
    public var maxPixels: Int
    /// Rotate / flip by the EXIF orientation tag so that pixels appear upright (default true).
    public var applyOrientation: Bool

    /// The default pixel-count limit: 200 megapixels.
    public static let defaultMaxPixels = 200_000_000

    public init(format: PixelFormat = .rgb8, scale: DecodeScale = .full,
                maxPixels: Int = DecodeOptions.defaultMaxPixels, applyOrientation: Bool = true) {
        self.format = format
        self.scale = scale
        self.maxPixels = maxPixels
        self.applyOrientation = applyOrientation
    }

    /// Throws ``CodecError/tooLarge`` or ``CodecError/zeroSize`` for a header size outside the limit.
    func checkSize(width: Int, height: Int) throws(CodecError) {
        if width <= 0 || height <= 0 { throw .zeroSize }
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || product > maxPixels { throw .tooLarge(width: width, height: height, limit: maxPixels) }
    }
}
