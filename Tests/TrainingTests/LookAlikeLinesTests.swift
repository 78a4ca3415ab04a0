import ImagingCore
import Inspection
import NeuralNet
import Testing
@testable import Training

/// The straight look-alikes drawn on training frames.
@Suite struct LookAlikeLinesTests {
    /// A flat gray frame with one labelled crack pixel column.
    func frame(width: Int = 160, height: Int = 120) -> CrackImage {
        var g = PixelBuffer(width: width, height: height, format: .gray8)
        for y in 0..<height { for x in 0..<width { g.bytes[y * g.rowStride + x] = 128 } }
        var truth = BinaryMask(width: width, height: height)
        for y in 10..<50 { truth.bits[y * width + 30] = 1 }
        return CrackImage(name: "flat", gray: g, truth: truth)
    }

    @Test func sameSeedSameLinesAndLabelsKept() {
        let f = frame()
        let a = LookAlikeLines.drawn(on: f, seed: 7), b = LookAlikeLines.drawn(on: f, seed: 7)
        #expect(a.gray == b.gray)
        #expect(a.truth == f.truth)
        #expect(a.crackPixels == f.crackPixels)
        var differ = 0
        for seed in UInt64(1)...20 where LookAlikeLines.drawn(on: f, seed: seed).gray != a.gray { differ += 1 }
        #expect(differ >= 18)
    }

    /// Every changed pixel lies on one of the drawn lines (within its half width and the soft edge), every line
    /// crossing the frame changes pixels along its length, and the lines leave most of the frame as it was.
    @Test func changedPixelsLieOnStraightLines() {
        let f = frame()
        for seed in UInt64(1)...30 {
            var rng = RandomSource(seed: seed)
            let lines = LookAlikeLines.lines(width: 160, height: 120, rng: &rng)
            let out = LookAlikeLines.drawn(on: f, seed: seed).gray
            var changed = 0
            for y in 0..<120 { for x in 0..<160 where out.bytes[y * out.rowStride + x] != 128 {
                changed += 1
                let near = lines.contains { l in
                    abs((Double(x) - l.x) * -l.dy + (Double(y) - l.y) * l.dx) <= l.width / 2 + 0.5
                }
                #expect(near, "seed \(seed): pixel (\(x), \(y)) changed off every line")
            } }
            #expect(changed > 0, "seed \(seed): nothing drawn")
            #expect(changed < 160 * 120 / 2, "seed \(seed): \(changed) pixels changed")
        }
    }
}
