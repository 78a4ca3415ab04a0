import Foundation
import ImagingCore
import Kernels
import Testing
import TestSupport

@Suite("Stencil kernels against their scalar twins, every border mode")
struct StencilKernelTests {
    static let shapes = awkwardShapes

    @Test("5x5 Gaussian equals the exact fixed-point reference", arguments: BorderMode.allCases)
    func gaussian5(border: BorderMode) {
        for (i, s) in Self.shapes.enumerated() {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            #expect(firstDifference(Gaussian.blur5x5(src, border: border),
                                    Gaussian.blurReference(src, sigma: 0, size: 5, border: border)) == nil, "\(s)")
        }
    }

    @Test("Fixed-point Gaussian of other sigmas equals the reference", arguments: [(0.6, 5), (1.0, 7), (1.7, 11)])
    func gaussianSigma(sigma: Double, size: Int) {
        #expect(Gaussian.kernelSize(sigma: sigma, eightBit: true) == size)
        #expect(Gaussian.fixedPointKernel(size: size, sigma: sigma).reduce(0, +) == 256)
        for border in BorderMode.allCases {
            for (i, s) in Self.shapes.enumerated() where s.width < 100 {
                let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
                #expect(firstDifference(Gaussian.blur(src, sigma: sigma, border: border),
                                        Gaussian.blurReference(src, sigma: sigma, size: size, border: border)) == nil,
                        "\(s) \(border)")
            }
        }
    }

    @Test("The Gaussian kernel follows OpenCV's getGaussianKernel")
    func gaussianKernel() {
        #expect(Gaussian.fixedPointKernel(size: 5, sigma: 0) == [16, 64, 96, 64, 16])
        #expect(Gaussian.kernelSize(sigma: 2, eightBit: false) == 17)
        let k = Gaussian.kernel(size: 9, sigma: 1.5)
        #expect(abs(k.reduce(0, +) - 1) < 1e-12)
        #expect(abs(k[4] / k[3] - exp(1 / (2 * 1.5 * 1.5))) < 1e-12)
    }

    @Test("Float Gaussian is within 1e-4 of the Double reference", arguments: BorderMode.allCases)
    func gaussianFloat(border: BorderMode) {
        for (i, s) in Self.shapes.enumerated() where s.width < 100 {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            let f = FloatImage(src)
            let ref = Gaussian.blurReference(f, sigma: 1.3, size: 11, border: border)
            #expect(maxAbsDifference(Gaussian.blur(f, sigma: 1.3, size: 11, border: border), ref) < 1e-3, "\(s)")
            #expect(maxAbsDifference(Gaussian.blurToFloat(src, sigma: 1.3, size: 11, border: border), ref) < 1e-3, "\(s)")
        }
    }

    @Test("Sobel and Scharr derivatives and 8-bit magnitudes equal the reference",
          arguments: GradientOperator.allCases, BorderMode.allCases)
    func gradient(op: GradientOperator, border: BorderMode) {
        for (i, s) in Self.shapes.enumerated() {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            let (dx, dy) = Gradient.derivatives(src, operator: op, border: border)
            let (rx, ry) = Gradient.derivativesReference(src, operator: op, border: border)
            #expect(dx == rx, "\(s)")
            #expect(dy == ry, "\(s)")
            for norm in GradientNorm.allCases {
                #expect(firstDifference(Gradient.magnitude(src, operator: op, norm: norm, border: border),
                                        Gradient.magnitudeReference(src, operator: op, norm: norm, border: border)) == nil,
                        "\(s) \(norm)")
            }
        }
    }

    @Test("Float magnitude and orientation of derivatives")
    func orientation() {
        let src = testImage(width: 23, height: 17, seed: 5)
        let (dx, dy) = Gradient.derivatives(src)
        let angle = Gradient.orientation(dx: dx, dy: dy)
        let l2 = Gradient.magnitude(dx: dx, dy: dy, norm: .l2), l1 = Gradient.magnitude(dx: dx, dy: dy, norm: .l1)
        for y in 0..<17 {
            for x in 0..<23 {
                let fx = Double(dx[x, y]), fy = Double(dy[x, y])
                #expect(abs(Double(angle[x, y]) - atan2(fy, fx)) < 5e-5 || (fx == 0 && fy == 0))
                #expect(abs(Double(l2[x, y]) - (fx * fx + fy * fy).squareRoot()) < 1e-3)
                #expect(Double(l1[x, y]) == abs(fx) + abs(fy))
            }
        }
        // Exact angles on the axes and diagonals.
        for (y, x) in [(0.0, 1.0), (1.0, 0.0), (-1.0, 0.0), (0.0, -1.0), (3.0, 3.0), (-2.0, -2.0), (1e-3, -5.0)] {
            #expect(abs(Double(FastMath.atan2(Float(y), Float(x))) - atan2(y, x)) < 3e-5)
        }
    }

    @Test("Canny equals the reference", arguments: [(50.0, 150.0, false), (20, 60, false), (150, 50, false), (30, 90, true)])
    func canny(low: Double, high: Double, l2: Bool) {
        for border in BorderMode.allCases {
            for (i, s) in Self.shapes.enumerated() {
                let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i),
                                      smooth: s.width < 100)
                #expect(firstDifference(Canny.edges(src, low: low, high: high, l2Gradient: l2, border: border),
                                        Canny.edgesReference(src, low: low, high: high, l2Gradient: l2, border: border)) == nil,
                        "\(s) \(border)")
            }
        }
    }

    @Test("Morphology equals the brute-force reference",
          arguments: MorphologyOperation.allCases, BorderMode.allCases)
    func morphology(op: MorphologyOperation, border: BorderMode) {
        let elements: [StructuringElement] = [.rectangle(width: 3, height: 3), .rectangle(width: 4, height: 2),
                                               .rectangle(width: 15, height: 15), .horizontalLine(length: 5),
                                               .verticalLine(length: 6), .rectangle(width: 1, height: 1)]
        for (i, s) in Self.shapes.enumerated() where s.width < 100 {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            for e in elements {
                #expect(firstDifference(Morphology.apply(op, to: src, element: e, border: border),
                                        Morphology.applyReference(op, to: src, element: e, border: border)) == nil,
                        "\(s) \(e)")
            }
        }
        // Taller than the 128-row window the fused open/close slides over.
        let tall = testImage(width: 23, height: 290, seed: 78, smooth: true)
        #expect(firstDifference(Morphology.apply(op, to: tall, element: .rectangle(width: 5, height: 9), border: border),
                                Morphology.applyReference(op, to: tall, element: .rectangle(width: 5, height: 9), border: border)) == nil)
        // Bands whose last chunk is a few rows long: the second filter's blocks reach past the window there
        // (it used to read outside it, and crashed on some frames).
        for height in [129, 130, 137, 258, 300] {
            let img = testImage(width: 31, height: height, seed: UInt64(height), smooth: true)
            let reference = Morphology.applyReference(op, to: img, element: .rectangle(width: 9, height: 9), border: border)
            for threads in [1, 2, 3] {
                #expect(firstDifference(Morphology.apply(op, to: img, element: .rectangle(width: 9, height: 9), border: border,
                                                         threads: threads), reference) == nil, "height \(height), \(threads) threads")
            }
        }
        let strip = testImage(width: 4097, height: 3, seed: 77)
        #expect(firstDifference(Morphology.apply(op, to: strip, element: .rectangle(width: 9, height: 3), border: border),
                                Morphology.applyReference(op, to: strip, element: .rectangle(width: 9, height: 3), border: border)) == nil)
    }

    @Test("LBP codes equal the reference", arguments: LBPMapping.allCases, BorderMode.allCases)
    func lbp(mapping: LBPMapping, border: BorderMode) {
        for (i, s) in Self.shapes.enumerated() {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            #expect(firstDifference(LocalBinaryPattern.codes(src, mapping: mapping, border: border),
                                    LocalBinaryPattern.codesReference(src, mapping: mapping, border: border)) == nil, "\(s)")
        }
    }

    @Test("LBP mappings have the textbook bin counts")
    func lbpMappings() {
        for m in LBPMapping.allCases {
            let t = m.table
            #expect(t.count == 256)
            #expect(Set(t).count == m.binCount)
            #expect(Int(t.max()!) == m.binCount - 1)
        }
        let uniform = LBPMapping.uniform.table
        #expect(uniform[0] == 0 && uniform[255] == 57 && uniform[0b0101_0101] == 58)
        let ri = LBPMapping.rotationInvariant.table
        #expect(ri[0b0000_0001] == ri[0b1000_0000])
        #expect(LBPMapping.uniformRotationInvariant.table[0b0011_1000] == 3)
    }

    @Test("Ridge strength and orientation are within tolerance of the Double reference", arguments: BorderMode.allCases)
    func ridge(border: BorderMode) {
        for (i, s) in Self.shapes.enumerated() where s.width < 40 {
            let src = testImage(width: s.width, height: s.height, rowStride: s.rowStride, seed: UInt64(i))
            let got = Ridge.hessian(src, sigma: 1.2, border: border)
            let ref = Ridge.hessianReference(src, sigma: 1.2, border: border)
            #expect(maxAbsDifference(got.strength, ref.strength) <= 2e-3 * max(1, maxAbs(ref.strength)), "\(s)")
        }
    }

    @Test("Ridge finds a thin dark line and its direction", arguments: [0.0, 30.0, 90.0, 135.0])
    func ridgeLine(degrees: Double) {
        let n = 41, c = 20.0
        let theta = degrees * .pi / 180
        var img = PixelBuffer(width: n, height: n, format: .gray8)
        for y in 0..<n {
            for x in 0..<n {
                // Distance from the line through the centre with direction theta.
                let d = abs(-(Double(x) - c) * sin(theta) + (Double(y) - c) * cos(theta))
                img[x, y] = UInt8(200 - 160 * max(0, 1.5 - d) / 1.5)  // anti-aliased line, 3 px wide
            }
        }
        let r = Ridge.hessian(img, sigma: 1.5)
        let centre = r.strength[20, 20]
        #expect(centre > 10)
        #expect(r.strength[20, 20] > r.strength[Int(c + 6 * sin(theta)), Int(c - 6 * cos(theta))] + 5)
        let got = Double(r.orientation![20, 20])
        let diff = abs(got - theta).truncatingRemainder(dividingBy: .pi)
        #expect(min(diff, .pi - diff) < 0.05, "orientation \(got) for \(theta)")
        let ref = Ridge.hessianReference(img, sigma: 1.5)
        #expect(abs(Double(ref.orientation![20, 20]) - got) < 1e-3 || abs(abs(Double(ref.orientation![20, 20]) - got) - .pi) < 1e-3)
    }
}
