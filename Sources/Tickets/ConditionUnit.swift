import Findings
import Foundation

/// A piece of pavement rated on its own: a road segment of a network file (its centre line widened to the road's
/// width), or a sample unit (a square cell of a fixed grid) where there is no file.
///
/// Its surface is stood for by sample points, each standing for ``sampleAreaM2``: a point counts as surveyed by a
/// survey when a frame footprint of that survey contains it, weighted by that frame's paved share.
public struct ConditionUnit: Sendable, Hashable {
    /// Segment id, or `cell:E<i>N<j>` for sample units.
    public var id: String
    /// Segment name.
    public var name: String?
    /// Centre lines (segments, GeoJSON LineString/MultiLineString) or the cell's square (Polygon).
    public var geometry: [GeoOutline]
    /// Points that stand for the surface.
    public var samples: [GeoPoint]
    /// Area each sample stands for, square metres.
    public var sampleAreaM2: Double
    /// Box of the samples in degrees.
    public var box: IngestPlan.Extent

    /// The unit's pavement area, square metres.
    public var areaM2: Double { Double(samples.count) * sampleAreaM2 }

    /// Creates a unit (the box is computed from the samples and geometry).
    public init(id: String, name: String?, geometry: [GeoOutline], samples: [GeoPoint], sampleAreaM2: Double) {
        self.id = id
        self.name = name
        self.geometry = geometry
        self.samples = samples
        self.sampleAreaM2 = sampleAreaM2
        let points = samples + geometry.flatMap(\.points)
        let lats = points.map(\.latitude), lons = points.map(\.longitude)
        box = IngestPlan.Extent(minLatitude: lats.min() ?? 0, maxLatitude: lats.max() ?? 0,
                                minLongitude: lons.min() ?? 0, maxLongitude: lons.max() ?? 0)
    }

    /// One unit per road segment: samples every `stepM` along each centre line, across the width at `stepM` spacing
    /// (at least one row), each standing for `stepM` × (width / rows).
    public static func segments(_ segments: [RoadSegment], widthM: Double, stepM: Double = 2) -> [ConditionUnit] {
        let rows = max(1, Int((widthM / stepM).rounded()))
        return segments.map { s in
            var samples: [GeoPoint] = []
            for line in s.lines {
                let plane = LocalPlane(origin: line[0])
                let pts = line.map(plane.project)
                for (a, b) in zip(pts, pts.dropFirst()) {
                    let d = b - a
                    let length = (d * d).sum().squareRoot()
                    guard length > 0 else { continue }
                    let along = d / length, across = SIMD2(-along.y, along.x)
                    var t = stepM / 2
                    while t < length {
                        for r in 0..<rows {
                            let offset = (Double(r) + 0.5) * widthM / Double(rows) - widthM / 2
                            samples.append(plane.unproject(a + along * t + across * offset))
                        }
                        t += stepM
                    }
                }
            }
            return ConditionUnit(id: s.id, name: s.name, geometry: s.lines.map { GeoOutline(kind: .lineString, points: $0) },
                                 samples: samples, sampleAreaM2: stepM * widthM / Double(rows))
        }
    }

    /// The grid of sample units: `sizeM` squares in a ``LocalPlane`` whose origin is the south-west corner of every
    /// footprint, rounded down to 0.01°; each square that a frame footprint touches becomes a unit, its samples
    /// on a `stepM` grid. Returns the units and the grid (to place findings).
    public static func cells(frames: [FrameRecord], sizeM: Double = 10, stepM: Double = 2) -> (units: [ConditionUnit], grid: Grid?) {
        let footprints = frames.compactMap { f in f.footprint.flatMap { $0.count >= 3 ? $0 : nil } }
        let all = footprints.flatMap { $0 }
        guard let south = all.map(\.latitude).min(), let west = all.map(\.longitude).min() else { return ([], nil) }
        let grid = Grid(origin: GeoPoint(latitude: (south * 100).rounded(.down) / 100, longitude: (west * 100).rounded(.down) / 100),
                        sizeM: sizeM)
        let n = max(1, Int((sizeM / stepM).rounded()))
        let step = sizeM / Double(n)
        var touched: Set<Grid.Cell> = []
        for fp in footprints {
            let poly = fp.map(grid.plane.project)
            let shape = PlaneShape(points: poly, closed: true)
            let lo = poly.reduce(SIMD2(repeating: Double.infinity)) { pointwiseMin($0, $1) }
            let hi = poly.reduce(SIMD2(repeating: -Double.infinity)) { pointwiseMax($0, $1) }
            for i in Int((lo.x / sizeM).rounded(.down))...Int((hi.x / sizeM).rounded(.down)) {
                for j in Int((lo.y / sizeM).rounded(.down))...Int((hi.y / sizeM).rounded(.down)) {
                    let cell = Grid.Cell(east: i, north: j)
                    guard !touched.contains(cell) else { continue }
                    let corner = SIMD2(Double(i), Double(j)) * sizeM
                    let hit = (0..<n).contains { a in
                        (0..<n).contains { b in shape.contains(corner + SIMD2((Double(a) + 0.5) * step, (Double(b) + 0.5) * step)) }
                    }
                    if hit { touched.insert(cell) }
                }
            }
        }
        let units = touched.sorted { ($0.north, $0.east) < ($1.north, $1.east) }.map { cell in
            let corner = SIMD2(Double(cell.east), Double(cell.north)) * sizeM
            var samples: [GeoPoint] = []
            for a in 0..<n {
                for b in 0..<n { samples.append(grid.plane.unproject(corner + SIMD2((Double(a) + 0.5) * step, (Double(b) + 0.5) * step))) }
            }
            let square = [SIMD2(0.0, 0.0), SIMD2(1.0, 0.0), SIMD2(1.0, 1.0), SIMD2(0.0, 1.0)].map { grid.plane.unproject(corner + $0 * sizeM) }
            return ConditionUnit(id: grid.id(of: cell), name: nil, geometry: [GeoOutline(kind: .polygon, points: square)],
                                 samples: samples, sampleAreaM2: step * step)
        }
        return (units, grid)
    }

    /// The fixed grid of sample units.
    public struct Grid: Sendable {
        /// A cell: east and north index.
        public struct Cell: Hashable, Sendable {
            /// Index east of the origin.
            public var east: Int
            /// Index north of the origin.
            public var north: Int
        }
        /// South-west corner of cell (0, 0).
        public var origin: GeoPoint
        /// Side of a cell, metres.
        public var sizeM: Double
        let plane: LocalPlane

        init(origin: GeoPoint, sizeM: Double) {
            self.origin = origin
            self.sizeM = sizeM
            plane = LocalPlane(origin: origin)
        }

        /// The cell a point lies in.
        public func cell(of p: GeoPoint) -> Cell {
            let v = plane.project(p) / sizeM
            return Cell(east: Int(v.x.rounded(.down)), north: Int(v.y.rounded(.down)))
        }

        /// The unit id of a cell: `cell:E<i>N<j>`.
        public func id(of c: Cell) -> String { "cell:E\(c.east)N\(c.north)" }
    }
}
