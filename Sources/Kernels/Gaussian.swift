import Foundation
import ImagingCore

/// Gaussian blur: separable, any sigma; an 8-bit fixed-point path and a float path.
public enum Gaussian {
    /// The kernel size OpenCV picks for a sigma: `round(sigma × (3 for 8-bit, 4 for float) × 2 + 1) | 1`.
    /// - Parameters: sigma: > 0; eightBit: true for 8-bit images.
    public static func kernelSize(sigma: Double, eightBit: Bool) -> Int {
        Int((sigma * (eightBit ? 3 : 4) * 2 + 1).rounded()) | 1
    }

    /// The normalised 1-D kernel with OpenCV's `getGaussianKernel` meaning: for `sigma ≤ 0` and odd
    /// `size ≤ 7` the binomial tables, else `exp(-x² / 2σ²)` with σ = sigma, or for `sigma ≤ 0`
    /// σ = 0.3 ((size − 1) / 2 − 1) + 0.8.
    /// - Parameters: size: odd, ≥ 1; sigma: standard deviation or ≤ 0.
    public static func kernel(size: Int, sigma: Double) -> [Double] {
        precondition(size >= 1 && size % 2 == 1, "Gaussian kernel size must be odd and positive")
        if sigma <= 0 {
            switch size {
            case 1: return [1]
            case 3: return [0.25, 0.5, 0.25]
            case 5: return [0.0625, 0.25, 0.375, 0.25, 0.0625]
            case 7: return [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125]
            default: break
            }
        }
        let s = sigma > 0 ? sigma : ((Double(size) - 1) * 0.5 - 1) * 0.3 + 0.8
        let c = Double(size - 1) / 2
        let raw: [Double] = (0..<size).map { i in
            let d = Double(i) - c
            return exp(-d * d / (2 * s * s))
        }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// The kernel in 8-bit fixed point: rounded weights that sum to exactly 256 (the centre absorbs the
    /// rounding). `size: 5, sigma: 0` gives 16, 64, 96, 64, 16.
    public static func fixedPointKernel(size: Int, sigma: Double) -> [UInt16] {
        let k = kernel(size: size, sigma: sigma)
        var w = k.map { Int(($0 * 256).rounded()) }
        w[size / 2] += 256 - w.reduce(0, +)
        return w.map { UInt16($0) }
    }

    // MARK: 8-bit

    /// 5x5 Gaussian (binomial 1 4 6 4 1, OpenCV's `GaussianBlur(src, (5, 5), 0)`), 8-bit, rounded.
    /// - Parameters: src: (H, W) gray8; border: edge rule (constant = 0); threads: ≥ 1.
    /// - Returns: (H, W) gray8, equal to OpenCV's bit-exact result.
    public static func blur5x5(_ src: PixelBuffer, border: BorderMode = .reflect101, threads: Int = 1) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        blur5x5(src, into: &dst, border: border, threads: threads)
        return dst
    }

    /// 5x5 Gaussian into an existing (H, W) gray8 buffer. See ``blur5x5(_:border:threads:)``.
    public static func blur5x5(_ src: PixelBuffer, into dst: inout PixelBuffer, border: BorderMode = .reflect101,
                               threads: Int = 1) {
        precondition(src.format == .gray8, "blur5x5 takes gray8")
        checkSameSize(src, dst)
        guard src.width > 0 && src.height > 0 else { return }
        let w = src.width, h = src.height, ss = src.rowStride, ds = dst.rowStride
        unsafe src.readPixels { s in
            unsafe dst.writePixels { d in
                Parallelism.forEachBand(rows: h, threads: threads) { rows in
                    let scratch = unsafe ScratchRows<UInt16>(count: 1, width: w + 4, value: 0)
                    let zero = unsafe ScratchRows<UInt8>(count: 1, width: w, value: 0)
                    defer { unsafe scratch.release(); unsafe zero.release() }
                    let v = unsafe scratch(0) + 2
                    func row(_ y: Int) -> UnsafePointer<UInt8> {
                        unsafe border.index(y, count: h).map { unsafe s + $0 * ss } ?? UnsafePointer(zero(0))
                    }
                    for y in rows {
                        let r0 = unsafe row(y - 2), r1 = unsafe row(y - 1), r2 = unsafe row(y), r3 = unsafe row(y + 1), r4 = unsafe row(y + 2)
                        for x in 0..<w {
                            let outer = unsafe UInt16(r0[x]) &+ UInt16(r4[x])
                            let inner = unsafe UInt16(r1[x]) &+ UInt16(r3[x])
                            unsafe v[x] = unsafe outer &+ inner &* 4 &+ UInt16(r2[x]) &* 6
                        }
                        unsafe padInPlace(v, width: w, pad: 2, border: border, value: 0)
                        let o = unsafe d + y * ds
                        for x in 0..<w {
                            let outer = unsafe v[x &- 2] &+ v[x &+ 2], inner = unsafe v[x &- 1] &+ v[x &+ 1]
                            let sum = unsafe outer &+ inner &* 4 &+ v[x] &* 6 &+ 128
                            unsafe o[x] = UInt8(truncatingIfNeeded: sum &>> 8)
                        }
                    }
                }
            }
        }
    }

    /// Gaussian blur of any sigma on 8 bits, in fixed point (weights from ``fixedPointKernel(size:sigma:)``,
    /// vertical pass exact in 16 bits, horizontal in 32 bits, one rounding at the end).
    /// - Parameters: src: (H, W) gray8; sigma: > 0, or ≤ 0 with `size`; size: odd kernel size, nil for
    ///   ``kernelSize(sigma:eightBit:)``; border: edge rule (constant = 0); threads: ≥ 1.
    /// - Returns: (H, W) gray8. `size: 5, sigma: 0` equals ``blur5x5(_:border:threads:)``.
    public static func blur(_ src: PixelBuffer, sigma: Double, size: Int? = nil, border: BorderMode = .reflect101,
                            threads: Int = 1) -> PixelBuffer {
        precondition(src.format == .gray8, "blur takes gray8")
        let n = size ?? kernelSize(sigma: sigma, eightBit: true)
        if n == 5 && sigma <= 0 { return blur5x5(src, border: border, threads: threads) }
        let k = fixedPointKernel(size: n, sigma: sigma)
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        guard src.width > 0 && src.height > 0 else { return dst }
        let w = src.width, h = src.height, ss = src.rowStride, ds = dst.rowStride, r = n / 2
        unsafe src.readPixels { s in
            unsafe dst.writePixels { d in
                Parallelism.forEachBand(rows: h, threads: threads) { rows in
                    let v16 = unsafe ScratchRows<UInt16>(count: 1, width: w + 2 * r, value: 0)
                    let acc = unsafe ScratchRows<UInt32>(count: 1, width: w, value: 0)
                    let zero = unsafe ScratchRows<UInt8>(count: 1, width: w, value: 0)
                    defer { unsafe v16.release(); unsafe acc.release(); unsafe zero.release() }
                    let v = unsafe v16(0) + r, a = unsafe acc(0)
                    for y in rows {
                        for x in 0..<w { unsafe v[x] = 0 }
                        for i in 0..<n {
                            let p = unsafe border.index(y + i - r, count: h).map { unsafe s + $0 * ss } ?? UnsafePointer(zero(0))
                            let wi = k[i]
                            for x in 0..<w { unsafe v[x] = unsafe v[x] &+ UInt16(p[x]) &* wi }
                        }
                        unsafe padInPlace(v, width: w, pad: r, border: border, value: 0)
                        for x in 0..<w { unsafe a[x] = 32768 }
                        for i in 0..<n {
                            let wi = UInt32(k[i]), q = unsafe v + (i - r)
                            for x in 0..<w { unsafe a[x] = unsafe a[x] &+ UInt32(q[x]) &* wi }
                        }
                        let o = unsafe d + y * ds
                        for x in 0..<w { unsafe o[x] = unsafe UInt8(truncatingIfNeeded: a[x] &>> 16) }
                    }
                }
            }
        }
        return dst
    }

    // MARK: Float

    /// Gaussian blur of a float image (any sigma), accumulating in `Float`.
    /// - Parameters: src: (H, W) float; sigma: > 0, or ≤ 0 with `size`; size: odd, nil for
    ///   ``kernelSize(sigma:eightBit:)`` (float rule); border: edge rule (constant = 0); threads: ≥ 1.
    /// - Returns: (H, W) float.
    public static func blur(_ src: FloatImage, sigma: Double, size: Int? = nil, border: BorderMode = .reflect101,
                            threads: Int = 1) -> FloatImage {
        guard src.width > 0 && src.height > 0 else { return FloatImage(width: src.width, height: src.height) }
        return unsafe src.readValues { s in
            unsafe floatBlur(src.width, src.height, sigma, size, border, threads) { blur, y, state, out in
                unsafe blur.blurRow(y, source: s, stride: src.rowStride, state: &state, into: out)
            }
        }
    }

    /// Gaussian blur of an 8-bit image into float (no rounding). See ``blur(_:sigma:size:border:threads:)-(FloatImage,_,_,_,_)``.
    /// - Parameters: src: (H, W) gray8. - Returns: (H, W) float, values in [0, 255].
    public static func blurToFloat(_ src: PixelBuffer, sigma: Double, size: Int? = nil,
                                   border: BorderMode = .reflect101, threads: Int = 1) -> FloatImage {
        precondition(src.format == .gray8, "blurToFloat takes gray8")
        guard src.width > 0 && src.height > 0 else { return FloatImage(width: src.width, height: src.height) }
        return unsafe src.readPixels { s in
            unsafe floatBlur(src.width, src.height, sigma, size, border, threads) { blur, y, state, out in
                unsafe blur.blurRow(y, source: s, stride: src.rowStride, state: &state, into: out)
            }
        }
    }

    /// Runs the float blur over a new (h, w) float image in bands; `row` blurs one row from the source.
    private static func floatBlur(_ w: Int, _ h: Int, _ sigma: Double, _ size: Int?, _ border: BorderMode,
                                  _ threads: Int,
                                  _ row: (SeparableFloatBlur, Int, inout SeparableFloatBlur.State,
                                          UnsafeMutablePointer<Float>) -> Void) -> FloatImage {
        let n = size ?? kernelSize(sigma: sigma, eightBit: false)
        var dst = FloatImage(width: w, height: h)
        let k = kernel(size: n, sigma: sigma).map { Float($0) }
        let ds = dst.rowStride
        unsafe dst.writeValues { d in
            let blur = SeparableFloatBlur(kernel: k, width: w, height: h, border: border)
            Parallelism.forEachBand(rows: h, threads: threads) { rows in
                var state = unsafe blur.makeState()
                defer { unsafe state.release() }
                for y in rows { unsafe row(blur, y, &state, d + y * ds) }
            }
        }
        return dst
    }
}

/// The separable float blur of one output row, from 8-bit or float source rows (shared by the Gaussian
/// and the ridge filter). The kernel must be symmetric. The vertical and horizontal passes keep the
/// accumulator in a `SIMD16<Float>` register across taps (8-bit rows are converted to float once each).
struct SeparableFloatBlur {
    let kernel: [Float]
    let width: Int
    let height: Int
    let border: BorderMode
    var radius: Int { kernel.count / 2 }

    /// Per-band scratch: the padded vertical sums, a ring of float source rows, the tap row pointers.
    @unsafe struct State {
        let line: ScratchRows<Float>
        let rows: ScratchRows<Float>
        let taps: UnsafeMutablePointer<UnsafePointer<Float>>
        var tags: [Int]
        func release() {
            unsafe line.release()
            unsafe rows.release()
            unsafe taps.deallocate()
        }
    }

    func makeState() -> State {
        let n = kernel.count
        let taps = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: n)
        return unsafe State(line: ScratchRows<Float>(count: 1, width: width + 2 * radius, value: 0),
                            rows: ScratchRows<Float>(count: n + 1, width: width, value: 0),
                            taps: taps, tags: [Int](repeating: -1, count: n))
    }

    /// Blurs row `y` of an 8-bit image into `out` (`width` floats).
    func blurRow(_ y: Int, source s: UnsafePointer<UInt8>, stride ss: Int, state: inout State,
                 into out: UnsafeMutablePointer<Float>) {
        let n = kernel.count, r = radius, w = width
        for i in 0..<n {
            guard let m = border.index(y + i - r, count: height) else {
                unsafe state.taps[i] = unsafe UnsafePointer(state.rows(n))
                continue
            }
            let slot = m % n
            let row = unsafe state.rows(slot)
            if unsafe state.tags[slot] != m {
                unsafe convertRow(s + m * ss, row, w)
                unsafe state.tags[slot] = m
            }
            unsafe state.taps[i] = UnsafePointer(row)
        }
        unsafe filter(&state, into: out)
    }

    /// Blurs row `y` of a float image into `out`.
    func blurRow(_ y: Int, source s: UnsafePointer<Float>, stride ss: Int, state: inout State,
                 into out: UnsafeMutablePointer<Float>) {
        let n = kernel.count, r = radius
        for i in 0..<n {
            unsafe state.taps[i] = unsafe border.index(y + i - r, count: height).map { unsafe s + $0 * ss }
                ?? UnsafePointer(state.rows(n))
        }
        unsafe filter(&state, into: out)
    }

    /// Vertical pass over `state.taps` into the padded line, then the horizontal pass into `out`.
    private func filter(_ state: inout State, into out: UnsafeMutablePointer<Float>) {
        let r = radius, w = width
        let v = unsafe state.line(0) + r
        unsafe kernel.withUnsafeBufferPointer { kb in
            let k = unsafe kb.baseAddress! + r         // k[-r ... r]
            let taps = unsafe UnsafePointer(state.taps + r)  // taps[-r ... r]
            var x = 0
            while x &+ 16 <= w {
                var acc = unsafe F16(repeating: k[0]) * load(taps[0], x)
                for i in stride(from: 1, through: r, by: 1) {
                    acc += unsafe F16(repeating: k[i]) * (load(taps[-i], x) + load(taps[i], x))
                }
                unsafe store(v, x, acc)
                x &+= 16
            }
            while x < w {
                var acc = unsafe k[0] * taps[0][x]
                for i in stride(from: 1, through: r, by: 1) { acc += unsafe k[i] * (taps[-i][x] + taps[i][x]) }
                unsafe v[x] = acc
                x &+= 1
            }
            unsafe padInPlace(v, width: w, pad: r, border: border, value: 0)
            let p = unsafe UnsafePointer(v)
            x = 0
            while x &+ 16 <= w {
                var acc = unsafe F16(repeating: k[0]) * load(p, x)
                for i in stride(from: 1, through: r, by: 1) {
                    acc += unsafe F16(repeating: k[i]) * (load(p, x &- i) + load(p, x &+ i))
                }
                unsafe store(out, x, acc)
                x &+= 16
            }
            while x < w {
                var acc = unsafe k[0] * p[x]
                for i in stride(from: 1, through: r, by: 1) { acc += unsafe k[i] * (p[x &- i] + p[x &+ i]) }
                unsafe out[x] = acc
                x &+= 1
            }
        }
    }
}

typealias F16 = SIMD16<Float>

/// 16 floats from `p[x ..< x + 16]`.
func load(_ p: UnsafePointer<Float>, _ x: Int) -> F16 {
    unsafe UnsafeRawPointer(p + x).loadUnaligned(as: F16.self)
}

/// Stores 16 floats at `p[x ..< x + 16]`.
func store(_ p: UnsafeMutablePointer<Float>, _ x: Int, _ v: F16) {
    unsafe UnsafeMutableRawPointer(p + x).storeBytes(of: v, as: F16.self)
}

/// `out[x] = Float(p[x])` (LLVM vectorises this loop).
func convertRow(_ p: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, _ w: Int) {
    for x in 0..<w { unsafe out[x] = unsafe Float(p[x]) }
}
