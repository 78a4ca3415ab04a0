import ImagingCore

/// Crack width from the gray levels across the crack rather than from the thresholded probability map (whose
/// regions are wider than the crack by the network's blur, about 1.5 px for crack-pixel-v1.2 and v1.3).
///
/// The width is the crack's *equivalent width*: the darkness summed over the region and a 2-px band around it,
/// divided by the darkness on the centre line and the centre-line length. A band of constant darkness gives its
/// exact width; a blurred line gives about its full width at half depth (1.06 × for a Gaussian profile).
/// Darkness is measured against the median gray of a ring 3 to 6 px outside the region.
public enum CrackWidth {
    /// Least centre-line darkness, gray levels, for a reliable width; fainter cracks keep the region's width.
    public static let minimumDepth = 8.0

    /// Equivalent width in pixels, or nil when the crack is too faint against its surroundings (or the region
    /// has no centre line).
    /// - Parameters: gray: (H, W) gray8 frame the region was found on; region: the region's mask crop;
    ///   origin: the crop's top-left in the frame; centreLine: skeleton pixels in frame coordinates;
    ///   lengthPx: the centre-line length.
    public static func equivalent(gray: PixelBuffer, region: BinaryMask, origin: SIMD2<Int>,
                                  centreLine: [SIMD2<Int>], lengthPx: Double) -> Double? {
        guard !centreLine.isEmpty, lengthPx > 0, gray.format == .gray8 else { return nil }
        // Padded so that every pixel within 6 px of the region lies at least 8 px inside the crop; pixels near
        // the crop's border (whose distance the transform cuts short) are never used.
        let pad = 14
        let w = region.width + 2 * pad, h = region.height + 2 * pad
        var outside = BinaryMask(width: w, height: h)
        for i in outside.bits.indices { outside.bits[i] = 1 }
        for y in 0..<region.height { for x in 0..<region.width where region.bits[y * region.width + x] != 0 {
            outside.bits[(y + pad) * w + x + pad] = 0
        } }
        let dist = DistanceTransform.euclidean(outside)
        let ox = origin.x - pad, oy = origin.y - pad
        func value(_ fx: Int, _ fy: Int) -> Double {
            Double(gray[min(gray.width - 1, max(0, fx)), min(gray.height - 1, max(0, fy))])
        }
        var ring: [Double] = []
        var window: [(Int, Int)] = []
        for y in 7..<(h - 7) {
            for x in 7..<(w - 7) {
                let fx = x + ox, fy = y + oy
                guard fx >= 0, fy >= 0, fx < gray.width, fy < gray.height else { continue }
                let d = dist[y * w + x]
                if d <= 2 { window.append((fx, fy)) } else if d <= 6 { ring.append(value(fx, fy)) }
            }
        }
        guard ring.count >= 8 else { return nil }
        let background = median(ring)
        let depth = median(centreLine.map { background - value($0.x, $0.y) })
        guard depth >= minimumDepth else { return nil }
        var deficit = 0.0
        for (fx, fy) in window { deficit += background - value(fx, fy) }
        let width = deficit / (depth * lengthPx)
        return width > 0 ? width : nil
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
