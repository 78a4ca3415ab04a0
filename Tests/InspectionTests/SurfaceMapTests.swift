import Codecs
import Findings
import ImagingCore
import Kernels
import Testing
@testable import Inspection

/// The surface map on real drone frames (crops of the CC0 garfield flight, reduced 3×, about 96 mm per pixel) and the
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
        let m = SurfaceMap.compute(try Self.frame("garfield-0000-parking-woods.jpg"), gsdMillimetres: 96)
        #expect(Self.share(m, .paved, x0: 40, y0: 0, x1: 400, y1: 380) > 0.9)
        #expect(Self.share(m, .paved, x0: 480, y0: 100, x1: 800, y1: 600) < 0.1)
        #expect(m.pavedFraction > 0.3 && m.pavedFraction < 0.6)
    }

    @Test("a lawn is vegetation, the parking lot beside it paved")
    func lawnAndParking() throws {
        let m = SurfaceMap.compute(try Self.frame("garfield-0091-lawn-parking.jpg"), gsdMillimetres: 96)
        #expect(Self.share(m, .vegetation, x0: 0, y0: 0, x1: 420, y1: 600) > 0.95)
        #expect(Self.share(m, .paved, x0: 470, y0: 150, x1: 800, y1: 600) > 0.85)
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

    @Test("a darker bluer patch on asphalt is a shadow; a neutral darkening is a wet patch")
    func shadowAgainstWet() throws {
        let check = LeakSurfaceCheck()
        let outline = Self.square(120, 100, 120)
        // Skylight alone: the direct sun's warm light removed (blue keeps most, red least).
        let shadow = try Self.darkened(SIMD3(0.35, 0.42, 0.6), x0: 120, y0: 100, side: 120)
        let sm = SurfaceMap.compute(shadow, gsdMillimetres: 96)
        #expect(check.verdict(Self.leak(outline), surface: sm) == .shadow)
        // Water: the same darkening in every channel (a wet stain is if anything browner).
        let wet = try Self.darkened(SIMD3(0.55, 0.55, 0.53), x0: 120, y0: 100, side: 120)
        let wm = SurfaceMap.compute(wet, gsdMillimetres: 96)
        #expect(check.verdict(Self.leak(outline), surface: wm) == .leak)
        let ctx = LeakSurfaceCheck.context(outline: outline, surface: wm)
        #expect(ctx.brightnessRatio < 0.7 && abs(ctx.blueShift) < 0.02)
    }

    @Test("patches in the woods, beside the road or too large are not leaks")
    func offThePavement() throws {
        let check = LeakSurfaceCheck()
        let m = SurfaceMap.compute(try Self.frame("garfield-0000-parking-woods.jpg"), gsdMillimetres: 96)
        #expect(check.verdict(Self.leak(Self.square(560, 200, 150)), surface: m) == .offSurface)
        // On the lot's edge towards the verge and woods: paved inside, mostly unpaved around.
        #expect(check.verdict(Self.leak([[400, 130], [470, 130], [470, 250], [400, 250]]), surface: m) != .leak)
        #expect(check.verdict(Self.leak(Self.square(120, 100, 120), areaM2: 130), surface: m) == .tooLarge)
        #expect(check.verdict(Self.leak(Self.square(120, 100, 120), areaM2: 12), surface: m) == .leak)
    }
}
