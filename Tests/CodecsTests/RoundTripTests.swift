import Testing
import ImagingCore
import TestSupport
@testable import Codecs

@Suite("Encoding round trips")
struct RoundTripTests {
    @Test("PNG round trip is lossless", arguments: [PixelFormat.gray8, .rgb8, .rgba8], [1, 7, 64, 129])
    func png(format: PixelFormat, width: Int) throws {
        let img = TestSupport.randomImage(width: width, height: 13, format: format, seed: UInt64(width))
        let back = try PNGDecoder.decode(ImageEncoder.png(img), options: .init(format: format))
        #expect(back == img)
    }

    @Test("JPEG round trip stays close on a smooth image", arguments: [PixelFormat.gray8, .rgb8])
    func jpeg(format: PixelFormat) throws {
        var img = PixelBuffer(width: 97, height: 45, format: format)
        for y in 0..<45 { for x in 0..<97 { for c in 0..<format.channels {
            img[x, y, channel: c] = UInt8((x * 2 + y * 3 + c * 20) / 2 + 40)
        } } }
        let bytes = try ImageEncoder.jpeg(img, quality: 95)
        #expect(ImageFileFormat.sniff(bytes) == .jpeg)
        let back = try JPEGDecoder.decode(bytes, options: .init(format: format))
        #expect(back.width == 97 && back.height == 45)
        let d = TestSupport.difference(back, img)
        #expect(d.mean < 2.0, "mean \(d.mean) max \(d.max)")
    }

    @Test("odd strides are honoured when encoding")
    func stride() throws {
        let img = TestSupport.randomImage(width: 5, height: 3, format: .rgb8, seed: 3, rowStride: 17)
        let back = try PNGDecoder.decode(ImageEncoder.png(img), options: .init(format: .rgb8))
        #expect(back == img)
    }

    @Test("empty images are refused")
    func empty() {
        let img = PixelBuffer(width: 0, height: 4, format: .gray8)
        #expect(throws: CodecError.zeroSize) { try ImageEncoder.png(img) }
        #expect(throws: CodecError.zeroSize) { try ImageEncoder.jpeg(img) }
    }
}
