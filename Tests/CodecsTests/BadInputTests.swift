import Foundation
import Testing
import ImagingCore
@testable import Codecs

@Suite("Bad input gives a named error, never a crash")
struct BadInputTests {
    @Test("zero-length input")
    func empty() {
        #expect(throws: CodecError.empty) { try ImageDecoder.decode([]) }
        #expect(throws: CodecError.empty) { try JPEGDecoder.decode([]) }
        #expect(throws: CodecError.empty) { try PNGDecoder.decode([]) }
    }

    @Test("non-image bytes")
    func notAnImage() {
        let text = Array("hello, this is not an image at all".utf8)
        #expect(throws: CodecError.unrecognizedFormat) { try ImageDecoder.decode(text) }
    }

    @Test("wrong extension: the format-specific decoders name the mismatch; the generic decoder sniffs content")
    func wrongExtension() throws {
        let png = try fixture("rgb.png")
        #expect(throws: CodecError.formatMismatch(expected: .jpeg, found: .png)) { try JPEGDecoder.decode(png) }
        let jpg = try fixture("baseline.jpg")
        #expect(throws: CodecError.formatMismatch(expected: .png, found: .jpeg)) { try PNGDecoder.decode(jpg) }
        // A PNG saved as frame.jpg still decodes through ImageDecoder, by its content.
        #expect(try ImageDecoder.decode(png).fileFormat == .png)
    }

    @Test("truncated JPEG at many cut points", arguments: [3, 20, 200, 600, 2000, 8000, 15000, 18000])
    func truncatedJPEG(cut: Int) throws {
        let bytes = Array(try fixture("baseline.jpg").prefix(cut))
        do {
            _ = try JPEGDecoder.decode(bytes)
            Issue.record("decoded a truncated file")
        } catch let e as CodecError {
            switch e {
            case .truncated, .corrupt: break
            default: Issue.record("cut \(cut): unexpected \(e)")
            }
            if cut >= 2000 { #expect(e == .truncated(e.detail), "cut \(cut): \(e)") }
        }
    }

    @Test("truncated PNG", arguments: [8, 30, 100, 5000, 60000, 89000])
    func truncatedPNG(cut: Int) throws {
        let bytes = Array(try fixture("rgb.png").prefix(cut))
        #expect(throws: CodecError.self) { try PNGDecoder.decode(bytes) }
        do { _ = try PNGDecoder.decode(bytes) } catch let e as CodecError {
            if cut >= 100 { #expect(e == .truncated(e.detail), "cut \(cut): \(e)") }
        }
    }

    @Test("corrupt JPEG entropy data and corrupt PNG data")
    func corrupt() throws {
        var jpg = try fixture("baseline.jpg")
        // Overwrite the start of the Huffman tables / scan with garbage.
        for i in 150..<1500 { jpg[i] = UInt8(truncatingIfNeeded: i &* 37) }
        #expect(throws: CodecError.self) { try JPEGDecoder.decode(jpg) }
        var png = try fixture("rgb.png")
        for i in 200..<400 { png[i] ^= 0x5A }
        do {
            _ = try PNGDecoder.decode(png)
            Issue.record("decoded a corrupt PNG")
        } catch let e as CodecError {
            if case .corrupt = e {} else { Issue.record("expected corrupt, got \(e)") }
        }
    }

    @Test("huge dimensions are refused from the header, before allocating")
    func huge() throws {
        // A JPEG header claiming 60000x60000 (3.6 gigapixels): patch the SOF0 size fields of a real file.
        var jpg = try fixture("baseline.jpg")
        let sof = try #require(sofOffset(jpg))
        jpg[sof + 3] = 0xEA; jpg[sof + 4] = 0x60   // height 60000
        jpg[sof + 5] = 0xEA; jpg[sof + 6] = 0x60   // width 60000
        #expect(throws: CodecError.tooLarge(width: 60000, height: 60000, limit: DecodeOptions.defaultMaxPixels)) {
            try JPEGDecoder.decode(jpg)
        }
        // The limit is configurable.
        let small = try fixture("baseline.jpg")
        #expect(throws: CodecError.tooLarge(width: 243, height: 161, limit: 1000)) {
            try JPEGDecoder.decode(small, options: .init(maxPixels: 1000))
        }
        // PNG: IHDR claims 100000 x 100000 (CRC fixed so libpng reads the header).
        var png = try fixture("rgb.png")
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let crc = crc32(Array(png[12..<29]))
        png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        #expect(throws: CodecError.tooLarge(width: 100000, height: 100000, limit: DecodeOptions.defaultMaxPixels)) {
            try PNGDecoder.decode(png)
        }
    }

    @Test("a missing file is unreadable, naming the path")
    func missing() {
        #expect(throws: CodecError.unreadable(path: "/nonexistent/frame.jpg", reason: "no such file")) {
            try ImageDecoder.decode(path: "/nonexistent/frame.jpg")
        }
    }
}

func sofOffset(_ b: [UInt8]) -> Int? {
    var i = 2
    while i + 4 < b.count {
        guard b[i] == 0xFF else { return nil }
        let marker = b[i + 1]
        let len = Int(b[i + 2]) << 8 | Int(b[i + 3])
        if (0xC0...0xC2).contains(marker) { return i + 2 }
        i += 2 + len
    }
    return nil
}

func crc32(_ data: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in data {
        c ^= UInt32(b)
        for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
    }
    return ~c
}

extension CodecError {
    /// The message carried by ``truncated(_:)`` / ``corrupt(_:)`` (for comparisons in tests).
    var detail: String {
        switch self {
        case .truncated(let m), .corrupt(let m), .unsupported(let m), .encodeFailed(let m): m
        default: ""
        }
    }
}
