import Codecs
import Findings
import ImagingCore
import Kernels
import Testing
@testable import Inspection

/// The surface map on real drone frames (1200 × 900 crops of the CC0 garfield flight, about 32 mm per pixel) and the
/// leak check against shadows, ponds and patches off the pavement.
@Suite("Surface map")
struct SurfaceMapTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/InspectionTests/Fixtures/surface")

    static func frame(_ name: String) throws -> PixelBuffer {
        try ImageDecoder.decode(path: fixtures.appendingPathComponent(name).path).pixels
    }

    /// Share of the cells whose centre lies in the rectangle that have the class.
    static func share(_ m: SurfaceMap, _ cls: SurfaceClass, x0: Int, y0: Int, x1: Int, y1: Int) -> Double {
        var n = 0, hit = 0
        for r in 0..<m.rows { for c in 0..<m.columns {
            let cx = c * m.cell + m.cell / 2, cy = r * m.cell + m.cell / 2
            guard cx >= x0 && cx < x1 && cy >= y0 && cy < y1 else { continue }
            n += 1
            if m.classes[r * m.columns + c] == cls { hit += 1 }
        } }
        return n == 0 ? 0 : Double(hit) / Double(n)
    }

    @Test("a parking lot is paved, the woods beside it are not")
    func parkingAndWoods() throws {
        let m = SurfaceMap.compute(try Self.frame("garfield-0000-parking-woods.jpg"), gsdMillimetres: 32)
        #expect(m.cell == 31)
        #expect(Self.share(m, .paved, x0: 0, y0: 0, x1: 600, y1: 900) > 0.9)
        #expect(Self.share(m, .paved, x0: 880, y0: 0, x1: 1200, y1: 900) < 0.1)
        #expect(m.pavedFraction > 0.4 && m.pavedFraction < 0.75)
    }

    @Test("a lawn is vegetation, the parking lot beside it paved")
    func lawnAndParking() throws {
        let m = SurfaceMap.compute(try Self.frame("garfield-0091-lawn-parking.jpg"), gsdMillimetres: 32)
        #expect(Self.share(m, .vegetation, x0: 0, y0: 0, x1: 900, y1: 900) > 0.95)
        #expect(Self.share(m, .paved, x0: 1080, y0: 0, x1: 1200, y1: 900) > 0.8)
    }

    @Test("a close-up with a colour cast stays paved; gray frames are paved everywhere")
    func closeUps() throws {
        // A green-tinted asphalt close-up: every cell moves alike, so none stands out as vegetation.
        var tinted = PixelBuffer(width: 320, height: 240, format: .rgb8)
        var rng = SystemRandomNumberGenerator()
        for y in 0..<240 { for x in 0..<320 {
            let v = Int.random(in: 70...110, using: &rng), o = y * tinted.rowStride + 3 * x
            tinted.bytes[o] = UInt8(v); tinted.bytes[o + 1] = UInt8(v + 40); tinted.bytes[o + 2] = UInt8(v)
        } }
        #expect(SurfaceMap.compute(tinted, gsdMillimetres: nil).pavedFraction == 1)
        // The same texture seen from the air at 30 mm/px: absolutely green, so vegetation.
        #expect(SurfaceMap.compute(tinted, gsdMillimetres: 30).pavedFraction == 0)
        let gray = ColorConversion.gray(try Self.frame("garfield-0091-lawn-parking.jpg"))
        #expect(SurfaceMap.compute(gray, gsdMillimetres: nil).pavedFraction == 1)
        #expect(SurfaceMap.compute(PixelBuffer(width: 0, height: 0, format: .rgb8), gsdMillimetres: 10).classes.isEmpty)
    }

    /// A square outline (frame pixels).
    static func square(_ x: Double, _ y: Double, _ side: Double) -> [[Double]] {
        [[x, y], [x + side, y], [x + side, y + side], [x, y + side]]
    }

    static func leak(_ outline: [[Double]], areaM2: Double? = nil) -> Finding {
        var f = Finding(defectClass: .leak, subtype: nil, confidence: 0.9, bbox: BoundingBox(x: 0, y: 0, width: 1, height: 1),
                        outline: outline, lengthPx: nil, widthPx: nil, areaPx: nil)
        f.areaM2 = areaM2
        return f
    }

    /// The parking-lot frame with a square darkened per channel (red, green, blue factors).
    static func darkened(_ factors: SIMD3<Float>, x0: Int, y0: Int, side: Int) throws -> PixelBuffer {
        var px = try frame("garfield-0000-parking-woods.jpg")
        for y in y0..<(y0 + side) { for x in x0..<(x0 + side) {
            let o = y * px.rowStride + 3 * x
            for c in 0..<3 { px.bytes[o + c] = UInt8(min(255, Float(px.bytes[o + c]) * factors[c])) }
        } }
        return px
    }

    @Test("a darker bluer patch on asphalt is a shadow; a neutral darkening is a wet patch",
          arguments: [SIMD3<Float>(0.35, 0.42, 0.6), SIMD3<Float>(0.55, 0.58, 0.68)])
    func shadowAgainstWet(skylight: SIMD3<Float>) throws {
        let check = LeakSurfaceCheck()
        let outline = Self.square(150, 300, 250)
        // Skylight alone: the direct sun's warm light removed (blue keeps most, red least). The shadow stays
        // surface (cracks are still looked for in it) but is no leak.
        let shadow = try Self.darkened(skylight, x0: 150, y0: 300, side: 250)
        let sm = SurfaceMap.compute(shadow, gsdMillimetres: 32)
        #expect(Self.share(sm, .paved, x0: 180, y0: 330, x1: 370, y1: 520) == 1)
        #expect(check.verdict(Self.leak(outline), surface: sm) == .shadow)
        // Water: the same darkening in every channel (a wet stain is if anything browner).
        let wet = try Self.darkened(SIMD3(0.55, 0.55, 0.53), x0: 150, y0: 300, side: 250)
        let wm = SurfaceMap.compute(wet, gsdMillimetres: 32)
        #expect(check.verdict(Self.leak(outline), surface: wm) == .leak)
        let ctx = LeakSurfaceCheck.context(outline: outline, surface: wm)
        #expect(ctx.brightnessRatio < 0.7 && abs(ctx.blueShift) < 0.02)
    }

    @Test("patches in the woods, beside the road or too large are not leaks")
    func offThePavement() throws {
        let check = LeakSurfaceCheck()
        let m = SurfaceMap.compute(try Self.frame("garfield-0000-parking-woods.jpg"), gsdMillimetres: 32)
        #expect(check.verdict(Self.leak(Self.square(900, 300, 250)), surface: m) == .offSurface)
        // A pond in a lawn: dark neutral water (paved by colour) that the pavement does not surround.
        var pond = try Self.frame("garfield-0091-lawn-parking.jpg")
        for y in 300..<500 { for x in 300..<600 {
            let o = y * pond.rowStride + 3 * x
            pond.bytes[o] = 52; pond.bytes[o + 1] = 54; pond.bytes[o + 2] = 56
        } }
        let pm = SurfaceMap.compute(pond, gsdMillimetres: 32)
        #expect(check.verdict(Self.leak([[300, 300], [600, 300], [600, 500], [300, 500]]), surface: pm) == .notSurrounded)
        #expect(check.verdict(Self.leak(Self.square(150, 300, 250), areaM2: 130), surface: m) == .tooLarge)
        #expect(check.verdict(Self.leak(Self.square(150, 300, 250), areaM2: 12), surface: m) == .leak)
    }

    @Test("the network's box in a tile: the paved cells it meets, one cell wider, cut to the tile")
    func pavedBounds() {
        // 6 × 4 cells of 10 px; paved: cells (2, 1) and (3, 2).
        var classes = [SurfaceClass](repeating: .vegetation, count: 24)
        classes[1 * 6 + 2] = .paved
        classes[2 * 6 + 3] = .paved
        let map = SurfaceMap(width: 60, height: 40, cell: 10, columns: 6, rows: 4, classes: classes,
                             colours: [SIMD3<Float>](repeating: SIMD3(90, 90, 90), count: 24))
        #expect(map.pavedBounds(x: 0, y: 0, width: 60, height: 40, pad: 0)! == (20, 10, 20, 20))
        #expect(map.pavedBounds(x: 0, y: 0, width: 60, height: 40, pad: 1)! == (10, 0, 40, 40))
        // A tile meeting only cell (3, 2): its box, one cell wider, cut to the tile.
        #expect(map.pavedBounds(x: 35, y: 25, width: 25, height: 15, pad: 1)! == (35, 25, 15, 15))
        #expect(map.pavedBounds(x: 0, y: 25, width: 25, height: 15, pad: 1) == nil)
        #expect(map.pavedBounds(x: 0, y: 0, width: 0, height: 10, pad: 1) == nil)
    }

    @Test("the network's columns row by row: on each pixel row the paved cells of the cell rows near it, one cell wider")
    func pavedSpans() throws {
        // 6 × 4 cells of 10 px; paved: cells (1, 0) and (4, 3): a diagonal that a box would fill.
        var classes = [SurfaceClass](repeating: .vegetation, count: 24)
        classes[0 * 6 + 1] = .paved
        classes[3 * 6 + 4] = .paved
        let map = SurfaceMap(width: 60, height: 40, cell: 10, columns: 6, rows: 4, classes: classes,
                             colours: [SIMD3<Float>](repeating: SIMD3(90, 90, 90), count: 24))
        let tight = try #require(map.pavedSpans(x: 0, y: 0, width: 60, height: 40, pad: 0))
        #expect(tight.box == (10, 0, 40, 40))
        #expect(tight.spans == [Range](repeating: 10..<20, count: 10) + [Range](repeating: 0..<0, count: 20)
                + [Range](repeating: 40..<50, count: 10))
        let padded = try #require(map.pavedSpans(x: 0, y: 0, width: 60, height: 40, pad: 1))
        #expect(padded.box == (0, 0, 60, 40) && padded.box == map.pavedBounds(x: 0, y: 0, width: 60, height: 40, pad: 1)!)
        // Cell rows 0-1 see only (1, 0), rows 2-3 only (4, 3): where the box is 60 px wide, the spans are 30.
        #expect(padded.spans == [Range](repeating: 0..<30, count: 20) + [Range](repeating: 30..<60, count: 20))
        // Cut to a tile (rows 15..<35, columns 5..<45, cell rows 1-3): only (4, 3) lies in it.
        let cut = try #require(map.pavedSpans(x: 5, y: 15, width: 40, height: 20, pad: 1))
        #expect(cut.box == (30, 20, 15, 15) && cut.box == map.pavedBounds(x: 5, y: 15, width: 40, height: 20, pad: 1)!)
        #expect(cut.spans == [Range](repeating: 30..<45, count: 15))
        #expect(map.pavedSpans(x: 20, y: 10, width: 20, height: 10, pad: 0) == nil)
    }

    @Test("frame spans as a working tile's cut: each working row covers the frame rows it reduces, widened outward")
    func workingCut() {
        let frame = (box: (x: 3, y: 4, width: 10, height: 4), spans: [3..<7, 0..<0, 5..<13, 4..<8])
        let cut = Detector.workingCut(frame, factor: 2, tile: (0, 0, 8, 8))
        #expect(cut.box == (1, 2, 6, 2))
        #expect(cut.spans == [1..<4, 2..<7])
        #expect(cut.pixels == 8 && cut.columns(ofRow: 3) == 2..<7)
        let same = Detector.workingCut(frame, factor: 1, tile: (0, 0, 16, 16))
        #expect(same.box == (3, 4, 10, 4) && same.spans == frame.spans)
    }
}
