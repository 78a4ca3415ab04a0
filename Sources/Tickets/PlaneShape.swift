/// A shape in a ``LocalPlane``: a point, a line or a polygon, for distance tests.
struct PlaneShape {
    var points: [SIMD2<Double>]
    var closed: Bool

    /// Shortest distance between two shapes in metres; 0 when they touch, cross or one contains the other.
    func distance(to other: PlaneShape) -> Double {
        distance(to: other, within: .infinity)
    }

    /// ``distance(to:)`` when it is at most `limit`; otherwise some value above `limit` (segments whose boxes lie
    /// farther apart than `limit` are not measured). The result is the same as ``distance(to:)`` whenever that is
    /// at most `limit`: a skipped pair is more than `limit` apart, so it cannot be the minimum.
    func distance(to other: PlaneShape, within limit: Double) -> Double {
        let (mine, theirs) = (Box(points), Box(other.points))
        if closed, other.points.contains(where: { mine.mayContain($0) && contains($0) }) { return 0 }
        if other.closed, points.contains(where: { theirs.mayContain($0) && other.contains($0) }) { return 0 }
        // 1e-9 relative and absolute: rounding must never skip a pair that the exact test keeps.
        let cut = limit * (1 + 1e-9) + 1e-9
        let cut2 = cut * cut
        let near = other.segments.compactMap { s -> (SIMD2<Double>, SIMD2<Double>, Box)? in
            let b = Box(s.0, s.1)
            return b.distanceSquared(to: mine) <= cut2 ? (s.0, s.1, b) : nil
        }
        var best = Double.infinity
        for (a0, a1) in segments {
            let a = Box(a0, a1)
            guard a.distanceSquared(to: theirs) <= cut2 else { continue }
            for (b0, b1, b) in near where a.distanceSquared(to: b) <= cut2 {
                best = min(best, PlaneShape.segmentDistance(a0, a1, b0, b1))
                if best == 0 { return 0 }
            }
        }
        return best
    }

    /// An axis-aligned box in the plane.
    struct Box {
        var lo: SIMD2<Double>
        var hi: SIMD2<Double>

        /// The box of a segment.
        init(_ a: SIMD2<Double>, _ b: SIMD2<Double>) {
            lo = pointwiseMin(a, b)
            hi = pointwiseMax(a, b)
        }

        /// The box of some points (empty, and farther than anything, when there are none).
        init(_ points: [SIMD2<Double>]) {
            lo = SIMD2(repeating: .infinity)
            hi = SIMD2(repeating: -.infinity)
            for p in points {
                lo = pointwiseMin(lo, p)
                hi = pointwiseMax(hi, p)
            }
        }

        /// Squared distance between two boxes (0 when they overlap).
        func distanceSquared(to o: Box) -> Double {
            let d = pointwiseMax(pointwiseMax(o.lo - hi, lo - o.hi), SIMD2(repeating: 0))
            return (d * d).sum()
        }

        /// Whether `p` lies in the box or within a nanometre of it (``contains(_:)`` is false farther out).
        func mayContain(_ p: SIMD2<Double>) -> Bool {
            p.x >= lo.x - 1e-9 && p.x <= hi.x + 1e-9 && p.y >= lo.y - 1e-9 && p.y <= hi.y + 1e-9
        }
    }

    var segments: [(SIMD2<Double>, SIMD2<Double>)] {
        guard points.count > 1 else { return points.map { ($0, $0) } }
        var s: [(SIMD2<Double>, SIMD2<Double>)] = []
        for i in 0..<(points.count - 1) { s.append((points[i], points[i + 1])) }
        if closed, points.count > 2 { s.append((points[points.count - 1], points[0])) }
        return s
    }

    /// Even-odd point-in-polygon test.
    func contains(_ p: SIMD2<Double>) -> Bool {
        guard closed, points.count >= 3 else { return false }
        var inside = false
        var j = points.count - 1
        for i in 0..<points.count {
            let a = points[i], b = points[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                inside.toggle()
            }
            j = i
        }
        return inside
    }

    static func pointSegmentDistance(_ p: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
        let ab = b - a
        let len2 = (ab * ab).sum()
        let t = len2 > 0 ? min(1, max(0, ((p - a) * ab).sum() / len2)) : 0
        let d = p - (a + t * ab)
        return (d * d).sum().squareRoot()
    }

    static func cross(_ u: SIMD2<Double>, _ v: SIMD2<Double>) -> Double { u.x * v.y - u.y * v.x }

    static func segmentDistance(_ a0: SIMD2<Double>, _ a1: SIMD2<Double>,
                                _ b0: SIMD2<Double>, _ b1: SIMD2<Double>) -> Double {
        let r = a1 - a0, s = b1 - b0
        let denom = cross(r, s)
        if denom != 0 {
            let t = cross(b0 - a0, s) / denom
            let u = cross(b0 - a0, r) / denom
            if t >= 0, t <= 1, u >= 0, u <= 1 { return 0 }
        }
        return min(pointSegmentDistance(a0, b0, b1), pointSegmentDistance(a1, b0, b1),
                   pointSegmentDistance(b0, a0, a1), pointSegmentDistance(b1, a0, a1))
    }
}
