extension PixelBuffer {
    /// The image turned upright according to an EXIF orientation value.
    ///
    /// EXIF orientation 1 is upright; 2 mirrors horizontally; 3 rotates 180°; 4 mirrors vertically;
    /// 5 transposes; 6 means the stored image must be rotated 90° clockwise to display; 7 transverses;
    /// 8 rotates 90° counter-clockwise. Values outside 1...8 are treated as 1.
    /// - Parameters: orientation: the EXIF `Orientation` tag (274).
    /// - Returns: a new buffer (or `self` for orientation 1), width and height swapped for 5...8.
    public func applyingEXIFOrientation(_ orientation: Int) -> PixelBuffer {
        guard (2...8).contains(orientation) else { return self }
        let swap = orientation >= 5
        let ow = swap ? height : width, oh = swap ? width : height
        var out = PixelBuffer(width: ow, height: oh, format: format)
        let ch = format.channels
        for oy in 0..<oh {
            for ox in 0..<ow {
                // Source pixel that lands at (ox, oy) in the upright image.
                let sx: Int, sy: Int
                switch orientation {
                case 2: sx = width - 1 - ox; sy = oy
                case 3: sx = width - 1 - ox; sy = height - 1 - oy
                case 4: sx = ox; sy = height - 1 - oy
                case 5: sx = oy; sy = ox
                case 6: sx = oy; sy = height - 1 - ox
                case 7: sx = width - 1 - oy; sy = height - 1 - ox
                default: sx = width - 1 - oy; sy = ox  // 8
                }
                let s = sy * rowStride + sx * ch, d = oy * out.rowStride + ox * ch
                for c in 0..<ch { out.bytes[d + c] = bytes[s + c] }
            }
        }
        return out
    }
}
