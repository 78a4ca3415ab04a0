import Foundation
import Codecs
import ImagingCore
import NeuralNet

/// Random photometric and geometric changes to a training tile: the 8 flips / 90° rotations, brightness,
/// contrast, gamma, a 3×3 blur and JPEG re-compression, all drawn from a seeded ``RandomSource``.
public struct Augmenter: Sendable {
    /// Probability of JPEG re-compression (quality 35–90).
    public var jpegProbability: Double
    /// Probability of a 3×3 box blur.
    public var blurProbability = 0.15

    public init(jpegProbability: Double) { self.jpegProbability = jpegProbability }

    /// The augmented tile as floats in [0, 1], row-major.
    public func apply(_ sample: TileSample, rng: inout RandomSource) -> [Float] {
        let n = sample.size
        var px = sample.pixels
        if Double(rng.uniform()) < jpegProbability {
            var buf = PixelBuffer(width: n, height: n, format: .gray8)
            for y in 0..<n { buf.bytes.replaceSubrange((y * buf.rowStride)..<(y * buf.rowStride + n), with: px[(y * n)..<(y * n + n)]) }
            let q = 35 + rng.index(below: 56)
            if let jpeg = try? ImageEncoder.jpeg(buf, quality: q),
               let back = try? ImageDecoder.decode(jpeg, options: DecodeOptions(format: .gray8)).pixels,
               back.width == n, back.height == n {
                px = GrayImage(back).pixels
            }
        }
        // Dihedral transform: transpose? then flip x? flip y?
        let t = rng.index(below: 8)
        var out = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                var sx = (t & 1) != 0 ? n - 1 - x : x, sy = (t & 2) != 0 ? n - 1 - y : y
                if (t & 4) != 0 { swap(&sx, &sy) }
                out[y * n + x] = Float(px[sy * n + sx]) * (1 / 255)
            }
        }
        if Double(rng.uniform()) < blurProbability {
            let src = out
            for y in 0..<n {
                for x in 0..<n {
                    var s: Float = 0
                    for dy in -1...1 {
                        for dx in -1...1 { s += src[min(n - 1, max(0, y + dy)) * n + min(n - 1, max(0, x + dx))] }
                    }
                    out[y * n + x] = s / 9
                }
            }
        }
        let contrast = 0.75 + 0.5 * rng.uniform(), brightness = (rng.uniform() - 0.5) * 0.2
        let gamma = 0.8 + 0.45 * rng.uniform()
        let mean = out.reduce(0, +) / Float(n * n)
        for i in out.indices {
            let v = min(1, max(0, (out[i] - mean) * contrast + mean + brightness))
            out[i] = Float(pow(Double(v), Double(gamma)))
        }
        return out
    }
}
