import ImagingCore
import Kernels
import Testing
import TestSupport

@Suite("Banded runs give the same output as one thread")
struct ParallelTests {
    static let image = testImage(width: 157, height: 203, rowStride: 171, seed: 42, smooth: true)
    static let rgb = testImage(width: 157, height: 203, format: .rgb8, seed: 43)

    @Test("Bands cover every row once")
    func bands() {
        for rows in [0, 1, 7, 100, 203] {
            for threads in [1, 2, 3, 16] {
                let b = Parallelism.bands(rows: rows, threads: threads)
                #expect(b.flatMap { Array($0) } == Array(0..<rows))
            }
        }
    }

    @Test("Every kernel is thread-count independent", arguments: [2, 3, 8])
    func identical(threads: Int) {
        let src = Self.image
        #expect(ColorConversion.gray(Self.rgb, threads: threads) == ColorConversion.gray(Self.rgb))
        #expect(Gaussian.blur5x5(src, threads: threads) == Gaussian.blur5x5(src))
        #expect(Gaussian.blur(src, sigma: 1.4, threads: threads) == Gaussian.blur(src, sigma: 1.4))
        #expect(Gaussian.blurToFloat(src, sigma: 2, threads: threads) == Gaussian.blurToFloat(src, sigma: 2))
        #expect(BoxFilter.mean(src, width: 9, height: 5, threads: threads) == BoxFilter.mean(src, width: 9, height: 5))
        #expect(Integral.compute(src, threads: threads) == Integral.compute(src))
        #expect(Gradient.magnitude(src, operator: .scharr, threads: threads) == Gradient.magnitude(src, operator: .scharr))
        let a = Gradient.derivatives(src, threads: threads), b = Gradient.derivatives(src)
        #expect(a.dx == b.dx && a.dy == b.dy)
        #expect(Canny.edges(src, low: 20, high: 60, threads: threads) == Canny.edges(src, low: 20, high: 60))
        for op in MorphologyOperation.allCases {
            #expect(Morphology.apply(op, to: src, element: .rectangle(width: 15, height: 15), threads: threads)
                    == Morphology.apply(op, to: src, element: .rectangle(width: 15, height: 15)))
        }
        #expect(LocalBinaryPattern.codes(src, mapping: .uniform, threads: threads) == LocalBinaryPattern.codes(src, mapping: .uniform))
        let r1 = Ridge.hessian(src, threads: threads), r2 = Ridge.hessian(src)
        #expect(r1.strength == r2.strength && r1.orientation == r2.orientation)
        #expect(Downsample.area(src, factor: 4, threads: threads) == Downsample.area(src, factor: 4))
    }
}
