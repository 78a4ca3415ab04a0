import Testing
@testable import ImagingCore

@Suite("Drawing and geometry")
struct DrawingTests {
    @Test("a line touches both ends and every column between")
    func line() {
        var img = PixelBuffer(width: 20, height: 10, format: .rgb8)
        img.drawLine(x0: 1, y0: 1, x1: 18, y1: 8, color: [255, 0, 0])
        #expect(img[1, 1, channel: 0] == 255 && img[18, 8, channel: 0] == 255)
        for x in 1...18 { #expect((0..<10).contains { img[x, $0, channel: 0] == 255 }) }
        #expect(img[1, 1, channel: 1] == 0)
    }

    @Test("rectangle outline and gray to RGB")
    func rect() {
        var img = PixelBuffer(width: 10, height: 10, format: .gray8)
        img.drawRect(Rect(x: 2, y: 3, width: 5, height: 4), color: [200])
        #expect(img[2, 3] == 200 && img[6, 6] == 200 && img[4, 4] == 0)
        let rgb = img.rgbCopy()
        #expect(rgb.format == .rgb8 && rgb[6, 6, channel: 2] == 200)
    }

    @Test("EXIF orientations: 6 then 8 is the identity, 3 twice is the identity", arguments: [(6, 8), (3, 3), (2, 2), (5, 5), (7, 7), (4, 4)])
    func orientation(pair: (Int, Int)) {
        var img = PixelBuffer(width: 5, height: 3, format: .rgb8)
        for i in img.bytes.indices { img.bytes[i] = UInt8(i % 251) }
        let back = img.applyingEXIFOrientation(pair.0).applyingEXIFOrientation(pair.1)
        #expect(back == img)
    }

    @Test("regions share storage and copy out exactly")
    func region() {
        var img = PixelBuffer(width: 8, height: 6, format: .gray8)
        for y in 0..<6 { for x in 0..<8 { img[x, y] = UInt8(y * 8 + x) } }
        let r = img.region(Rect(x: 2, y: 1, width: 3, height: 2))
        #expect(r[0, 0] == 10 && r[2, 1] == 20)
        let c = r.copy()
        #expect(c.width == 3 && c[1, 1] == 19)
    }
}
