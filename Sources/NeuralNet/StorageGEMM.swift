import Dispatch

/// Single-precision matrix multiply, row-major: `C = op(A) · op(B)` or `C += op(A) · op(B)`.
///
/// Blocked in the GotoBLAS way: `B` is packed into panels of ``nr`` columns and `A` into panels of ``mr``
/// rows, and a register micro-kernel runs over them: 8×32 (16 accumulators of 16 lanes) where the build targets
/// AVX-512 (`NEURALNET_WIDE_REGISTERS`), else 6×16 (12 accumulators of 8 lanes, for 16 registers). Threads split
/// the columns of `C`; every element of `C` is summed in the same order whatever the thread count, so the
/// result is bit-identical for 1 or N threads.
public enum GEMM {
    #if NEURALNET_WIDE_REGISTERS
    /// Rows of `A` per micro-kernel call.
    public static let mr = 8
    /// Columns of `B` per micro-kernel call.
    public static let nr = 32
    #else
    /// Rows of `A` per micro-kernel call.
    public static let mr = 6
    /// Columns of `B` per micro-kernel call.
    public static let nr = 16
    #endif
    /// Which register kernels this build compiled, for benchmark and CI logs: the wide build (the target CPU has
    /// AVX-512, `NEURALNET_WIDE_REGISTERS`) or the narrow one (AVX2, arm64, the portable build).
    public static var build: String {
        #if NEURALNET_WIDE_REGISTERS
        "wide registers (AVX-512 target): GEMM 8×32, fused convolutions 8×32 in one pass"
        #else
        "narrow registers (no AVX-512 in the target): GEMM 6×16, fused convolutions as four 4×16 passes"
        #endif
    }
    #if NEURALNET_WIDE_REGISTERS
    /// Depth of one packed block (the `k` extent held in L1/L2): 512 on the wide build (6-8 % faster than 256 on a
    /// 1024³ multiply on a Zen 4 core: C is read and written half as often; the 8 × 512 A panel is 16 KB).
    static let kc = 512
    #else
    /// Depth of one packed block (the `k` extent held in L1/L2).
    static let kc = 256
    #endif
    /// Rows of `A` packed at once (fits in L2 with one `kc` block).
    static let mc = 128
    /// Columns of `B` packed at once.
    static let nc = 2048

    /// Multiplies `op(A)` (m × k) by `op(B)` (k × n) into `C` (m × n).
    /// - Parameters:
    ///   - a: `A`, row-major from `aOffset` with leading dimension `lda`; `transA` reads it as its transpose
    ///     (then `A` is stored k × m).
    ///   - b: `B`, likewise (stored k × n, or n × k when `transB`).
    ///   - c: destination, m × n from `cOffset` with leading dimension `ldc`.
    ///   - accumulate: add to `C` instead of overwriting it.
    ///   - threads: worker threads (≥ 1); the result does not depend on it.
    ///   - workspace: packing buffers to reuse (nil allocates for this call).
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: [Float], aOffset: Int = 0, lda: Int, transA: Bool = false,
        b: [Float], bOffset: Int = 0, ldb: Int, transB: Bool = false,
        c: inout [Float], cOffset: Int = 0, ldc: Int,
        accumulate: Bool = false, threads: Int = 1, workspace: GEMMWorkspace? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size")
        if m == 0 || n == 0 { return }
        let aRows = transA ? k : m, aCols = transA ? m : k
        let bRows = transB ? n : k, bCols = transB ? k : n
        precondition(lda >= max(aCols, 1) && ldb >= max(bCols, 1) && ldc >= n, "leading dimension too small")
        precondition(aRows == 0 || aOffset + (aRows - 1) * lda + aCols <= a.count, "A too small")
        precondition(bRows == 0 || bOffset + (bRows - 1) * ldb + bCols <= b.count, "B too small")
        precondition(cOffset + (m - 1) * ldc + n <= c.count, "C too small")
        let ws = workspace ?? GEMMWorkspace(threads: threads)
        let t = max(1, min(threads, ws.threads, (n + nr - 1) / nr))
        unsafe a.withUnsafeBufferPointer { ap in
            unsafe b.withUnsafeBufferPointer { bp in
                unsafe c.withUnsafeMutableBufferPointer { cp in
                    let job = unsafe Job(a: ap.baseAddress! + aOffset, lda: lda, transA: transA,
                                         b: bp.baseAddress! + bOffset, ldb: ldb, transB: transB,
                                         c: cp.baseAddress! + cOffset, ldc: ldc,
                                         m: m, k: k, accumulate: accumulate)
                    if t == 1 {
                        job.run(columns: 0..<n, pack: ws.buffers[0])
                    } else {
                        let panels = (n + nr - 1) / nr
                        DispatchQueue.concurrentPerform(iterations: t) { w in
                            let lo = panels * w / t * nr, hi = min(n, panels * (w + 1) / t * nr)
                            if lo < hi { job.run(columns: lo..<hi, pack: ws.buffers[w]) }
                        }
                    }
                }
            }
        }
    }

    /// One multiply's operands, shared read-only by the worker threads (each writes its own columns of C).
    @safe struct Job: @unchecked Sendable {
        let a: UnsafePointer<Float>, lda: Int, transA: Bool
        let b: UnsafePointer<Float>, ldb: Int, transB: Bool
        let c: UnsafeMutablePointer<Float>, ldc: Int
        let m: Int, k: Int, accumulate: Bool

        func run(columns: Range<Int>, pack: PackBuffers) {
            var jc = columns.lowerBound
            while jc < columns.upperBound {
                let ncur = min(GEMM.nc, columns.upperBound - jc)
                if k == 0 {
                    if !accumulate {
                        for i in 0..<m { for j in jc..<(jc + ncur) { unsafe c[i * ldc + j] = 0 } }
                    }
                    jc += ncur
                    continue
                }
                var pc = 0
                while pc < k {
                    let kcur = min(GEMM.kc, k - pc)
                    unsafe packB(pc: pc, kc: kcur, jc: jc, nc: ncur, into: pack.b)
                    var ic = 0
                    while ic < m {
                        let mcur = min(GEMM.mc, m - ic)
                        unsafe packA(ic: ic, mc: mcur, pc: pc, kc: kcur, into: pack.a)
                        let add = accumulate || pc > 0
                        var jr = 0
                        while jr < ncur {
                            let nw = min(GEMM.nr, ncur - jr)
                            var ir = 0
                            while ir < mcur {
                                let mh = min(GEMM.mr, mcur - ir)
                                unsafe GEMM.micro(kc: kcur, a: pack.a + ir * kcur, b: pack.b + jr * kcur,
                                                  c: c + (ic + ir) * ldc + jc + jr, ldc: ldc,
                                                  rows: mh, cols: nw, accumulate: add, acc: pack.acc)
                                ir += GEMM.mr
                            }
                            jr += GEMM.nr
                        }
                        ic += GEMM.mc
                    }
                    pc += GEMM.kc
                }
                jc += ncur
            }
        }

        /// Packs A[ic..<ic+mc, pc..<pc+kc] as panels of `mr` rows: panel-major, then k, then row (zero-padded).
        func packA(ic: Int, mc: Int, pc: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
            var ir = 0
            while ir < mc {
                let rows = min(GEMM.mr, mc - ir)
                let panel = unsafe dst + ir * kc
                if !transA && rows == GEMM.mr {
                    // Written in order, read from the panel's rows: row by row, the strided writes compiled to
                    // scatter instructions (8 % of a 1024³ multiply on a Zen 4 core).
                    let src = unsafe a + (ic + ir) * lda + pc
                    for p in 0..<kc {
                        let column = unsafe src + p, out = unsafe panel + p * GEMM.mr
                        for r in 0..<GEMM.mr { unsafe out[r] = column[r * lda] }
                    }
                } else if !transA {
                    for r in 0..<GEMM.mr {
                        if r < rows {
                            let src = unsafe a + (ic + ir + r) * lda + pc
                            for p in 0..<kc { unsafe panel[p * GEMM.mr + r] = src[p] }
                        } else {
                            for p in 0..<kc { unsafe panel[p * GEMM.mr + r] = 0 }
                        }
                    }
                } else {
                    for p in 0..<kc {
                        let src = unsafe a + (pc + p) * lda + ic + ir
                        for r in 0..<GEMM.mr { unsafe panel[p * GEMM.mr + r] = r < rows ? src[r] : 0 }
                    }
                }
                ir += GEMM.mr
            }
        }

        /// Packs B[pc..<pc+kc, jc..<jc+nc] as panels of `nr` columns: panel-major, then k, then column.
        func packB(pc: Int, kc: Int, jc: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
            var jr = 0
            while jr < nc {
                let cols = min(GEMM.nr, nc - jr)
                let panel = unsafe dst + jr * kc
                if !transB {
                    for p in 0..<kc {
                        let src = unsafe b + (pc + p) * ldb + jc + jr
                        let row = unsafe panel + p * GEMM.nr
                        if cols == GEMM.nr {
                            for j in stride(from: 0, to: GEMM.nr, by: 16) {
                                unsafe UnsafeMutableRawPointer(row + j).storeBytes(
                                    of: UnsafeRawPointer(src + j).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                            }
                        } else {
                            for j in 0..<GEMM.nr { unsafe row[j] = j < cols ? src[j] : 0 }
                        }
                    }
                } else {
                    for j in 0..<GEMM.nr {
                        if j < cols {
                            let src = unsafe b + (jc + jr + j) * ldb + pc
                            for p in 0..<kc { unsafe panel[p * GEMM.nr + j] = src[p] }
                        } else {
                            for p in 0..<kc { unsafe panel[p * GEMM.nr + j] = 0 }
                        }
                    }
                }
                jr += GEMM.nr
            }
        }
    }

    /// `acc += x · y` per lane: one fused multiply-add where the build targets a CPU with FMA
    /// (`-D NEURALNET_FMA`, set with `PAVEWATCH_TARGET_CPU`; always on arm64), else a multiply and an add
    /// (on baseline x86-64 `addProduct` would call `fmaf` once per lane).
    @inline(__always)
    static func madd<V: SIMD>(_ acc: inout V, _ x: V, _ y: V) where V.Scalar: FloatingPoint {
        #if NEURALNET_FMA || arch(arm64)
        acc.addProduct(x, y)
        #else
        acc += x * y
        #endif
    }

    /// The 8×32 register kernel: `acc[2r + h] = Σ_p a[p][r] · b[p][16h ..< 16h + 16]` over depth `kc`
    /// (`a`: `kc × 8` panel, `b`: `kc × 32` panel; `acc`: 16 vectors).
    @inline(__always)
    static func kernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, acc: UnsafeMutablePointer<SIMD16<Float>>) {
        let panel = unsafe UnsafeRawPointer(b)
        unsafe kernel(kc: kc, a: a, left: PackedRows(base: panel), right: PackedRows(base: panel + 64), rows: 8, acc: acc)
    }

    /// The 8×32 register kernel over any source of `B` rows: `acc[2r + h] = Σ_p a[p][r] · B_h(p)`, where
    /// `B_0(p)` is the 16 floats at `left.row(p)` and `B_1(p)` those at `right.row(p)` (a packed panel's two
    /// halves, or two 16-pixel segments of a convolution's input read in place). Only accumulator rows below
    /// `rows` (1…8) need be right; the others may be left as they were.
    ///
    /// Where the build targets AVX-512 (`-D NEURALNET_WIDE_REGISTERS`, set by `Package.swift` from the target CPU)
    /// the 16 accumulators of 16 lanes fit its 32 vector registers and the block runs in one pass. Everywhere else
    /// (AVX2 and arm64: 16 or 32 registers of 8 or 4 lanes) those accumulators would spill to the stack on every
    /// step, so the block runs as 4×16 passes over the same rows, each holding 8 accumulators of 8 lanes (2.2×
    /// faster on an AVX2 Zen 3 core, `Benchmarks/README.md`), and rows 4…7 are skipped when `rows` ≤ 4. Both
    /// give the same sums in the same order.
    @inline(__always)
    static func kernel<R: PanelRowSource>(kc: Int, a: UnsafePointer<Float>, left: R, right: R, rows: Int,
                                          acc: UnsafeMutablePointer<SIMD16<Float>>) {
        #if NEURALNET_WIDE_REGISTERS
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var ap = unsafe a
        for p in 0..<kc {
            let b0 = unsafe left.row(p).loadUnaligned(as: V.self), b1 = unsafe right.row(p).loadUnaligned(as: V.self)
            var s: V
            s = V(repeating: unsafe ap[0]); madd(&c00, s, b0); madd(&c01, s, b1)
            s = V(repeating: unsafe ap[1]); madd(&c10, s, b0); madd(&c11, s, b1)
            s = V(repeating: unsafe ap[2]); madd(&c20, s, b0); madd(&c21, s, b1)
            s = V(repeating: unsafe ap[3]); madd(&c30, s, b0); madd(&c31, s, b1)
            s = V(repeating: unsafe ap[4]); madd(&c40, s, b0); madd(&c41, s, b1)
            s = V(repeating: unsafe ap[5]); madd(&c50, s, b0); madd(&c51, s, b1)
            s = V(repeating: unsafe ap[6]); madd(&c60, s, b0); madd(&c61, s, b1)
            s = V(repeating: unsafe ap[7]); madd(&c70, s, b0); madd(&c71, s, b1)
            unsafe ap += 8
        }
        unsafe acc[0] = c00; unsafe acc[1] = c01; unsafe acc[2] = c10; unsafe acc[3] = c11
        unsafe acc[4] = c20; unsafe acc[5] = c21; unsafe acc[6] = c30; unsafe acc[7] = c31
        unsafe acc[8] = c40; unsafe acc[9] = c41; unsafe acc[10] = c50; unsafe acc[11] = c51
        unsafe acc[12] = c60; unsafe acc[13] = c61; unsafe acc[14] = c70; unsafe acc[15] = c71
        #else
        let out = unsafe UnsafeMutableRawPointer(acc)
        unsafe quarter(kc: kc, a: a, b: left, out: out)
        unsafe quarter(kc: kc, a: a, b: right, out: out + 64)
        if rows > 4 {
            unsafe quarter(kc: kc, a: a + 4, b: left, out: out + 512)
            unsafe quarter(kc: kc, a: a + 4, b: right, out: out + 576)
        }
        #endif
    }

    /// One 4×16 pass of ``kernel(kc:a:left:right:rows:acc:)``: rows `a[p][0..<4]` (the panel's row stride stays 8)
    /// times the 16 floats at `b.row(p)`, stored at `out` with the block's row stride (32 floats).
    @inline(__always)
    static func quarter<R: PanelRowSource>(kc: Int, a: UnsafePointer<Float>, b: R, out: UnsafeMutableRawPointer) {
        typealias H = SIMD8<Float>
        var c00 = H(), c01 = H(), c10 = H(), c11 = H(), c20 = H(), c21 = H(), c30 = H(), c31 = H()
        var ap = unsafe a
        for p in 0..<kc {
            let row = unsafe b.row(p)
            let b0 = unsafe row.loadUnaligned(as: H.self), b1 = unsafe row.loadUnaligned(fromByteOffset: 32, as: H.self)
            var s: H
            s = H(repeating: unsafe ap[0]); madd(&c00, s, b0); madd(&c01, s, b1)
            s = H(repeating: unsafe ap[1]); madd(&c10, s, b0); madd(&c11, s, b1)
            s = H(repeating: unsafe ap[2]); madd(&c20, s, b0); madd(&c21, s, b1)
            s = H(repeating: unsafe ap[3]); madd(&c30, s, b0); madd(&c31, s, b1)
            unsafe ap += 8
        }
        unsafe out.storeBytes(of: c00, as: H.self)
        unsafe out.storeBytes(of: c01, toByteOffset: 32, as: H.self)
        unsafe out.storeBytes(of: c10, toByteOffset: 128, as: H.self)
        unsafe out.storeBytes(of: c11, toByteOffset: 160, as: H.self)
        unsafe out.storeBytes(of: c20, toByteOffset: 256, as: H.self)
        unsafe out.storeBytes(of: c21, toByteOffset: 288, as: H.self)
        unsafe out.storeBytes(of: c30, toByteOffset: 384, as: H.self)
        unsafe out.storeBytes(of: c31, toByteOffset: 416, as: H.self)
    }

    /// The 6×16 register kernel of the narrow build's ``multiply``: `acc` row `r` (16 floats, row stride 16) `=
    /// Σ_p a[p][r] · b[p][0 ..< 16]` over depth `kc` (`a`: `kc × 6` panel, `b`: `kc × 16` panel), in 12
    /// accumulators of 8 lanes: with the two rows of `B` and a broadcast, 15 of AVX2's 16 registers.
    @inline(__always)
    static func kernel6x16(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, acc: UnsafeMutablePointer<SIMD16<Float>>) {
        typealias H = SIMD8<Float>
        var c00 = H(), c01 = H(), c10 = H(), c11 = H(), c20 = H(), c21 = H()
        var c30 = H(), c31 = H(), c40 = H(), c41 = H(), c50 = H(), c51 = H()
        var ap = unsafe a, bp = unsafe UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = unsafe bp.load(as: H.self), b1 = unsafe bp.load(fromByteOffset: 32, as: H.self)
            var s: H
            s = H(repeating: unsafe ap[0]); madd(&c00, s, b0); madd(&c01, s, b1)
            s = H(repeating: unsafe ap[1]); madd(&c10, s, b0); madd(&c11, s, b1)
            s = H(repeating: unsafe ap[2]); madd(&c20, s, b0); madd(&c21, s, b1)
            s = H(repeating: unsafe ap[3]); madd(&c30, s, b0); madd(&c31, s, b1)
            s = H(repeating: unsafe ap[4]); madd(&c40, s, b0); madd(&c41, s, b1)
            s = H(repeating: unsafe ap[5]); madd(&c50, s, b0); madd(&c51, s, b1)
            unsafe ap += 6
            unsafe bp += 64
        }
        unsafe acc[0] = SIMD16(lowHalf: c00, highHalf: c01); unsafe acc[1] = SIMD16(lowHalf: c10, highHalf: c11)
        unsafe acc[2] = SIMD16(lowHalf: c20, highHalf: c21); unsafe acc[3] = SIMD16(lowHalf: c30, highHalf: c31)
        unsafe acc[4] = SIMD16(lowHalf: c40, highHalf: c41); unsafe acc[5] = SIMD16(lowHalf: c50, highHalf: c51)
    }

    /// `C[0..<rows, 0..<cols] (+)= Apanel · Bpanel` over depth `kc` (the ``mr`` × ``nr`` register kernel, then the
    /// store; `acc` holds the block row-major with row stride ``nr``).
    @inline(__always)
    static func micro(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, accumulate: Bool,
                      acc: UnsafeMutablePointer<SIMD16<Float>>) {
        typealias V = SIMD16<Float>
        #if NEURALNET_WIDE_REGISTERS
        unsafe kernel(kc: kc, a: a, b: b, acc: acc)
        #else
        unsafe kernel6x16(kc: kc, a: a, b: b, acc: acc)
        #endif
        if rows == mr && cols == nr {
            let vectors = nr / 16
            for r in 0..<mr {
                let p = UnsafeMutableRawPointer(unsafe c + r * ldc)
                for h in 0..<vectors {
                    let v = unsafe acc[vectors * r + h]
                    if accumulate {
                        unsafe p.storeBytes(of: p.loadUnaligned(fromByteOffset: 64 * h, as: V.self) + v, toByteOffset: 64 * h,
                                            as: V.self)
                    } else {
                        unsafe p.storeBytes(of: v, toByteOffset: 64 * h, as: V.self)
                    }
                }
            }
            return
        }
        // Edge tile: copy the valid part.
        let f = unsafe UnsafeRawPointer(acc).assumingMemoryBound(to: Float.self)
        for r in 0..<rows {
            let row = unsafe c + r * ldc
            for j in 0..<cols {
                let v = unsafe f[r * nr + j]
                unsafe row[j] = accumulate ? row[j] + v : v
            }
        }
    }
}

/// Where the register kernel finds row `p` of its `B` operand (16 floats, any alignment).
protocol PanelRowSource {
    func row(_ p: Int) -> UnsafeRawPointer
}

/// Rows of a packed `kc × 32` panel (or one half of it): 128 bytes apart.
@safe struct PackedRows: PanelRowSource {
    let base: UnsafeRawPointer
    @inline(__always) func row(_ p: Int) -> UnsafeRawPointer { unsafe base + p * 128 }
}

/// Rows read in place from a convolution's zero-bordered input: row `p` (channel, tap) is `offsets[p]` bytes
/// past the segment's first pixel, so the taps need no packed copy.
@safe struct InPlaceRows: PanelRowSource {
    let base: UnsafeRawPointer
    let offsets: UnsafePointer<Int>
    @inline(__always) func row(_ p: Int) -> UnsafeRawPointer { unsafe base + offsets[p] }
}

/// Packing buffers of one worker thread.
@safe final class PackBuffers: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>
    /// The micro-kernel's accumulators (16 vectors).
    let acc: UnsafeMutablePointer<SIMD16<Float>>
    init() {
        unsafe acc = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 16)
        unsafe acc.initialize(repeating: SIMD16<Float>(), count: 16)
        unsafe a = UnsafeMutablePointer<Float>.allocate(capacity: (GEMM.mc + GEMM.mr - 1) / GEMM.mr * GEMM.mr * GEMM.kc)
        unsafe b = UnsafeMutablePointer<Float>.allocate(capacity: GEMM.kc * ((GEMM.nc + GEMM.nr - 1) / GEMM.nr * GEMM.nr))
    }
    deinit {
        unsafe a.deallocate()
        unsafe b.deallocate()
        unsafe acc.deallocate()
    }
}

/// Scratch memory for ``GEMM/multiply(m:n:k:a:aOffset:lda:transA:b:bOffset:ldb:transB:c:cOffset:ldc:accumulate:threads:workspace:)``,
/// allocated once and reused (one set of packing buffers per thread). Not for concurrent use by two multiplies.
public final class GEMMWorkspace: @unchecked Sendable {
    /// The most threads a multiply using this workspace can use.
    public let threads: Int
    let buffers: [PackBuffers]
    /// - Parameter threads: ≥ 1.
    public init(threads: Int) {
        self.threads = max(1, threads)
        buffers = (0..<max(1, threads)).map { _ in PackBuffers() }
    }
}
