import Findings
import Foundation
import Geodesy
import Tickets

/// A group of frames and defects close together (one site or one flight), so that a database holding surveys
/// of several towns is not drawn as one map thousands of kilometres wide with every defect in one pixel.
public struct MapArea: Sendable {
    /// Bounding box in degrees.
    public var south, west, north, east: Double
    /// Frames with a position inside the area.
    public var frames: [FrameRecord] = []
    /// Defects with a position inside the area.
    public var tickets: [Ticket] = []
}

extension SurveyMap {
    /// Side of the grid cells that ``areas(frames:tickets:cellDegrees:)`` joins, in degrees (about 11 km).
    public static let areaCellDegrees = 0.1

    /// Splits positioned frames and defects into areas: positions in the same or neighbouring grid cells
    /// (`cellDegrees` square) belong to one area, so places less than one cell apart are always together and
    /// places more than two cells apart never are, unless a chain of frames or defects links them. Areas come
    /// with the most defects first (then the most frames). Frames and defects without a position are left out.
    public static func areas(frames: [FrameRecord], tickets: [Ticket],
                             cellDegrees: Double = areaCellDegrees) -> [MapArea] {
        struct Cell: Hashable { var y: Int, x: Int }
        func cell(_ p: GeoPoint) -> Cell {
            Cell(y: Int((p.latitude / cellDegrees).rounded(.down)), x: Int((p.longitude / cellDegrees).rounded(.down)))
        }
        let framePoints = frames.map { f in f.latitude.flatMap { lat in f.longitude.map { GeoPoint(latitude: lat, longitude: $0) } } }
        let ticketPoints = tickets.map(\.location)
        // Union-find over occupied cells.
        var parent: [Cell: Cell] = [:]
        func root(_ c: Cell) -> Cell {
            var c = c
            while let p = parent[c], p != c { c = p }
            return c
        }
        for p in (framePoints + ticketPoints).compactMap({ $0 }) { parent[cell(p)] = parent[cell(p)] ?? cell(p) }
        for c in parent.keys {
            for dy in -1...1 {
                for dx in -1...1 where parent[Cell(y: c.y + dy, x: c.x + dx)] != nil {
                    let a = root(c), b = root(Cell(y: c.y + dy, x: c.x + dx))
                    if a != b { parent[a] = b }
                }
            }
        }
        var areas: [Cell: MapArea] = [:]
        func add(_ p: GeoPoint, _ update: (inout MapArea) -> Void) {
            let r = root(cell(p))
            var a = areas[r] ?? MapArea(south: p.latitude, west: p.longitude, north: p.latitude, east: p.longitude)
            a.south = min(a.south, p.latitude)
            a.north = max(a.north, p.latitude)
            a.west = min(a.west, p.longitude)
            a.east = max(a.east, p.longitude)
            update(&a)
            areas[r] = a
        }
        for (f, p) in zip(frames, framePoints) { if let p { add(p) { $0.frames.append(f) } } }
        for (t, p) in zip(tickets, ticketPoints) { if let p { add(p) { $0.tickets.append(t) } } }
        return areas.values.sorted {
            ($0.tickets.count, $0.frames.count, $0.south, $0.west) > ($1.tickets.count, $1.frames.count, $1.south, $1.west)
        }
    }
}
