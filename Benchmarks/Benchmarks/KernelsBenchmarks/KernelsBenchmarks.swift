// The bench stages of pavewatch-bench as ordo-one benchmarks, on a synthetic 4000x3000 frame (deterministic
// texture plus dark lines), single thread and all cores. Output buffers are allocated in setup, so
// `.mallocCountTotal` shows the kernels' own allocations (per-band scratch only).
import Benchmark
import ImagingCore
import Kernels

/// A 4000x3000 gray frame: smooth value noise with thin dark lines (cracks) across it.
private func syntheticFrame(width: Int = 4000, height: Int = 3000) -> PixelBuffer {
    var img = PixelBuffer(width: width, height: height, format: .gray8)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for y in 0..<height {
        for x in 0..<width {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Int(state >> 59)                      // 0…31
            let base = 120 + ((x / 37 + y / 23) % 7) * 9
            let crack = (x + 2 * y) % 401 < 2 || (3 * x - y) % 613 < 2
            img[x, y] = UInt8(crack ? 40 + noise : base + noise)
        }
    }
    return img
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           warmupIterations: 1, maxDuration: .seconds(2), maxIterations: 20)
    let gray = syntheticFrame()
    var rgb = PixelBuffer(width: gray.width, height: gray.height, format: .rgb8)
    for y in 0..<gray.height {
        for x in 0..<gray.width {
            let v = gray[x, y]
            rgb[x, y, channel: 0] = v
            rgb[x, y, channel: 1] = v &+ 7
            rgb[x, y, channel: 2] = v &- 5
        }
    }
    let blurred = Gaussian.blur5x5(gray)
    let k15 = StructuringElement.rectangle(width: 15, height: 15)

    for threads in [1, Parallelism.allCores] {
        let t = "threads=\(threads)"
        func stage(_ name: String, _ body: @escaping (inout PixelBuffer) -> Void) {
            Benchmark("\(name) \(t)") { benchmark in
                var out = PixelBuffer(width: gray.width, height: gray.height, format: .gray8)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    body(&out)
                    blackHole(out.bytes.count)
                }
            }
        }
        stage("gray") { ColorConversion.gray(rgb, into: &$0, threads: threads) }
        stage("gaussian5") { Gaussian.blur5x5(gray, into: &$0, threads: threads) }
        stage("sobel_mag") { Gradient.magnitude(gray, into: &$0, operator: .sobel, threads: threads) }
        stage("scharr_mag") { Gradient.magnitude(gray, into: &$0, operator: .scharr, threads: threads) }
        stage("canny") { Canny.edges(blurred, into: &$0, low: 50, high: 150, threads: threads) }
        stage("blackhat15") { Morphology.apply(.blackHat, to: gray, into: &$0, element: k15, threads: threads) }
        stage("erode15") { Morphology.apply(.erode, to: gray, into: &$0, element: k15, threads: threads) }
        stage("lbp") { LocalBinaryPattern.codes(gray, into: &$0, threads: threads) }
        Benchmark("integral \(t)") { benchmark in
            var table = IntegralImage(width: gray.width, height: gray.height)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                Integral.compute(gray, into: &table, threads: threads)
                blackHole(table.sum.values.count)
            }
        }
        Benchmark("ridge \(t)") { benchmark in
            var strength = FloatImage(width: gray.width, height: gray.height)
            var angle: FloatImage? = nil
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                Ridge.hessian(gray, strength: &strength, orientation: &angle, sigma: 2, threads: threads)
                blackHole(strength.values.count)
            }
        }
    }
}
