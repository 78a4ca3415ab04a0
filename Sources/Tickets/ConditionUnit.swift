import Findings
import Foundation
import Geodesy

/// A piece of pavement rated on its own: a road segment of a network file (its centre line widened to the road's
/// width), or a sample unit (a square cell of a fixed grid) where there is no file.
///
/// Its surface is stood for by sample points, each standing for ``sampleAreaM2``: a point counts as surveyed by a
/// survey when a frame footprint of that survey contains it, weighted by that frame's paved share (sample units) or
/// fully (a segment's samples lie on the road by definition).
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
    /// Whether every sample is pavement (a road segment's width): then the frames' paved share does not thin it out.
    public var allPaved: Bool

    /// The unit's pavement area, square metres.
    public var areaM2: Double { Double(samples.count) * sampleAreaM2 }

    /// Creates a unit (the box is computed from the samples and geometry).
    public init(id: String, name: String?, geometry: [GeoOutline], samples: [GeoPoint], sampleAreaM2: Double, allPaved: Bool = false) {
        self.id = id
        self.allPaved = allPaved
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
                                 samples: samples, sampleAreaM2: stepM * widthM / Double(rows), allPaved: true)
        }
    }

    /// The grid of sample units: `sizeM` squares in a ``LocalPlane`` at the south-west corner of each 0.1° block of
    /// latitude and longitude (squares at a block's edge keep only their part inside the block), so a unit's id and
    /// place are the same in every survey and every run. Each square that a frame footprint touches becomes a unit,
    /// its samples on a `stepM` grid. Returns the units and the grid (to place findings).
    public static func cells(frames: [FrameRecord], sizeM: Double = 10, stepM: Double = 2) -> (units: [ConditionUnit], grid: Grid?) {
        let footprints = frames.compactMap { f in f.footprint.flatMap { $0.count >= 3 ? $0 : nil } }
        guard !footprints.isEmpty else { return ([], nil) }
        let grid = Grid(sizeM: sizeM)
        let n = max(1, Int((sizeM / stepM).rounded()))
        let step = sizeM / Double(n)
        /// The samples of a cell that lie in its block.
        func samples(_ cell: Grid.Cell) -> [GeoPoint] {
            let plane = grid.plane(cell.block)
            let corner = SIMD2(Double(cell.east), Double(cell.north)) * sizeM
            var out: [GeoPoint] = []
            for a in 0..<n {
                for b in 0..<n {
                    let p = plane.unproject(corner + SIMD2((Double(a) + 0.5) * step, (Double(b) + 0.5) * step))
                    if Grid.block(of: p) == cell.block { out.append(p) }
                }
            }
            return out
        }
        var touched: [Grid.Cell: [GeoPoint]] = [:]
        var missed: Set<Grid.Cell> = []
        for fp in footprints {
            let lats = fp.map(\.latitude), lons = fp.map(\.longitude)
            for by in Grid.index(lats.min()!)...Grid.index(lats.max()!) {
                for bx in Grid.index(lons.min()!)...Grid.index(lons.max()!) {
                    let block = SIMD2(by, bx), plane = grid.plane(block)
                    let poly = fp.map(plane.project)
                    let shape = PlaneShape(points: poly, closed: true)
                    let lo = poly.reduce(SIMD2(repeating: Double.infinity)) { pointwiseMin($0, $1) }
                    let hi = poly.reduce(SIMD2(repeating: -Double.infinity)) { pointwiseMax($0, $1) }
                    for i in Int((lo.x / sizeM).rounded(.down))...Int((hi.x / sizeM).rounded(.down)) {
                        for j in Int((lo.y / sizeM).rounded(.down))...Int((hi.y / sizeM).rounded(.down)) {
                            let cell = Grid.Cell(block: block, east: i, north: j)
                            guard touched[cell] == nil, !missed.contains(cell) else { continue }
                            let inBlock = samples(cell)
                            if inBlock.contains(where: { shape.contains(plane.project($0)) }) { touched[cell] = inBlock } else { missed.insert(cell) }
                        }
                    }
                }
            }
            missed.removeAll(keepingCapacity: true)
        }
        let units = touched.keys.sorted { ($0.block.x, $0.block.y, $0.north, $0.east) < ($1.block.x, $1.block.y, $1.north, $1.east) }.map { cell in
            let plane = grid.plane(cell.block)
            let corner = SIMD2(Double(cell.east), Double(cell.north)) * sizeM
            let square = [SIMD2(0.0, 0.0), SIMD2(1.0, 0.0), SIMD2(1.0, 1.0), SIMD2(0.0, 1.0)].map { plane.unproject(corner + $0 * sizeM) }
            return ConditionUnit(id: grid.id(of: cell), name: nil, geometry: [GeoOutline(kind: .polygon, points: square)],
                                 samples: touched[cell]!, sampleAreaM2: step * step)
        }
        return (units, grid)
    }

    /// The fixed grid of sample units.
    public struct Grid: Sendable {
        /// A cell: its 0.1° block (latitude, longitude index) and its east and north index in the block's plane.
        public struct Cell: Hashable, Sendable {
            /// `floor(latitude × 10)`, `floor(longitude × 10)` of the block.
            public var block: SIMD2<Int>
            /// Index east of the block's south-west corner.
            public var east: Int
            /// Index north of it.
            public var north: Int
        }
        /// Side of a cell, metres.
        public var sizeM: Double

        init(sizeM: Double) { self.sizeM = sizeM }

        /// The block index of one coordinate (tenths of a degree, rounded down).
        static func index(_ degrees: Double) -> Int { Int((degrees * 10).rounded(.down)) }

        /// The block a point lies in.
        static func block(of p: GeoPoint) -> SIMD2<Int> { SIMD2(index(p.latitude), index(p.longitude)) }

        /// The plane of a block: tangent at its south-west corner.
        func plane(_ block: SIMD2<Int>) -> LocalPlane {
            LocalPlane(origin: GeoPoint(latitude: Double(block.x) / 10, longitude: Double(block.y) / 10))
        }

        /// The cell a point lies in.
        public func cell(of p: GeoPoint) -> Cell {
            let block = Self.block(of: p)
            let v = plane(block).project(p) / sizeM
            return Cell(block: block, east: Int(v.x.rounded(.down)), north: Int(v.y.rounded(.down)))
        }

        /// The unit id of a cell: `cell:<block south>,<block west>:E<i>N<j>` (the block's corner in degrees).
        public func id(of c: Cell) -> String {
            "cell:" + String(format: "%.1f,%.1f", Double(c.block.x) / 10, Double(c.block.y) / 10) + ":E\(c.east)N\(c.north)"
        }
    }
}
