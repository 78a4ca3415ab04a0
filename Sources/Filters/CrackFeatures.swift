import ImagingCore
import Kernels

/// The per-pixel input channels of the crack model, computed from a gray frame with the filter kernels:
/// 0 local contrast (gray minus its 31×31 mean), 1 morphological black-hat (9×9, dark details narrower than
/// 9 px), 2 Hessian ridge strength (σ 1.5, thin dark lines). Every channel is divided by the frame's
/// contrast scale so that dim and bright frames look alike to the model.
///
/// Each output pixel depends on at most ``halo`` pixels on each side, so a tile computed with that margin
/// equals the same region of the whole frame (no seams).
public enum CrackFeatures {
    /// Channels per pixel.
    public static let channels = 3
    /// Context each feature needs on each side, in pixels.
    public static let halo = 16
    static let boxSize = 31

    /// How a frame's contrast scale is measured (a model's choice: it was trained with one).
    public enum ScaleRule: String, Sendable, Hashable {
        /// The standard deviation of the gray values (models up to crack-pixel-v2.2).
        case std
        /// The robust spread, 1.4826 × the median absolute deviation from the median: a white bonnet or lane paint
        /// across part of the frame does not inflate it (models/DETECTOR.md, protocol P).
        case mad
    }

    /// The contrast scale of a frame by `rule`, at least 8.
    public static func contrastScale(_ gray: PixelBuffer, rule: ScaleRule) -> Float {
        rule == .std ? contrastScale(gray) : robustContrastScale(gray)
    }

    /// 1.4826 × the median absolute deviation of the gray values from their median (sampled on a 3-px grid), at
    /// least 8: the standard deviation of the texture, robust to bright or dark objects on part of the frame.
    public static func robustContrastScale(_ gray: PixelBuffer) -> Float {
        var histogram = [Int](repeating: 0, count: 256)
        var n = 0
        for y in stride(from: 0, to: gray.height, by: 3) {
            let r = y * gray.rowStride
            for x in stride(from: 0, to: gray.width, by: 3) { histogram[Int(gray.bytes[r + x])] += 1; n += 1 }
        }
        guard n > 0 else { return 8 }
        /// The smallest value with more than half the samples at or below it.
        func median(_ h: [Int]) -> Int {
            var seen = 0
            for (v, c) in h.enumerated() { seen += c; if 2 * seen > n { return v } }
            return h.count - 1
        }
        let m = median(histogram)
        var deviations = [Int](repeating: 0, count: 256)
        for (v, c) in histogram.enumerated() { deviations[abs(v - m)] += c }
        return max(8, 1.4826 * Float(median(deviations)))
    }

    /// The contrast scale of a frame: the standard deviation of its gray values (sampled on a 3-px grid),
    /// at least 8.
    /// - Parameters: gray: (H, W) gray8.
    public static func contrastScale(_ gray: PixelBuffer) -> Float {
        var s = 0.0, s2 = 0.0, n = 0.0
        var y = 0
        while y < gray.height {
            let r = y * gray.rowStride
            var x = 0
            while x < gray.width {
                let v = Double(gray.bytes[r + x])
                s += v; s2 += v * v; n += 1
                x += 3
            }
            y += 3
        }
        guard n > 0 else { return 8 }
        let m = s / n
        return Float(max(8, max(0, s2 / n - m * m).squareRoot()))
    }

    /// Computes the channels of a gray image.
    /// - Parameters: gray: (H, W) gray8; scale: the whole frame's ``contrastScale(_:)``; threads: ≥ 1.
    /// - Returns: `channels × H × W` floats, channel-major (channel c at `c · H · W`).
    public static func compute(_ gray: PixelBuffer, scale: Float, threads: Int = 1) -> [Float] {
        let w = gray.width, h = gray.height, n = w * h
        var out = [Float](repeating: 0, count: channels * n)
        guard n > 0 else { return out }
        let mean = BoxFilter.mean(gray, width: boxSize, height: boxSize, border: .reflect101, threads: threads)
        // Black-hat as closing − source from two single passes: the fused black-hat of Kernels crashed
        // intermittently (an out-of-bounds row read in its sliding window; see models/DETECTOR.md). Same values.
        let element = StructuringElement.rectangle(width: 9, height: 9)
        let closed = Morphology.apply(.erode, to: Morphology.apply(.dilate, to: gray, element: element, border: .replicate,
                                                                   threads: threads),
                                      element: element, border: .replicate, threads: threads)
        let ridge = Ridge.hessian(gray, sigma: 1.5, orientation: false, border: .reflect101, threads: threads).strength
        let inv = 1 / scale
        for y in 0..<h {
            let gr = y * gray.rowStride, mr = y * mean.rowStride, br = y * closed.rowStride, rr = y * ridge.rowStride
            let o = y * w
            for x in 0..<w {
                out[o + x] = (Float(gray.bytes[gr + x]) - Float(mean.bytes[mr + x])) * inv
                out[n + o + x] = Float(closed.bytes[br + x] &- min(closed.bytes[br + x], gray.bytes[gr + x])) * inv
                out[2 * n + o + x] = ridge.values[rr + x] * 0.5 * inv
            }
        }
        return out
    }

    /// A crop of an image (gray or colour); pixels outside the image repeat the nearest edge pixel.
    /// - Parameters: image: (H, W) of any format; x, y: top-left (may be negative); width, height: ≥ 1.
    public static func crop(_ image: PixelBuffer, x: Int, y: Int, width: Int, height: Int) -> PixelBuffer {
        var out = PixelBuffer(width: width, height: height, format: image.format)
        guard image.width > 0 && image.height > 0 else { return out }
        let c = image.format.channels
        for r in 0..<height {
            let sy = min(max(y + r, 0), image.height - 1) * image.rowStride
            let d = r * out.rowStride
            if x >= 0 && x + width <= image.width {
                for i in 0..<(width * c) { out.bytes[d + i] = image.bytes[sy + x * c + i] }
            } else {
                for col in 0..<width {
                    let sx = sy + min(max(x + col, 0), image.width - 1) * c
                    for k in 0..<c { out.bytes[d + col * c + k] = image.bytes[sx + k] }
                }
            }
        }
        return out
    }
}
