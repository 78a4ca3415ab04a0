/// The branches of a one-pixel-wide skeleton, as ordered pixel chains between end points and junctions.
public struct SkeletonGraph: Sendable {
    /// Ordered pixel chains (x, y); a closed loop repeats its first pixel at the end.
    public let branches: [[SIMD2<Int32>]]
    /// Skeleton pixels with exactly one neighbour.
    public let endpoints: [SIMD2<Int32>]
    /// Skeleton pixels with three or more neighbours.
    public let junctions: [SIMD2<Int32>]

    /// Neighbours of (x, y) in the skeleton, 8-connected, with diagonal steps dropped where an orthogonal
    /// path through a shared neighbour exists (so a staircase is a chain, not a cluster of triangles).
    static func neighbours(_ s: BinaryMask, _ x: Int, _ y: Int) -> [SIMD2<Int32>] {
        var out: [SIMD2<Int32>] = []
        for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1)] where s[x + dx, y + dy] {
            out.append(SIMD2(Int32(x + dx), Int32(y + dy)))
        }
        for (dx, dy) in [(1, 1), (1, -1), (-1, 1), (-1, -1)] where s[x + dx, y + dy] {
            if s[x + dx, y] || s[x, y + dy] { continue }
            out.append(SIMD2(Int32(x + dx), Int32(y + dy)))
        }
        return out
    }

    /// - Parameters: skeleton: a thinned mask.
    public init(_ skeleton: BinaryMask) {
        let w = skeleton.width
        var degree = [UInt8](repeating: 0, count: skeleton.bits.count)
        var ends: [SIMD2<Int32>] = [], joins: [SIMD2<Int32>] = []
        for y in 0..<skeleton.height {
            for x in 0..<w where skeleton.bits[y * w + x] != 0 {
                let d = Self.neighbours(skeleton, x, y).count
                degree[y * w + x] = UInt8(min(d, 255))
                if d == 1 { ends.append(SIMD2(Int32(x), Int32(y))) } else if d >= 3 { joins.append(SIMD2(Int32(x), Int32(y))) }
            }
        }
        func key(_ a: SIMD2<Int32>, _ b: SIMD2<Int32>) -> Int64 {
            let ia = Int64(a.y) * Int64(w) + Int64(a.x), ib = Int64(b.y) * Int64(w) + Int64(b.x)
            return min(ia, ib) * (1 << 32) + max(ia, ib)
        }
        var usedEdges = Set<Int64>()
        var branches: [[SIMD2<Int32>]] = []
        func walk(from start: SIMD2<Int32>, via first: SIMD2<Int32>) {
            guard usedEdges.insert(key(start, first)).inserted else { return }
            var chain = [start, first]
            var prev = start, cur = first
            while true {
                let d = degree[Int(cur.y) * w + Int(cur.x)]
                if d != 2 { break }
                let nexts = Self.neighbours(skeleton, Int(cur.x), Int(cur.y)).filter { $0 != prev }
                guard let next = nexts.first, usedEdges.insert(key(cur, next)).inserted else { break }
                chain.append(next)
                prev = cur
                cur = next
            }
            branches.append(chain)
        }
        for node in ends + joins {
            for n in Self.neighbours(skeleton, Int(node.x), Int(node.y)) { walk(from: node, via: n) }
        }
        // Closed loops with no end point or junction.
        for y in 0..<skeleton.height {
            for x in 0..<w where degree[y * w + x] == 2 {
                let p = SIMD2(Int32(x), Int32(y))
                for n in Self.neighbours(skeleton, x, y) where !usedEdges.contains(key(p, n)) { walk(from: p, via: n) }
            }
        }
        // Isolated single pixels are a branch of one point.
        for y in 0..<skeleton.height {
            for x in 0..<w where skeleton.bits[y * w + x] != 0 && degree[y * w + x] == 0 {
                branches.append([SIMD2(Int32(x), Int32(y))])
            }
        }
        self.branches = branches
        endpoints = ends
        junctions = joins
    }

    /// Length of one branch after Douglas–Peucker simplification.
    static func branchLength(_ chain: [SIMD2<Int32>], tolerance: Double) -> Double {
        let pts = chain.map { SIMD2<Double>(Double($0.x), Double($0.y)) }
        let simple = Polyline.simplify(pts, tolerance: tolerance)
        var l = 0.0
        for i in 1..<max(1, simple.count) {
            let d = simple[i] - simple[i - 1]
            l += (d * d).sum().squareRoot()
        }
        return l
    }

    /// Length of the region's centre line: branch lengths without the short spurs that thinning grows
    /// into the corners of a wide region (a spur runs from an end point to a junction and is shorter than
    /// the region's width there), plus, at each remaining end, the distance from the end to the region's edge.
    /// - Parameters: distance: the region's distance transform, `width` = the skeleton mask's width.
    public func centreLineLength(distance: [Float], width: Int, tolerance: Double = 1.0) -> Double {
        func dist(_ p: SIMD2<Int32>) -> Double { Double(distance[Int(p.y) * width + Int(p.x)]) }
        let ends = Set(endpoints), joins = Set(junctions)
        var degree: [SIMD2<Int32>: Int] = [:]
        var total = 0.0
        var kept: [[SIMD2<Int32>]] = []
        for chain in branches {
            guard let a = chain.first, let b = chain.last else { continue }
            let l = Self.branchLength(chain, tolerance: tolerance)
            let spur = (ends.contains(a) && joins.contains(b) && l <= 2 * dist(b))
                || (ends.contains(b) && joins.contains(a) && l <= 2 * dist(a))
            if spur { continue }
            kept.append(chain)
            total += l
            degree[a, default: 0] += 1
            degree[b, default: 0] += 1
        }
        // Every node left with one branch is an end of the centre line: extend to the region's edge.
        for (p, d) in degree where d == 1 { total += max(0, dist(p) - 0.5) }
        return total
    }

    /// Total length of all branches in pixels (each simplified with Douglas–Peucker, `tolerance` px, so a
    /// digital staircase measures as the straight segment it approximates).
    public func length(tolerance: Double = 1.0) -> Double {
        branches.reduce(0) { $0 + Self.branchLength($1, tolerance: tolerance) }
    }
}

/// Polyline helpers.
public enum Polyline {
    /// Douglas–Peucker simplification: keeps the end points and every point farther than `tolerance` from the chord.
    public static func simplify(_ points: [SIMD2<Double>], tolerance: Double) -> [SIMD2<Double>] {
        guard points.count > 2 else { return points }
        var keep = [Bool](repeating: false, count: points.count)
        keep[0] = true
        keep[points.count - 1] = true
        var stack = [(0, points.count - 1)]
        while let (a, b) = stack.popLast() {
            guard b > a + 1 else { continue }
            let p = points[a], q = points[b]
            let d = q - p
            let len = (d * d).sum().squareRoot()
            var best = -1.0, index = a
            for i in (a + 1)..<b {
                let r = points[i] - p
                let dist = len > 0 ? abs(d.x * r.y - d.y * r.x) / len : (r * r).sum().squareRoot()
                if dist > best { best = dist; index = i }
            }
            if best > tolerance {
                keep[index] = true
                stack.append((a, index))
                stack.append((index, b))
            }
        }
        return points.indices.filter { keep[$0] }.map { points[$0] }
    }
}
