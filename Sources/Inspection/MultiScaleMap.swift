import ImagingCore
import Kernels

extension CrackMap {
    /// Crack probabilities at several scales, fused by the per-pixel maximum: the map of the frame itself and,
    /// for each reduction factor in `factors` (> 1), the map of the frame area-averaged by that factor, enlarged
    /// back. A crack wider than the network sees at full size (a close-up photo) shows at a coarser scale.
    /// Factors that would leave a side under 32 pixels are skipped.
    /// - Parameters: gray: (H, W) gray8; factors: reduction factors (1 is always included); the rest as
    ///   ``probabilities(_:model:tileSize:threads:engine:)``.
    /// - Returns: `H × W` probabilities in 0...1, row-major.
    public static func multiScale(_ gray: PixelBuffer, model: CrackModel, factors: [Int], tileSize: Int = 256,
                                  threads: Int = 1) -> [Float] {
        var fused = probabilities(gray, model: model, tileSize: tileSize, threads: threads)
        for f in Set(factors).sorted() where f > 1 && min(gray.width, gray.height) / f >= 32 {
            let small = Downsample.area(gray, factor: f, threads: threads)
            let coarse = probabilities(small, model: model, tileSize: tileSize, threads: threads)
            let big = enlarge(coarse, width: small.width, height: small.height, factor: f,
                              toWidth: gray.width, toHeight: gray.height)
            for i in fused.indices where big[i] > fused[i] { fused[i] = big[i] }
        }
        return fused
    }

    /// Bilinear enlargement of a map of a frame reduced by `factor` with ``Downsample/area(_:factor:threads:)``:
    /// map pixel `x` covers frame pixels `f·x ..< f·x + f`, so its centre is at `f·x + (f − 1) / 2`; outside
    /// the centres the edge values continue.
    /// - Returns: `toHeight × toWidth` values.
    static func enlarge(_ map: [Float], width: Int, height: Int, factor: Int, toWidth: Int, toHeight: Int) -> [Float] {
        guard width > 0 && height > 0 else { return [Float](repeating: 0, count: toWidth * toHeight) }
        let f = Float(factor), half = Float(factor - 1) / 2
        // Source column pairs and weights, once per output column.
        var x0 = [Int](repeating: 0, count: toWidth), x1 = x0, wx = [Float](repeating: 0, count: toWidth)
        for x in 0..<toWidth {
            let s = min(max((Float(x) - half) / f, 0), Float(width - 1))
            x0[x] = Int(s)
            x1[x] = min(x0[x] + 1, width - 1)
            wx[x] = s - Float(x0[x])
        }
        var out = [Float](repeating: 0, count: toWidth * toHeight)
        for y in 0..<toHeight {
            let s = min(max((Float(y) - half) / f, 0), Float(height - 1))
            let y0 = Int(s), y1 = min(y0 + 1, height - 1), wy = s - Float(y0)
            let r0 = y0 * width, r1 = y1 * width, o = y * toWidth
            for x in 0..<toWidth {
                let top = map[r0 + x0[x]] + (map[r0 + x1[x]] - map[r0 + x0[x]]) * wx[x]
                let bottom = map[r1 + x0[x]] + (map[r1 + x1[x]] - map[r1 + x0[x]]) * wx[x]
                out[o + x] = top + (bottom - top) * wy
            }
        }
        return out
    }
}
