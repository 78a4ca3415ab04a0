import Testing
@testable import NeuralNet

/// Scalar `Double` reference for `op(A) · op(B)`.
func referenceGEMM(m: Int, n: Int, k: Int, a: [Float], lda: Int, transA: Bool,
                   b: [Float], ldb: Int, transB: Bool) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var s: Double = 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                s += Double(av) * Double(bv)
            }
            c[i * n + j] = s
        }
    }
    return c
}

func randomArray(_ n: Int, _ rng: inout RandomSource) -> [Float] { (0..<n).map { _ in rng.uniform() * 2 - 1 } }

@Suite("GEMM")
struct GEMMTests {
    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (0, 5, 3), (3, 0, 2), (4, 5, 0), (12, 32, 7), (13, 33, 17), (11, 31, 257), (25, 65, 300),
        (1, 97, 9), (64, 17, 144), (145, 40, 5), (7, 2049, 3), (17, 40, 1030),  // k over two depth blocks (kc 512)
    ]

    @Test("matches the scalar reference at awkward shapes", arguments: shapes)
    func matchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = RandomSource(seed: UInt64(m * 10007 + n * 101 + k))
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2
            let a = randomArray((ta ? k : m) * lda, &rng), b = randomArray((tb ? n : k) * ldb, &rng)
            let c0 = randomArray(m * ldc, &rng)
            let ref = referenceGEMM(m: m, n: n, k: k, a: a, lda: lda, transA: ta, b: b, ldb: ldb, transB: tb)
            for accumulate in [false, true] {
                for threads in [1, 3] {
                    var c = c0
                    GEMM.multiply(m: m, n: n, k: k, a: a, lda: lda, transA: ta, b: b, ldb: ldb, transB: tb,
                                  c: &c, ldc: ldc, accumulate: accumulate, threads: threads)
                    var worst: Double = 0
                    for i in 0..<m {
                        for j in 0..<n {
                            let want = ref[i * n + j] + (accumulate ? Double(c0[i * ldc + j]) : 0)
                            worst = max(worst, abs(Double(c[i * ldc + j]) - want) / (1 + abs(want)))
                        }
                        // Padding columns beyond n are untouched.
                        for j in n..<ldc { #expect(c[i * ldc + j] == c0[i * ldc + j]) }
                    }
                    // Float sums of k products: 1e-5 up to 512 terms; longer sums get the usual k·u bound (u = 2⁻²⁴).
                    let tolerance = k > 512 ? Double(k) * 0x1p-24 : 1e-5
                    #expect(worst < tolerance, "m \(m) n \(n) k \(k) tA \(ta) tB \(tb) acc \(accumulate) threads \(threads)")
                }
            }
        }
    }

    @Test("thread count does not change a single bit")
    func threadInvariance() {
        var rng = RandomSource(seed: 7)
        let m = 37, n = 300, k = 600
        let a = randomArray(m * k, &rng), b = randomArray(k * n, &rng)
        var c1 = [Float](repeating: 0, count: m * n), c4 = c1
        GEMM.multiply(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c1, ldc: n, threads: 1)
        GEMM.multiply(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c4, ldc: n, threads: 4)
        #expect(c1 == c4)
    }
}
