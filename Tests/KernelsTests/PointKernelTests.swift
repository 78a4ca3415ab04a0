import ImagingCore
import Kernels
import Testing
import TestSupport

@Suite("Colour, box, integral and downsampling kernels against their scalar twins")
struct PointKernelTests {
    @Test("RGB and RGBA to gray equal the reference", arguments: [PixelFormat.rgb8, .rgba8])
    func gray(format: PixelFormat) {
        for (i, s) in awkwardShapes.enumerated() {
            let stride = s.rowStride.map { $0 * format.channels }
            let src = testImage(width: s.width, height: s.height, format: format, rowStride: stride, seed: UInt64(i))
            #expect(firstDifference(ColorConversion.gray(src), ColorConversion.grayReference(src)) == nil, "\(s)")
        }
    }

    @Test("8-bit luma weights are within 1 level of libjpeg's")
    func grayMatchesLibjpeg() {
        var worst = 0
        for r in stride(from: 0, through: 255, by: 3) {
            for g in stride(from: 0, through: 255, by: 3) {
                for b in stride(from: 0, through: 255, by: 3) {
                    let ours = (r * 77 + g * 150 + b * 29 + 128) >> 8
                    let libjpeg = (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16
                    worst = max(worst, abs(ours - libjpeg))
                }
            }
        }
        #expect(worst <= 1)
    }

    @Test("Box mean equals the reference", arguments: BorderMode.allCases)
    func box(border: BorderMode) {
        for (i, s) in awkwardShapes.enumerated() where s.width < 100 {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            for (kw, kh) in [(3, 3), (4, 2), (7, 5), (1, 1)] {
                #expect(firstDifference(BoxFilter.mean(src, width: kw, height: kh, border: border),
                                        BoxFilter.meanReference(src, width: kw, height: kh, border: border)) == nil,
                        "\(s) \(kw)x\(kh)")
            }
        }
    }

    @Test("Integral images equal the reference, with any thread count")
    func integral() {
        for (i, s) in awkwardShapes.enumerated() {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            #expect(Integral.compute(src) == Integral.computeReference(src), "\(s)")
        }
        let big = testImage(width: 301, height: 257, seed: 9)
        let one = Integral.compute(big, threads: 1)
        #expect(Integral.compute(big, threads: 3) == one)
        #expect(one == Integral.computeReference(big))
        let rect = Rect(x: 10, y: 20, width: 30, height: 40)
        var total = 0, squares = 0
        for y in rect.y..<rect.maxY { for x in rect.x..<rect.maxX { total += Int(big[x, y]); squares += Int(big[x, y]) * Int(big[x, y]) } }
        #expect(Int(one.sum(in: rect)) == total)
        #expect(Int(one.squareSum(in: rect)) == squares)
        let (mean, variance) = one.meanAndVariance(in: rect)
        let m = Double(total) / 1200
        #expect(abs(mean - m) < 1e-9)
        #expect(abs(variance - (Double(squares) / 1200 - m * m)) < 1e-6)
    }

    @Test("Area downsampling equals the reference (the detector reduces by any factor up to 8)", arguments: [2, 3, 4, 5, 8])
    func downsample(factor: Int) {
        for (i, s) in awkwardShapes.enumerated() {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            #expect(firstDifference(Downsample.area(src, factor: factor), Downsample.areaReference(src, factor: factor)) == nil,
                    "\(s)")
        }
    }
}
