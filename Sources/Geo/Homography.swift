import Foundation

/// A plane-to-plane projective map, `q ~ H p`, stored row-major.
public struct Homography: Sendable, Equatable {
    /// The 3×3 matrix, row-major.
    public var m: [Double]

    public init(_ m: [Double]) {
        precondition(m.count == 9, "a homography has 9 entries")
        self.m = m
    }

    /// The image of a point, nil where it maps to infinity (the third coordinate is 0) or flips sign
    /// against `positiveSide` (points beyond the horizon line of the source plane).
    public func apply(_ p: SIMD2<Double>) -> SIMD2<Double>? {
        let w = m[6] * p.x + m[7] * p.y + m[8]
        guard abs(w) > 1e-12 else { return nil }
        return SIMD2((m[0] * p.x + m[1] * p.y + m[2]) / w, (m[3] * p.x + m[4] * p.y + m[5]) / w)
    }

    /// The third homogeneous coordinate of `p`'s image (its sign tells which side of the horizon `p` is).
    public func w(_ p: SIMD2<Double>) -> Double { m[6] * p.x + m[7] * p.y + m[8] }

    /// The inverse map, nil when singular.
    public var inverse: Homography? {
        let a = m
        let c0 = a[4] * a[8] - a[5] * a[7], c1 = a[5] * a[6] - a[3] * a[8], c2 = a[3] * a[7] - a[4] * a[6]
        let det = a[0] * c0 + a[1] * c1 + a[2] * c2
        guard abs(det) > 1e-300, det.isFinite else { return nil }
        return Homography([
            c0 / det, (a[2] * a[7] - a[1] * a[8]) / det, (a[1] * a[5] - a[2] * a[4]) / det,
            c1 / det, (a[0] * a[8] - a[2] * a[6]) / det, (a[2] * a[3] - a[0] * a[5]) / det,
            c2 / det, (a[1] * a[6] - a[0] * a[7]) / det, (a[0] * a[4] - a[1] * a[3]) / det,
        ])
    }

    /// Why a homography could not be fitted.
    public enum FitError: Error, Sendable, Equatable {
        /// Fewer than four point pairs.
        case tooFewPoints(Int)
        /// The two lists differ in length.
        case countMismatch
        /// Points `first` and `second` coincide (in the source or the destination).
        case duplicatePoints(first: Int, second: Int)
        /// All points lie on one line.
        case collinear
        /// No unique solution: with four points, three are collinear; or the configuration is degenerate.
        case degenerate
        /// A coordinate is NaN or infinite.
        case nonFinite
    }

    /// Fits `to ~ H from` by the normalised direct linear transform (Hartley): both point sets are shifted to their
    /// centroid and scaled to a mean distance √2, the 2n×9 system is solved in the least-squares sense (the
    /// eigenvector of AᵀA with the smallest eigenvalue, by Jacobi rotations), and the result is de-normalised.
    /// - Parameters:
    ///   - from: source points (≥ 4).
    ///   - to: destination points, same count.
    /// - Returns: the homography and its RMS transfer error in destination units.
    /// - Throws: `FitError`.
    public static func fit(from: [SIMD2<Double>], to: [SIMD2<Double>]) throws(FitError) -> (Homography, rms: Double) {
        guard from.count == to.count else { throw .countMismatch }
        guard from.count >= 4 else { throw .tooFewPoints(from.count) }
        guard (from + to).allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { throw .nonFinite }
        let (a, ta) = normalise(from), (b, tb) = normalise(to)
        for set in [a, b] {
            for i in set.indices {
                for j in (i + 1)..<set.count where ((set[i] - set[j]) * (set[i] - set[j])).sum() < 1e-18 {
                    throw .duplicatePoints(first: i, second: j)
                }
            }
            if isCollinear(set) { throw .collinear }
        }
        // AᵀA accumulated directly (9×9).
        var ata = [Double](repeating: 0, count: 81)
        for (p, q) in zip(a, b) {
            let r1: [Double] = [p.x, p.y, 1, 0, 0, 0, -q.x * p.x, -q.x * p.y, -q.x]
            let r2: [Double] = [0, 0, 0, p.x, p.y, 1, -q.y * p.x, -q.y * p.y, -q.y]
            for i in 0..<9 {
                for j in 0..<9 { ata[i * 9 + j] += r1[i] * r1[j] + r2[i] * r2[j] }
            }
        }
        let (values, vectors) = SymmetricEigen.jacobi(ata, n: 9)
        let order = values.indices.sorted { values[$0] < values[$1] }
        // A unique solution needs a one-dimensional null space: the second-smallest eigenvalue must stand clear.
        guard values[order[1]] > 1e-10 * max(values[order[8]], 1e-300) else { throw .degenerate }
        let h = (0..<9).map { vectors[$0 * 9 + order[0]] }
        let normalised = Homography(h)
        // H = Tb⁻¹ · Ĥ · Ta
        guard let tbInv = tb.inverse else { throw .degenerate }
        let result = tbInv.multiplied(by: normalised).multiplied(by: ta).scaled()
        var sum = 0.0
        for (p, q) in zip(from, to) {
            guard let r = result.apply(p) else { throw .degenerate }
            sum += ((r - q) * (r - q)).sum()
        }
        return (result, (sum / Double(from.count)).squareRoot())
    }

    /// Whether all points lie on one line (relative to their spread).
    static func isCollinear(_ pts: [SIMD2<Double>]) -> Bool {
        // Smallest eigenvalue of the 2×2 covariance against the largest.
        let n = Double(pts.count)
        let c = pts.reduce(SIMD2<Double>(0, 0), +) / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for p in pts {
            let d = p - c
            sxx += d.x * d.x; syy += d.y * d.y; sxy += d.x * d.y
        }
        let tr = sxx + syy, det = sxx * syy - sxy * sxy
        let disc = max(0, tr * tr / 4 - det).squareRoot()
        let small = tr / 2 - disc, large = tr / 2 + disc
        return small <= 1e-10 * large
    }

    /// Similarity normalisation: centroid to the origin, mean distance √2.
    static func normalise(_ pts: [SIMD2<Double>]) -> ([SIMD2<Double>], Homography) {
        let n = Double(pts.count)
        let c = pts.reduce(SIMD2<Double>(0, 0), +) / n
        let meanDistance = pts.map { (($0 - c) * ($0 - c)).sum().squareRoot() }.reduce(0, +) / n
        let s = meanDistance > 0 ? 2.0.squareRoot() / meanDistance : 1
        let t = Homography([s, 0, -s * c.x, 0, s, -s * c.y, 0, 0, 1])
        return (pts.map { ($0 - c) * s }, t)
    }

    func multiplied(by o: Homography) -> Homography {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 {
                for k in 0..<3 { r[i * 3 + j] += m[i * 3 + k] * o.m[k * 3 + j] }
            }
        }
        return Homography(r)
    }

    /// Scaled so that m[8] is 1 (or, when m[8] is tiny, the largest entry has magnitude 1).
    func scaled() -> Homography {
        let s = abs(m[8]) > 1e-12 ? m[8] : (m.map(abs).max() ?? 1)
        return Homography(m.map { $0 / s })
    }
}

/// Eigen-decomposition of small symmetric matrices.
enum SymmetricEigen {
    /// Cyclic Jacobi rotations. Returns eigenvalues and eigenvectors (column k of the row-major n×n matrix).
    static func jacobi(_ input: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
        var a = input
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<n { off += a[i * n + j] * a[i * n + j] } }
            var total = 0.0
            for x in a { total += x * x }
            if off <= 1e-30 * total || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<n {
                    let apq = a[p * n + q]
                    guard abs(apq) > 1e-300 else { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}
