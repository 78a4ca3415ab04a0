import ImagingCore
import Kernels

/// Local mean and standard deviation from integral images: leaks are dark and smooth (low mean, low
/// deviation), cracks dark and thin.
public enum LocalStatistics {
    /// Mean and population standard deviation over a `window` x `window` square centred on each pixel,
    /// clipped at the image edges (each pixel averages only the pixels inside).
    /// - Parameters: src: (H, W) gray8 (≤ ``Integral/maximumPixelCount`` pixels); window: odd, ≥ 1;
    ///   threads: ≥ 1 for the integral image.
    /// - Returns: two (H, W) float planes.
    public static func meanAndDeviation(_ src: PixelBuffer, window: Int,
                                        threads: Int = 1) -> (mean: FloatImage, deviation: FloatImage) {
        precondition(window >= 1 && window % 2 == 1, "window must be odd")
        let table = Integral.compute(src, threads: threads)
        var mean = FloatImage(width: src.width, height: src.height)
        var deviation = FloatImage(width: src.width, height: src.height)
        let r = window / 2
        for y in 0..<src.height {
            let y0 = max(0, y - r), y1 = min(src.height, y + r + 1)
            for x in 0..<src.width {
                let x0 = max(0, x - r), x1 = min(src.width, x + r + 1)
                let (m, v) = table.meanAndVariance(in: Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
                mean[x, y] = Float(m)
                deviation[x, y] = Float(v.squareRoot())
            }
        }
        return (mean, deviation)
    }
}
