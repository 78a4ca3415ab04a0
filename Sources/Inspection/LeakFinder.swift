import Findings
import ImagingCore
import Kernels

/// Settings of leak detection (``LeakFinder``).
public struct LeakConfiguration: Sendable, Equatable {
    /// Least leak probability of a cell's tile for the cell to count as wet. The defaults (0.5, ``minimumCells``
    /// 6, ``minimumDarkening`` 30) were chosen on the classifier's tunnel training photos and dry training frames
    /// (models/DETECTOR.md, "Leaks").
    public var threshold: Double
    /// A frame without a known GSD is reduced so that its long side is at most this many pixels before the
    /// classifier looks at it: the scale its leak class was trained at (tunnel photos shrunk to ≤ 768 px).
    public var longSide: Int
    /// Cell side at that scale: one classifier tile (64 px) is centred on every cell, so neighbouring tiles overlap.
    public var cell: Int
    /// Ground sampling distance, millimetres per pixel, at which the classifier looks when the frame's GSD is known:
    /// an estimate of that of its training photos (tunnel walls photographed from a few metres, shrunk to ≤ 768 px).
    public var targetGSDMillimetres: Double = 5
    /// Frames coarser than this many millimetres per pixel get no leak findings (their reports say so): a 64-px tile
    /// there covers more than 64 cm, twice the scale the classifier learned leaks at; between 10 and 20 mm/px every
    /// leak finding seen on drone flights lay on tree crowns, shadows or darker asphalt (models/DETECTOR.md,
    /// protocol R; at 27 mm/px a drone frame of fields read whole fields as wet).
    public var maximumGSDMillimetres: Double = 10
    /// Fewest wet cells (8-connected) that make a finding: one cell alone is too often a shadow or a stain.
    public var minimumCells: Int
    /// Gray levels by which a group's mean must be darker than the median of the frame's other cells (0: off).
    /// Water darkens a surface; uniform dry concrete that the classifier calls wet everywhere has no darker part
    /// (and a frame wet everywhere has no dry cells to compare with, so it gives no finding).
    public var minimumDarkening: Double
    /// Gray levels below the dry cells' median at which a pixel of a wet group, or of the cells around it, is wet
    /// (after a 5×5 mean): a finding then covers the darkened pixels, not whole 32-px cells (a seepage streak is
    /// a few pixels wide). Nil: whole cells. Used only with ``minimumDarkening`` on. The default, 20, was chosen on
    /// the tunnel training photos (models/DETECTOR.md, protocol L).
    public var pixelDarkening: Double? = 20

    /// Creates a configuration; the defaults are the tuned ones.
    public init(threshold: Double = 0.5, longSide: Int = 768, cell: Int = 32, minimumCells: Int = 6,
                minimumDarkening: Double = 30) {
        self.threshold = threshold
        self.longSide = longSide
        self.cell = cell
        self.minimumCells = minimumCells
        self.minimumDarkening = minimumDarkening
    }
}

/// Finds wet patches and seepage stains with the tile classifier's `leak` class: the frame is reduced to the
/// classifier's training scale, a tile is centred on every cell of a grid, cells whose leak probability reaches
/// the threshold are wet, and each 8-connected group of wet cells is one ``Finding`` of class `leak` with its
/// outline and area in frame pixels.
public struct LeakFinder: Sendable {
    /// The tile classifier (it must have a `leak` class).
    public let classifier: TileGate
    /// The settings.
    public let configuration: LeakConfiguration
    let leakIndex: Int

    /// - Returns: nil when the classifier has no `leak` class.
    public init?(classifier: TileGate, configuration: LeakConfiguration = .init()) {
        guard let k = classifier.leakIndex else { return nil }
        self.classifier = classifier
        self.configuration = configuration
        leakIndex = k
    }

    /// Leak probability per grid cell of a frame.
    public struct CellMap: Sendable {
        /// Grid size in cells.
        public let columns: Int, rows: Int
        /// Frame pixels per pixel of the reduced frame.
        public let factor: Int
        /// Cell side in pixels of the reduced frame.
        public let cell: Int
        /// The reduced frame's size.
        public let width: Int, height: Int
        /// `rows × columns` leak probabilities.
        public let probabilities: [Float]
        /// `rows × columns` mean gray levels of the cells (reduced frame); empty when not measured.
        public var means: [Float] = []
        /// `rows × columns` flags of cells off the paved surface (``masked(by:)``): never wet, and not among the dry
        /// cells a group's darkening is measured against; empty: every cell is on the surface.
        public var offSurface: [Bool] = []
        /// The reduced gray frame the cells were scored on (for ``LeakConfiguration/pixelDarkening``; long side
        /// ≤ 768 px); nil when not kept.
        public var reduced: PixelBuffer? = nil

        /// This map with the cells whose centre is not paved in `surface` (a map of the same frame) marked
        /// ``offSurface``: leaks are looked for on the pavement only.
        public func masked(by surface: SurfaceMap) -> CellMap {
            var out = self
            let f = Double(factor), side = Double(cell) * f
            out.offSurface = (0..<(rows * columns)).map { i in
                let cx = (Double(i % columns) + 0.5) * side, cy = (Double(i / columns) + 0.5) * side
                return surface.surface(x: min(cx, Double(width) * f - 1), y: min(cy, Double(height) * f - 1)) != .paved
            }
            return out
        }

        func isOffSurface(_ i: Int) -> Bool { offSurface.count == probabilities.count && offSurface[i] }
    }

    /// The reduction factor for a frame: from its ground sampling distance when known (towards
    /// ``LeakConfiguration/targetGSDMillimetres``), else from its size (long side ≤ ``LeakConfiguration/longSide``);
    /// nil when the frame is too coarse for leak detection.
    /// - Parameters: width, height: the frame's size; gsdMillimetres: its GSD, if known.
    public func reduction(width: Int, height: Int, gsdMillimetres: Double?) -> Int? {
        if let g = gsdMillimetres, g > 0 {
            guard g <= configuration.maximumGSDMillimetres else { return nil }
            return max(1, Int(configuration.targetGSDMillimetres / g))
        }
        let long = max(width, height)
        return max(1, (long + configuration.longSide - 1) / configuration.longSide)
    }

    /// Scores every cell of a frame.
    /// - Parameters: gray: (H, W) gray8 frame; factor: the reduction (default: from the frame's size, see
    ///   ``reduction(width:height:gsdMillimetres:)``); threads: ≥ 1.
    public func cellMap(_ gray: PixelBuffer, factor: Int? = nil, threads: Int = 1) -> CellMap {
        let factor = max(1, factor ?? reduction(width: gray.width, height: gray.height, gsdMillimetres: nil) ?? 1)
        let small = factor > 1 ? Downsample.area(gray, factor: factor, threads: threads) : gray
        let c = configuration.cell
        let columns = max(1, (small.width + c - 1) / c), rows = max(1, (small.height + c - 1) / c)
        var centres: [SIMD2<Int>] = []
        centres.reserveCapacity(columns * rows)
        for r in 0..<rows {
            for q in 0..<columns {
                // The centre of the cell's part inside the frame.
                let x0 = q * c, y0 = r * c
                centres.append(SIMD2((x0 + min(small.width, x0 + c)) / 2, (y0 + min(small.height, y0 + c)) / 2))
            }
        }
        let p = classifier.probabilities(small, centres: centres, classIndex: leakIndex, threads: threads)
        var sums = [Float](repeating: 0, count: columns * rows), counts = [Float](repeating: 0, count: columns * rows)
        for y in 0..<small.height {
            for x in 0..<small.width {
                let i = (y / c) * columns + x / c
                sums[i] += Float(small.bytes[y * small.rowStride + x]); counts[i] += 1
            }
        }
        var map = CellMap(columns: columns, rows: rows, factor: factor, cell: c, width: small.width,
                          height: small.height, probabilities: p)
        map.means = zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
        map.reduced = small
        return map
    }

    /// The wet cells' groups: each at least ``LeakConfiguration/minimumCells`` cells, with the median gray of the
    /// frame's dry cells (nil when the darkening test is off).
    func groups(_ map: CellMap) -> (groups: [(cells: [Int], confidence: Double)], dryLevel: Double?) {
        var wet = BinaryMask(width: map.columns, height: map.rows)
        let t = Float(configuration.threshold)
        for i in map.probabilities.indices where map.probabilities[i] >= t && !map.isOffSurface(i) { wet.bits[i] = 1 }
        let cc = ConnectedComponents(wet)
        let darkening = configuration.minimumDarkening
        var dry: [Float] = []
        if darkening > 0 && map.means.count == map.probabilities.count {
            dry = wet.bits.indices.filter { wet.bits[$0] == 0 && !map.isOffSurface($0) }.map { map.means[$0] }.sorted()
        }
        var out: [(cells: [Int], confidence: Double)] = []
        for comp in cc.components where comp.area >= configuration.minimumCells {
            var cells: [Int] = [], sum = 0.0
            for y in comp.minY...comp.maxY {
                for x in comp.minX...comp.maxX where cc.labels[y * map.columns + x] == comp.label {
                    cells.append(y * map.columns + x)
                    sum += Double(map.probabilities[y * map.columns + x])
                }
            }
            if darkening > 0 {
                guard !dry.isEmpty, map.means.count == map.probabilities.count else { continue }
                let mean = cells.reduce(0.0) { $0 + Double(map.means[$1]) } / Double(cells.count)
                guard Double(dry[dry.count / 2]) - mean >= darkening else { continue }
            }
            out.append((cells, sum / Double(cells.count)))
        }
        return (out, dry.isEmpty ? nil : Double(dry[dry.count / 2]))
    }

    /// A group's pixels in the reduced frame: with ``LeakConfiguration/pixelDarkening``, the pixels of the group's
    /// cells and of the surface cells around them whose 5×5 mean is that far below the dry level, in the 8-connected
    /// parts that reach into the group's own cells (whole cells when fewer than a quarter cell's pixels remain);
    /// otherwise the whole cells.
    func pixels(of cells: [Int], map: CellMap, dryLevel: Double?, smoothed: [Float]?) -> BinaryMask {
        var own = BinaryMask(width: map.width, height: map.height)
        Self.paint(cells, columns: map.columns, side: map.cell, into: &own)
        guard let tau = configuration.pixelDarkening, let dry = dryLevel, let smoothed else { return own }
        // The group's cells and their 8 neighbours on the surface.
        var near = Set<Int>()
        for i in cells {
            let q = i % map.columns, r = i / map.columns
            for dr in -1...1 { for dq in -1...1 {
                let qq = q + dq, rr = r + dr
                guard qq >= 0 && qq < map.columns && rr >= 0 && rr < map.rows else { continue }
                let j = rr * map.columns + qq
                if !map.isOffSurface(j) { near.insert(j) }
            } }
        }
        var wet = BinaryMask(width: map.width, height: map.height)
        let bar = Float(dry - tau)
        for j in near {
            let x0 = (j % map.columns) * map.cell, y0 = (j / map.columns) * map.cell
            for y in y0..<min(map.height, y0 + map.cell) {
                for x in x0..<min(map.width, x0 + map.cell) where smoothed[y * map.width + x] <= bar { wet.bits[y * map.width + x] = 1 }
            }
        }
        let cc = ConnectedComponents(wet)
        var keep = Set<Int32>()
        for i in wet.bits.indices where wet.bits[i] != 0 && own.bits[i] != 0 { keep.insert(cc.labels[i]) }
        var out = BinaryMask(width: map.width, height: map.height)
        for i in wet.bits.indices where wet.bits[i] != 0 && keep.contains(cc.labels[i]) { out.bits[i] = 1 }
        return out.count * 4 >= map.cell * map.cell ? out : own
    }

    /// The 5×5 mean of the reduced frame, when pixel refinement is on and the map kept the frame.
    func smoothed(_ map: CellMap) -> [Float]? {
        guard configuration.pixelDarkening != nil, let g = map.reduced else { return nil }
        let m = BoxFilter.mean(g, width: 5, height: 5)
        var out = [Float](repeating: 0, count: g.width * g.height)
        for y in 0..<g.height { for x in 0..<g.width { out[y * g.width + x] = Float(m.bytes[y * m.rowStride + x]) } }
        return out
    }

    /// Turns on the pixels of cells (indices into a grid of `columns`) of `side` pixels, cut at the mask's edge.
    static func paint(_ cells: [Int], columns: Int, side: Int, into m: inout BinaryMask) {
        for i in cells {
            let x0 = (i % columns) * side, y0 = (i / columns) * side
            for y in y0..<min(m.height, y0 + side) { for x in x0..<min(m.width, x0 + side) { m.bits[y * m.width + x] = 1 } }
        }
    }

    /// The leak mask at frame resolution (every pixel of a group's cells), e.g. for IoU against ground truth.
    /// - Parameters: width, height: the frame's size (the map's reduced frame scaled back, cropped).
    public func mask(_ map: CellMap, width: Int, height: Int) -> BinaryMask {
        // The groups' pixels at the reduced scale, then scaled back once.
        var reduced = BinaryMask(width: map.width, height: map.height)
        let found = groups(map)
        let smooth = smoothed(map)
        for g in found.groups {
            let px = pixels(of: g.cells, map: map, dryLevel: found.dryLevel, smoothed: smooth)
            for i in px.bits.indices where px.bits[i] != 0 { reduced.bits[i] = 1 }
        }
        var m = BinaryMask(width: width, height: height)
        guard !found.groups.isEmpty else { return m }
        for y in 0..<min(height, map.height * map.factor) {
            let row = (y / map.factor) * map.width
            for x in 0..<min(width, map.width * map.factor) where reduced.bits[row + x / map.factor] != 0 {
                m.bits[y * width + x] = 1
            }
        }
        return m
    }

    /// Leak findings of a cell map: outline, bounding box and area in frame pixels, confidence the mean leak
    /// probability of the group's cells; largest first.
    public func findings(_ map: CellMap) -> [Finding] {
        let f = Double(map.factor)
        var out: [Finding] = []
        let found = groups(map)
        let smooth = smoothed(map)
        for g in found.groups {
            let m = pixels(of: g.cells, map: map, dryLevel: found.dryLevel, smoothed: smooth)
            var minX = Int.max, minY = Int.max, maxX = 0, maxY = 0
            for y in 0..<map.height { for x in 0..<map.width where m.bits[y * map.width + x] != 0 {
                minX = min(minX, x); minY = min(minY, y); maxX = max(maxX, x + 1); maxY = max(maxY, y + 1)
            } }
            guard minX < maxX else { continue }
            // The outline of the largest part (refined pixels may fall apart into a few streaks).
            let cc = ConnectedComponents(m)
            var largest = m
            if cc.components.count > 1, let big = cc.components.max(by: { $0.area < $1.area }) {
                largest = BinaryMask(width: map.width, height: map.height)
                for i in m.bits.indices where cc.labels[i] == big.label { largest.bits[i] = 1 }
            }
            let outline = ContourTracing.outerContour(largest).map { [Double($0.x) * f, Double($0.y) * f] }
            out.append(Finding(
                defectClass: .leak, subtype: nil, confidence: (g.confidence * 1000).rounded() / 1000,
                bbox: BoundingBox(x: Int(Double(minX) * f), y: Int(Double(minY) * f),
                                  width: Int(Double(maxX - minX) * f), height: Int(Double(maxY - minY) * f)),
                outline: outline, lengthPx: nil, widthPx: nil, areaPx: Double(m.count) * f * f))
        }
        return out.sorted { ($0.areaPx ?? 0) > ($1.areaPx ?? 0) }
    }
}
