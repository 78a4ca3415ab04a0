import Findings
import ImagingCore
import Testing
@testable import Inspection

@Suite("Leak finder")
struct LeakFinderTests {
    func finder(_ c: LeakConfiguration = .init()) throws -> LeakFinder {
        let path = repositoryRoot.appendingPathComponent("models/" + TileGate.defaultFileName).path
        return try #require(LeakFinder(classifier: try TileGate(path: path), configuration: c))
    }

    /// A 4 × 3 cell map of a 200 × 150 reduced frame (cells of 64 px, the last column and row cut short), frame
    /// reduced by 2: cells (0,0), (1,0), (1,1) wet at 0.9, (3,2) wet at 0.95 alone, the rest dry.
    func map() -> LeakFinder.CellMap {
        var p = [Float](repeating: 0.1, count: 12)
        p[0] = 0.9; p[1] = 0.9; p[5] = 0.9; p[11] = 0.95
        return LeakFinder.CellMap(columns: 4, rows: 3, factor: 2, cell: 64, width: 200, height: 150, probabilities: p)
    }

    @Test("groups of wet cells become leak findings with area, bounding box and outline in frame pixels")
    func groups() throws {
        let f = try finder(LeakConfiguration(threshold: 0.5, cell: 64, minimumCells: 2, minimumDarkening: 0))
        let found = f.findings(map())
        #expect(found.count == 1)
        let leak = try #require(found.first)
        #expect(leak.defectClass == .leak)
        #expect(leak.areaPx == Double(3 * 128 * 128))
        #expect(leak.bbox == BoundingBox(x: 0, y: 0, width: 256, height: 256))
        #expect(abs(leak.confidence - 0.9) < 1e-3)
        #expect(leak.outline.count >= 4)
        for p in leak.outline { #expect(p[0] >= 0 && p[0] <= 256 && p[1] >= 0 && p[1] <= 256) }
        // One cell is enough at minimumCells 1: the lone cell at the cut-short corner (200 − 192 = 8 px wide at
        // the reduced scale, 150 − 128 = 22 px high) becomes a second, smaller finding.
        let all = try finder(LeakConfiguration(threshold: 0.5, cell: 64, minimumCells: 1, minimumDarkening: 0)).findings(map())
        #expect(all.count == 2)
        #expect(all.last?.areaPx == Double(8 * 22 * 4))
        // Above every cell's probability: nothing.
        #expect(try finder(LeakConfiguration(threshold: 0.99, cell: 64, minimumCells: 1, minimumDarkening: 0))
            .findings(map()).isEmpty)
    }

    @Test("the leak mask at frame size covers exactly the kept groups' cells")
    func mask() throws {
        let f = try finder(LeakConfiguration(threshold: 0.5, cell: 64, minimumCells: 2, minimumDarkening: 0))
        let m = f.mask(map(), width: 400, height: 300)
        #expect(m.count == 3 * 128 * 128)
        #expect(m[0, 0] && m[255, 127] && m[200, 200] && !m[100, 200] && !m[390, 290])
    }

    @Test("a frame is reduced to the classifier's scale and every cell is scored")
    func cellMap() throws {
        let f = try finder()
        let img = textureFrame(width: 1600, height: 1000, seed: 4)
        let m = f.cellMap(img, threads: 2)
        #expect(m.factor == 3)  // 1600 / 768 rounded up
        #expect(m.width == 534 && m.height == 334)
        #expect(m.columns == 17 && m.rows == 11)
        #expect(m.probabilities.count == 17 * 11)
        #expect(m.probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test("the reduction follows the GSD when known, the frame's size otherwise; coarse frames get none")
    func reduction() throws {
        let f = try finder()
        #expect(f.reduction(width: 4000, height: 3000, gsdMillimetres: 1) == 5)
        #expect(f.reduction(width: 4000, height: 3000, gsdMillimetres: 5) == 1)
        #expect(f.reduction(width: 4000, height: 3000, gsdMillimetres: 10) == 1)
        #expect(f.reduction(width: 4000, height: 3000, gsdMillimetres: 12) == nil)  // protocol R: coarser than 10 mm/px
        #expect(f.reduction(width: 3600, height: 2700, gsdMillimetres: 27.2) == nil)
        #expect(f.reduction(width: 1600, height: 1000, gsdMillimetres: nil) == 3)
        #expect(f.reduction(width: 500, height: 300, gsdMillimetres: nil) == 1)
    }

    @Test("tiny and one-row frames give a cell map and no crash", arguments: [(1, 1), (3, 2), (2000, 1), (1, 900)])
    func tinyFrames(width: Int, height: Int) throws {
        let f = try finder(LeakConfiguration(minimumCells: 1, minimumDarkening: 0))
        let img = textureFrame(width: width, height: height, seed: 1)
        let m = f.cellMap(img)
        #expect(m.probabilities.count == m.columns * m.rows && m.columns >= 1 && m.rows >= 1)
        #expect(f.mask(m, width: width, height: height).width == width)
        _ = f.findings(m)
    }

    @Test("leak detection is on by default and off when configured")
    func configuration() throws {
        let d = try committedDetector()
        #expect(d.leakFinder != nil)
        var c = d.configuration
        c.leaks = nil
        #expect(try Detector(configuration: c).leakFinder == nil)
    }

    @Test("a group no darker than the frame's dry cells is dropped (uniform concrete the classifier calls wet)")
    func darkening() throws {
        var m = map()
        // Wet cells (0, 1, 5) at gray 100, the dry cells at 140: 40 levels darker.
        m.means = (0..<12).map { [0, 1, 5].contains($0) ? 100 : 140 }
        let f = try finder(LeakConfiguration(threshold: 0.5, cell: 64, minimumCells: 2, minimumDarkening: 30))
        #expect(f.findings(m).count == 1)
        m.means = (0..<12).map { [0, 1, 5].contains($0) ? 125 : 140 }  // only 15 darker
        #expect(f.findings(m).isEmpty)
        // Every cell wet: nothing dry to compare with, no finding.
        var everywhere = LeakFinder.CellMap(columns: 4, rows: 3, factor: 2, cell: 64, width: 200, height: 150,
                                            probabilities: [Float](repeating: 0.9, count: 12))
        everywhere.means = [Float](repeating: 90, count: 12)
        #expect(f.findings(everywhere).isEmpty)
    }

    @Test("with pixel darkening a finding covers the darkened streak, also where it runs on into a neighbouring cell")
    func pixelRefinement() throws {
        var m = map()
        // The reduced frame: 140 everywhere, a dark vertical streak (gray 80) 10 px wide at x 40..<50 from y 10 to
        // y 140: through wet cells (0, 0) and (0, 1) (cell (0, 1) is dry in the map) and a dark spot far away in dry
        // cell (3, 0) that must not join.
        var g = PixelBuffer(width: 200, height: 150, format: .gray8)
        for y in 0..<150 { for x in 0..<200 {
            let streak = x >= 40 && x < 50 && y >= 10 && y < 140, spot = x >= 195 && y < 20
            g.bytes[y * g.rowStride + x] = streak || spot ? 80 : 140
        } }
        m.reduced = g
        m.means = (0..<12).map { [0, 1, 5].contains($0) ? 100 : 140 }
        var c = LeakConfiguration(threshold: 0.5, cell: 64, minimumCells: 2, minimumDarkening: 30)
        #expect(c.pixelDarkening == 20)
        c.pixelDarkening = nil
        let cells = try finder(c).mask(m, width: 400, height: 300)
        #expect(cells.count == 3 * 128 * 128)
        c.pixelDarkening = 20
        let f = try finder(c)
        let px = f.mask(m, width: 400, height: 300)
        // The streak at frame scale (factor 2): 10-12 px wide and 130-132 px long at the reduced scale (the 5×5
        // mean blurs its edges by a pixel).
        #expect(px.count >= 4 * 10 * 130 && px.count <= 4 * 12 * 132, "\(px.count) pixels")
        #expect(px[90, 100] && px[90, 270] && !px[60, 100] && !px[200, 100] && !px[395, 10])
        let leak = try #require(f.findings(m).first)
        #expect(leak.areaPx == Double(px.count))
        #expect(leak.bbox.x >= 76 && leak.bbox.x + leak.bbox.width <= 104 && leak.bbox.height >= 240)
        // Nothing that dark: whole cells stay.
        c.pixelDarkening = 90
        #expect(try finder(c).mask(m, width: 400, height: 300).count == 3 * 128 * 128)
    }
}
