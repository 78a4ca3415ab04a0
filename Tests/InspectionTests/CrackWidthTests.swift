import ImagingCore
import Testing
@testable import Inspection

@Suite("Crack width from the gray levels")
struct CrackWidthTests {
    /// A horizontal crack of `width` px and `depth` gray levels on texture, and a region 2 px wider on each side
    /// (as the thresholded map gives), with its centre line.
    func crack(width: Int, depth: Int, regionMargin: Int = 2) -> (PixelBuffer, BinaryMask, SIMD2<Int>, [SIMD2<Int>]) {
        var img = textureFrame(width: 160, height: 80, seed: 9)
        let top = 40 - width / 2
        for y in top..<(top + width) { for x in 30..<130 {
            img.bytes[y * img.rowStride + x] = UInt8(max(0, Int(img.bytes[y * img.rowStride + x]) - depth))
        } }
        let y0 = top - regionMargin, h = width + 2 * regionMargin
        var region = BinaryMask(width: 100 + 2, height: h + 2)  // one off pixel around, as ConnectedComponents crops
        for y in 1...h { for x in 1...100 { region[x, y] = true } }
        let line = (30..<130).map { SIMD2($0, top + width / 2) }
        return (img, region, SIMD2(29, y0 - 1), line)
    }

    @Test("the equivalent width of a dark band is its width, whatever the region's margin", arguments: [1, 2, 4, 7])
    func band(width: Int) throws {
        for margin in [0, 2, 3] {
            let (img, region, origin, line) = crack(width: width, depth: 60, regionMargin: margin)
            let w = try #require(CrackWidth.equivalent(gray: img, region: region, origin: origin, centreLine: line,
                                                        lengthPx: 100))
            #expect(abs(w - Double(width)) <= 0.5, "width \(w) for \(width) px, region margin \(margin)")
        }
    }

    @Test("a crack too faint against its texture gives no width (the region's width is kept)")
    func faint() {
        let (img, region, origin, line) = crack(width: 4, depth: 3)
        #expect(CrackWidth.equivalent(gray: img, region: region, origin: origin, centreLine: line, lengthPx: 100) == nil)
    }

    @Test("a region at the frame's corner is measured without reading outside the frame")
    func corner() throws {
        var img = textureFrame(width: 40, height: 40, seed: 2)
        for y in 0..<3 { for x in 0..<40 { img.bytes[y * img.rowStride + x] = 60 } }
        var region = BinaryMask(width: 42, height: 7)
        for y in 1..<6 { for x in 1...40 { region[x, y] = true } }
        let w = try #require(CrackWidth.equivalent(gray: img, region: region, origin: SIMD2(-1, -1),
                                                    centreLine: (0..<40).map { SIMD2($0, 1) }, lengthPx: 40))
        #expect(abs(w - 3) <= 0.75, "width \(w)")
    }
}
