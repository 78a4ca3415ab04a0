// Decoding benchmarks: a 4000x3000 JPEG (and PNG) encoded once in setup from a synthetic frame, then decoded
// to RGB, straight to gray, and at 1/2 and 1/4 scale in the DCT domain. The same stages are in
// pavewatch-bench (decode_rgb, decode_gray, decode_gray_half, decode_gray_quarter, decode_png).
import Benchmark
import Codecs
import ImagingCore

/// A 4000x3000 RGB frame with smooth texture and thin dark lines.
private func syntheticFrame(width: Int = 4000, height: Int = 3000) -> PixelBuffer {
    var img = PixelBuffer(width: width, height: height, format: .rgb8)
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    for y in 0..<height {
        for x in 0..<width {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Int(state >> 59)
            let base = 110 + ((x / 29 + y / 17) % 9) * 8
            let crack = (x + 3 * y) % 509 < 2
            let v = UInt8(crack ? 35 + noise : base + noise)
            img[x, y, channel: 0] = v
            img[x, y, channel: 1] = v &+ 6
            img[x, y, channel: 2] = v &- 4
        }
    }
    return img
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                           warmupIterations: 1, maxDuration: .seconds(2), maxIterations: 20)
    let frame = syntheticFrame()
    guard let jpeg = try? ImageEncoder.jpeg(frame, quality: 90), let png = try? ImageEncoder.png(frame) else {
        fatalError("encoding the benchmark frame failed")
    }
    let cases: [(String, [UInt8], DecodeOptions)] = [
        ("decode_rgb", jpeg, DecodeOptions(format: .rgb8, applyOrientation: false)),
        ("decode_gray", jpeg, DecodeOptions(format: .gray8, applyOrientation: false)),
        ("decode_gray_half", jpeg, DecodeOptions(format: .gray8, scale: .half, applyOrientation: false)),
        ("decode_gray_quarter", jpeg, DecodeOptions(format: .gray8, scale: .quarter, applyOrientation: false)),
        ("decode_png", png, DecodeOptions(format: .rgb8, applyOrientation: false)),
    ]
    for (name, bytes, options) in cases {
        Benchmark(name) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try ImageDecoder.decode(bytes, options: options))
            }
        }
    }
}
