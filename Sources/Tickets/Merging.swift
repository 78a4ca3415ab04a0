import Findings
import Geodesy

/// Which findings and tickets describe the same physical defect.
///
/// Two shapes of the same class match when their ground outlines overlap or the gap between them is at
/// most the sum of their location uncertainties (plus ``toleranceM``). Shapes without an outline are
/// their centre point. Findings without a location never match anything (they cannot be found again).
public struct Merging: Sendable {
    /// A located shape to compare.
    public struct Shape: Sendable {
        /// Crack or leak.
        public var defectClass: DefectClass
        /// Centre.
        public var center: GeoPoint
        /// Ground outline, if any.
        public var outline: GeoOutline?
        /// Location uncertainty in metres (0 when unknown).
        public var uncertaintyM: Double

        /// Creates a shape.
        public init(defectClass: DefectClass, center: GeoPoint, outline: GeoOutline?, uncertaintyM: Double) {
            self.defectClass = defectClass
            self.center = center
            self.outline = outline
            self.uncertaintyM = uncertaintyM
        }

        /// The shape of a finding, `nil` when it has no location.
        public init?(_ f: Finding) {
            guard let c = f.location ?? f.geoOutline.flatMap(Shape.centroid) else { return nil }
            self.init(defectClass: f.defectClass, center: c, outline: f.geoOutline,
                      uncertaintyM: max(0, f.uncertaintyM ?? 0))
        }

        /// The shape of a ticket, `nil` when it has no location.
        public init?(_ t: Ticket) {
            guard let c = t.location else { return nil }
            self.init(defectClass: t.defectClass, center: c, outline: t.geoOutline,
                      uncertaintyM: max(0, t.uncertaintyM ?? 0))
        }

        static func centroid(_ o: GeoOutline) -> GeoPoint? {
            guard !o.points.isEmpty else { return nil }
            let n = Double(o.points.count)
            return GeoPoint(latitude: o.points.map(\.latitude).reduce(0, +) / n,
                            longitude: o.points.map(\.longitude).reduce(0, +) / n)
        }

        /// Bounding box in degrees of the outline and the centre.
        public var bounds: (south: Double, west: Double, north: Double, east: Double) {
            var b = (south: center.latitude, west: center.longitude, north: center.latitude, east: center.longitude)
            for p in outline?.points ?? [] {
                b.south = min(b.south, p.latitude)
                b.north = max(b.north, p.latitude)
                b.west = min(b.west, p.longitude)
                b.east = max(b.east, p.longitude)
            }
            return b
        }

        func plane(_ p: LocalPlane) -> PlaneShape {
            guard let outline, !outline.points.isEmpty else {
                return PlaneShape(points: [p.project(center)], closed: false)
            }
            return PlaneShape(points: outline.points.map(p.project), closed: outline.kind == .polygon)
        }
    }

    /// Extra slack in metres added to the combined uncertainty (numerical noise of outlines).
    public var toleranceM: Double

    /// Creates the matcher.
    public init(toleranceM: Double = 0.05) {
        self.toleranceM = toleranceM
    }

    /// The ground gap between two shapes in metres (0 when they overlap).
    public func gap(_ a: Shape, _ b: Shape) -> Double {
        let plane = LocalPlane(origin: a.center)
        return a.plane(plane).distance(to: b.plane(plane))
    }

    /// Whether two shapes are the same defect.
    public func matches(_ a: Shape, _ b: Shape) -> Bool {
        matchingGap(a, b) != nil
    }

    /// The gap between two shapes when they are the same defect (``matches(_:_:)``), else `nil`. Shapes whose
    /// bounding boxes, widened by both uncertainties and the tolerance, do not overlap are rejected before the
    /// exact (segment by segment) distance is computed.
    public func matchingGap(_ a: Shape, _ b: Shape) -> Double? {
        guard a.defectClass == b.defectClass else { return nil }
        let limit = a.uncertaintyM + b.uncertaintyM + toleranceM
        let (ab, bb) = (a.bounds, b.bounds)
        // Widened by 1 % and a centimetre: the box test must never reject a pair the exact test accepts.
        let pad = LocalPlane(origin: a.center).degrees(forMetres: limit * 1.01 + 0.01)
        guard ab.south - pad.lat <= bb.north, bb.south - pad.lat <= ab.north,
              ab.west - pad.lon <= bb.east, bb.west - pad.lon <= ab.east else { return nil }
        let plane = LocalPlane(origin: a.center)
        let g = a.plane(plane).distance(to: b.plane(plane), within: limit)
        return g <= limit ? g : nil
    }

    /// Groups findings into defects: the connected components of ``matches(_:_:)`` (single-link).
    /// Findings without a location form groups of one.
    ///
    /// Candidate pairs come from a sweep along the survey's longer axis: each shape's extent on that axis,
    /// widened by its uncertainty and the tolerance, must overlap the other's, so a street of n findings
    /// costs about n log n plus the pairs that are really near, not n².
    /// - Returns: groups of indices into `findings`, each sorted, ordered by their first index.
    public func cluster(_ findings: [Finding]) -> [[Int]] {
        let shapes = findings.map(Shape.init)
        var parent = Array(findings.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        if let origin = shapes.lazy.compactMap({ $0 }).first?.center {
            let plane = LocalPlane(origin: origin)
            var spans: [(lo: SIMD2<Double>, hi: SIMD2<Double>, index: Int)] = []
            for (i, shape) in shapes.enumerated() {
                guard let shape else { continue }
                let points = shape.plane(plane).points + [plane.project(shape.center)]
                var lo = points[0], hi = points[0]
                for p in points {
                    lo = pointwiseMin(lo, p)
                    hi = pointwiseMax(hi, p)
                }
                // 1 % and 1 cm of slack for the plane's distortion far from its origin.
                let pad = (shape.uncertaintyM + toleranceM) * 1.01 + 0.01
                spans.append((lo - SIMD2(repeating: pad), hi + SIMD2(repeating: pad), i))
            }
            let lows = spans.map(\.lo), highs = spans.map(\.hi)
            let extent = (highs.reduce(SIMD2(repeating: -Double.infinity)) { pointwiseMax($0, $1) })
                - (lows.reduce(SIMD2(repeating: Double.infinity)) { pointwiseMin($0, $1) })
            let axis = extent.x >= extent.y ? 0 : 1
            spans.sort { $0.lo[axis] < $1.lo[axis] }
            for a in spans.indices {
                var b = a + 1
                while b < spans.count, spans[b].lo[axis] <= spans[a].hi[axis] {
                    let i = spans[a].index, j = spans[b].index
                    let other = 1 - axis
                    // Single link: a pair already in one group needs no test.
                    let ri = root(i), rj = root(j)
                    if ri != rj, spans[b].lo[other] <= spans[a].hi[other], spans[a].lo[other] <= spans[b].hi[other],
                       matches(shapes[i]!, shapes[j]!) {
                        parent[max(ri, rj)] = min(ri, rj)
                    }
                    b += 1
                }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in findings.indices { groups[root(i), default: []].append(i) }
        return groups.keys.sorted().map { groups[$0]! }
    }
}
