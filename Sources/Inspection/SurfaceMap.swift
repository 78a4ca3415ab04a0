import Foundation
import ImagingCore

/// What a cell of a frame shows, as far as pavement inspection cares. Cracks and leaks are looked for on
/// ``paved`` cells only.
public enum SurfaceClass: UInt8, Sendable, CaseIterable, Codable {
    /// Asphalt, concrete, pavers, tunnel lining: near-neutral colour, and (seen from the air) smooth.
    case paved = 0
    /// Lawns, crops, leafy canopies: green stands out of red and blue (excess green).
    case vegetation = 1
    /// Colours far more saturated than the frame's neutral surfaces, seen from the air: cars, roofs, autumn foliage.
    case vivid = 2
    /// Warm brown ground seen from the air: soil, dirt roads, bare branches over leaf litter.
    case soil = 3
    /// Fine texture everywhere in the cell seen from the air: crowns of bare trees, bushes, gravel heaps.
    case rough = 4

    /// Lower-case name, as in JSON and maps.
    public var name: String {
        switch self {
        case .paved: "paved"
        case .vegetation: "vegetation"
        case .vivid: "vivid"
        case .soil: "soil"
        case .rough: "rough"
        }
    }
}

/// Settings of the ``SurfaceMap``. The defaults were chosen by looking at cell statistics of the training and
/// validation photos (close-ups must stay paved: CrackForest, DeepCrack, UAV75, tunnel linings) and of the two
/// unlabelled drone flights (models/DETECTOR.md, "Surface map").
public struct SurfaceConfiguration: Sendable, Equatable {
    /// Cells per long side of a frame without a known ground scale (the cell side is the long side divided by this,
    /// at least 8 pixels).
    public var cellsPerLongSide: Int = 144
    /// Cell side on the ground, millimetres, for aerial frames (8 to 64 pixels).
    public var aerialCellMillimetres: Double = 1000
    /// Excess green `2G − R − B` (cell means, 0...255 levels) above the frame's neutral level (its 25th percentile;
    /// for aerial frames also above zero) from which a cell is vegetation.
    public var vegetationExcessGreen: Double = 15
    /// Saturation above the frame's neutral level (its 25th percentile) from which a cell of an aerial frame is vivid.
    /// Close-ups keep saturated cells: rust-brown seepage on a tunnel lining is what a leak looks like there.
    public var vividSaturation: Double = 0.2
    /// Frames at least this coarse (millimetres per pixel) are aerial: the soil and rough rules apply, and small
    /// paved specks are removed. Close-ups are judged by colour alone (their asphalt is textured and may be tinted).
    public var aerialGSDMillimetres: Double = 5
    /// Saturation from which a warm (red ≥ green ≥ blue) cell of an aerial frame is soil.
    public var soilSaturation: Double = 0.16
    /// Saturation above the frame's neutral level from which a warm cell of an aerial frame is soil (leaf litter and
    /// bare woods at 0.09-0.19 beside asphalt at 0.02-0.03 in the garfield flight).
    public var soilSaturationAboveNeutral: Double = 0.06
    /// Gray-level difference over two pixels that counts as fine texture.
    public var roughGradient: Int = 12
    /// Share of a cell's samples with fine texture from which a coarse aerial cell is rough.
    public var roughShare: Double = 0.5
    /// The rough rule applies from this ground sampling distance (mm per pixel): finer, asphalt's own aggregate is
    /// texture enough to look rough.
    public var roughGSDMillimetres: Double = 25
    /// Paved areas of fewer cells (8-connected) in an aerial frame are not surface: gaps between tree crowns.
    public var minimumPavedCells: Int = 12

    /// The defaults.
    public init() {}
}

/// The surface map of a frame: one ``SurfaceClass`` per square cell, from the cells' mean colour and (for aerial
/// frames) their fine texture. Cheap: every second pixel of every second row is sampled once.
///
/// Gray frames carry no colour: there only the texture rule can apply, so close-up gray frames are paved
/// everywhere.
public struct SurfaceMap: Sendable, Equatable {
    /// Frame size in pixels.
    public let width: Int, height: Int
    /// Cell side in frame pixels.
    public let cell: Int
    /// Grid size.
    public let columns: Int, rows: Int
    /// `rows × columns` classes, row-major.
    public internal(set) var classes: [SurfaceClass]
    /// `rows × columns` mean colours (red, green, blue, 0...255); all three equal for gray frames.
    public let colours: [SIMD3<Float>]

    /// Share of the frame's cells that are paved, 0...1.
    public var pavedFraction: Double {
        classes.isEmpty ? 0 : Double(classes.count { $0 == .paved }) / Double(classes.count)
    }

    /// The class of the cell holding frame pixel (x, y); outside the frame, the nearest cell.
    public func surface(x: Double, y: Double) -> SurfaceClass {
        guard !classes.isEmpty else { return .paved }
        let c = min(columns - 1, max(0, Int(x) / cell)), r = min(rows - 1, max(0, Int(y) / cell))
        return classes[r * columns + c]
    }

    /// Share of the points (frame pixels, `[x, y]`) that lie on paved cells; 1 for no points.
    public func pavedShare(of points: [[Double]]) -> Double {
        let pts = points.filter { $0.count >= 2 }
        guard !pts.isEmpty else { return 1 }
        return Double(pts.count { surface(x: $0[0], y: $0[1]) == .paved }) / Double(pts.count)
    }

    /// The part of a rectangle (frame pixels) near pavement: the bounding box of the paved cells it meets, grown
    /// by `pad` cells and cut to the rectangle; nil when it meets none (a map without cells: the whole rectangle).
    public func pavedBounds(x: Int, y: Int, width w: Int, height h: Int, pad: Int)
        -> (x: Int, y: Int, width: Int, height: Int)? {
        pavedSpans(x: x, y: y, width: w, height: h, pad: pad)?.box
    }

    /// The part of a rectangle (frame pixels) near pavement, row by row: on each pixel row, the columns from the
    /// leftmost to the rightmost paved cell of the cell rows within `pad` of it, grown by `pad` cells, cut to the
    /// rectangle (only cells inside the rectangle count). Nil when the rectangle meets no paved cell.
    /// - Returns: the bounding box of those columns (``pavedBounds(x:y:width:height:pad:)``) and, per pixel row of
    ///   the box, its columns (possibly empty). A map without cells: the whole rectangle.
    public func pavedSpans(x: Int, y: Int, width w: Int, height h: Int, pad: Int)
        -> (box: (x: Int, y: Int, width: Int, height: Int), spans: [Range<Int>])? {
        guard w > 0, h > 0 else { return nil }
        guard !classes.isEmpty else { return ((x, y, w, h), [Range](repeating: x..<(x + w), count: h)) }
        let c0 = max(0, x / cell), c1 = min(columns - 1, (x + w - 1) / cell)
        let r0 = max(0, y / cell), r1 = min(rows - 1, (y + h - 1) / cell)
        guard c0 <= c1 && r0 <= r1 else { return nil }
        // The paved cells' columns on each cell row of the rectangle (lo > hi: none).
        let paved = (r0...r1).map { r -> (lo: Int, hi: Int) in
            let cs = (c0...c1).filter { classes[r * columns + $0] == .paved }
            return (cs.first ?? Int.max, cs.last ?? Int.min)
        }
        var spans: [Range<Int>] = []
        var top = Int.max, bottom = Int.min
        for py in y..<(y + h) {
            let cr = py / cell
            var lo = Int.max, hi = Int.min
            for r in max(r0, cr - pad)..<(min(r1, cr + pad) + 1) {
                lo = min(lo, paved[r - r0].lo)
                hi = max(hi, paved[r - r0].hi)
            }
            if lo <= hi {
                spans.append(max(x, (lo - pad) * cell)..<min(x + w, (hi + 1 + pad) * cell))
                top = min(top, py)
                bottom = py
            } else {
                spans.append(0..<0)
            }
        }
        guard top <= bottom else { return nil }
        let kept = Array(spans[(top - y)...(bottom - y)])
        let filled = kept.filter { !$0.isEmpty }
        let left = filled.map(\.lowerBound).min()!, right = filled.map(\.upperBound).max()!
        return ((left, top, right - left, bottom + 1 - top), kept)
    }

    /// A map with every cell paved (a frame the map is not computed for).
    public static func allPaved(width: Int, height: Int, configuration: SurfaceConfiguration = .init()) -> SurfaceMap {
        let cell = cellSide(width: width, height: height, gsdMillimetres: nil, configuration)
        let columns = max(1, (width + cell - 1) / cell), rows = max(1, (height + cell - 1) / cell)
        return SurfaceMap(width: width, height: height, cell: cell, columns: columns, rows: rows,
                          classes: [SurfaceClass](repeating: .paved, count: columns * rows),
                          colours: [SIMD3<Float>](repeating: SIMD3(128, 128, 128), count: columns * rows))
    }

    /// About a metre on the ground for aerial frames, else 1/144 of the long side; at least 8 pixels.
    static func cellSide(width: Int, height: Int, gsdMillimetres: Double?, _ c: SurfaceConfiguration) -> Int {
        if let g = gsdMillimetres, g >= c.aerialGSDMillimetres {
            return min(64, max(8, Int((c.aerialCellMillimetres / g).rounded())))
        }
        return max(8, max(width, height) / max(1, c.cellsPerLongSide))
    }

    /// Computes the map of a frame.
    /// - Parameters: image: (H, W) gray8, rgb8 or rgba8; gsdMillimetres: the frame's ground sampling distance,
    ///   if known (aerial rules apply from ``SurfaceConfiguration/aerialGSDMillimetres``); configuration: rules.
    public static func compute(_ image: PixelBuffer, gsdMillimetres: Double?,
                               configuration c: SurfaceConfiguration = .init()) -> SurfaceMap {
        let w = image.width, h = image.height
        guard w > 0 && h > 0 else {
            return SurfaceMap(width: w, height: h, cell: 8, columns: 0, rows: 0, classes: [], colours: [])
        }
        let cell = cellSide(width: w, height: h, gsdMillimetres: gsdMillimetres, c)
        let columns = (w + cell - 1) / cell, rows = (h + cell - 1) / cell
        let n = columns * rows, ch = image.format.channels
        var sums = [SIMD3<Float>](repeating: .zero, count: n)
        var count = [Float](repeating: 0, count: n), textured = [Float](repeating: 0, count: n)
        let stride = image.rowStride, bytes = image.bytes, t = c.roughGradient
        func luma(_ o: Int) -> Int {
            ch == 1 ? Int(bytes[o]) : (Int(bytes[o]) * 77 + Int(bytes[o + 1]) * 150 + Int(bytes[o + 2]) * 29) >> 8
        }
        var y = 0
        while y < h {
            let row = y * stride, cr = (y / cell) * columns
            let below = y + 2 < h ? row + 2 * stride : -1
            var x = 0
            while x < w {
                let o = row + x * ch, i = cr + x / cell
                if ch == 1 {
                    let v = Float(bytes[o]); sums[i] += SIMD3(v, v, v)
                } else {
                    sums[i] += SIMD3(Float(bytes[o]), Float(bytes[o + 1]), Float(bytes[o + 2]))
                }
                count[i] += 1
                let g = luma(o)
                var d = 0
                if x + 2 < w { d = abs(luma(o + 2 * ch) - g) }
                if below >= 0 { d = max(d, abs(luma(below + x * ch) - g)) }
                if d > t { textured[i] += 1 }
                x += 2
            }
            y += 2
        }
        var colours = [SIMD3<Float>](repeating: .zero, count: n)
        var saturation = [Double](repeating: 0, count: n)
        for i in 0..<n where count[i] > 0 {
            let m = sums[i] / count[i]
            colours[i] = m
            let hi = max(m.x, m.y, m.z), lo = min(m.x, m.y, m.z)
            saturation[i] = Double((hi - lo) / max(hi, 1))
        }
        // The frame's neutral levels (25th percentiles): a close-up's colour cast (green-tinted asphalt, yellow
        // tunnel light) moves every cell alike, so close-ups are judged against them only; aerial frames (a drone
        // camera's white balance, scenes of lawns and woods) also by absolute levels.
        let neutral = saturation.sorted()[n / 4]
        let excessGreen = colours.map { Double(2 * $0.y - $0.x - $0.z) }
        let neutralGreen = excessGreen.sorted()[n / 4]
        let aerial = (gsdMillimetres ?? 0) >= c.aerialGSDMillimetres
        let coarse = (gsdMillimetres ?? 0) >= c.roughGSDMillimetres
        let brightness = colours.map { ($0.x + $0.y + $0.z) / 3 }
        let medianBrightness = brightness.sorted()[n / 2]
        var classes = [SurfaceClass](repeating: .paved, count: n)
        for i in 0..<n where count[i] > 0 {
            let m = colours[i]
            let exg = excessGreen[i]
            let green = exg - neutralGreen > c.vegetationExcessGreen || (aerial && exg > c.vegetationExcessGreen)
            if ch > 1 && green && m.y >= m.x {
                classes[i] = .vegetation
            } else if aerial && ch > 1 && saturation[i] - neutral > c.vividSaturation
                        && !(m.z >= m.x && m.z >= m.y && brightness[i] < medianBrightness) {
                // (A darker cell whose strongest channel is blue is pavement in a cast shadow, lit by the sky
                // alone: it stays surface, and LeakSurfaceCheck keeps its darkness from becoming a leak.)
                classes[i] = .vivid
            } else if aerial && ch > 1 && m.x >= m.y && m.y >= m.z
                        && (saturation[i] > c.soilSaturation || saturation[i] - neutral > c.soilSaturationAboveNeutral) {
                classes[i] = .soil
            } else if coarse && Double(textured[i] / count[i]) > c.roughShare {
                classes[i] = .rough
            }
        }
        var map = SurfaceMap(width: w, height: h, cell: cell, columns: columns, rows: rows, classes: classes,
                             colours: colours)
        if aerial { map.removeSmallPavedAreas(minimumCells: c.minimumPavedCells) }
        return map
    }

    /// Reclassifies paved areas of fewer than `minimumCells` 8-connected cells as their most common neighbour.
    mutating func removeSmallPavedAreas(minimumCells: Int) {
        let current = classes, columns = columns, rows = rows
        var changes: [(cells: [Int], to: SurfaceClass)] = []
        FloodFill.forEachRegion(width: columns, height: rows, connectivity: .eight,
                                member: { current[$0] == .paved }) { area, _ in
            guard area.count < minimumCells else { return }
            // The most common class among the cells bordering the area.
            var neighbours = [Int](repeating: 0, count: SurfaceClass.allCases.count)
            for i in area {
                let x = i % columns, y = i / columns
                for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0 && ny >= 0 && nx < columns && ny < rows else { continue }
                    let c = current[ny * columns + nx]
                    if c != .paved { neighbours[Int(c.rawValue)] += 1 }
                } }
            }
            let best = neighbours.indices.max { neighbours[$0] < neighbours[$1] } ?? 0
            guard neighbours[best] > 0, let replacement = SurfaceClass(rawValue: UInt8(best)) else { return }
            changes.append((area, replacement))
        }
        for change in changes { for i in change.cells { classes[i] = change.to } }
    }
}
