import ImagingCore
import Kernels
import Synchronization

/// Benchmark stages of the Kernels module (see Benchmarks/README.md for the stage names). Each does the
/// work of its OpenCV / numpy baseline in ../shared/bench/README.md; output buffers are allocated once in
/// `prepare` and reused (a Mutex makes the reused buffer safe to capture).
let kernelStages: [BenchStage] = [
    grayStage("gray") { src, dst, t in ColorConversion.gray(src, into: &dst, threads: t) }
        .usingRGB(),
    grayStage("gaussian5") { src, dst, t in Gaussian.blur5x5(src, into: &dst, threads: t) },
    grayStage("sobel_mag") { src, dst, t in Gradient.magnitude(src, into: &dst, operator: .sobel, norm: .l1, threads: t) },
    grayStage("scharr_mag") { src, dst, t in Gradient.magnitude(src, into: &dst, operator: .scharr, norm: .l1, threads: t) },
    BenchStage(name: "canny") { input in
        // The baseline runs Canny(50, 150) on the 5x5-blurred frame; the blur is set-up, not timed.
        let blurred = Gaussian.blur5x5(input.gray, threads: input.threads)
        let out = Mutex(PixelBuffer(width: blurred.width, height: blurred.height, format: .gray8))
        let threads = input.threads
        return {
            out.withLock { Canny.edges(blurred, into: &$0, low: 50, high: 150, threads: threads) }
        }
    },
    grayStage("blackhat15") { src, dst, t in
        Morphology.apply(.blackHat, to: src, into: &dst, element: .rectangle(width: 15, height: 15), threads: t)
    },
    grayStage("erode15") { src, dst, t in
        Morphology.apply(.erode, to: src, into: &dst, element: .rectangle(width: 15, height: 15), threads: t)
    },
    BenchStage(name: "integral") { input in
        let gray = input.gray, threads = input.threads
        let table = Mutex(IntegralImage(width: gray.width, height: gray.height))
        return { table.withLock { Integral.compute(gray, into: &$0, threads: threads) } }
    },
    grayStage("lbp") { src, dst, t in LocalBinaryPattern.codes(src, into: &dst, threads: t) },
    BenchStage(name: "ridge") { input in
        // The baseline computes the strength only (largest Hessian eigenvalue, sigma 2, float).
        let gray = input.gray, threads = input.threads
        let planes = Mutex((strength: FloatImage(width: gray.width, height: gray.height), angle: FloatImage?.none))
        return {
            planes.withLock { p in
                Ridge.hessian(gray, strength: &p.strength, orientation: &p.angle, sigma: 2, threads: threads)
            }
        }
    },
]

/// A stage that maps the gray frame (or, with ``BenchStage/usingRGB()``, the RGB frame) to a gray8 buffer.
private func grayStage(_ name: String,
                       _ body: @escaping @Sendable (PixelBuffer, inout PixelBuffer, Int) -> Void) -> BenchStage {
    BenchStage(name: name) { input in
        let src = input.gray, threads = input.threads
        let out = Mutex(PixelBuffer(width: src.width, height: src.height, format: .gray8))
        return { out.withLock { body(src, &$0, threads) } }
    }
}

extension BenchStage {
    /// The same stage fed with the RGB frame.
    fileprivate func usingRGB() -> BenchStage {
        let inner = prepare
        return BenchStage(name: name) { input in
            let rgbInput = BenchInput(path: input.path, fileBytes: input.fileBytes, rgb: input.rgb, gray: input.rgb,
                                      threads: input.threads)
            return try inner(rgbInput)
        }
    }
}
