import Foundation
import Testing
@testable import Metadata

@Suite("JPEG marker structure")
struct JPEGStructureTests {
    static let exif = TIFFBuilder.exifPayload(EXIFStructureTests.sample(bigEndian: false).build())

    @Test("Not a JPEG: empty, PNG signature, text")
    func notAJPEG() {
        #expect(throws: MetadataError.notAJPEG) { try ImageMetadata.parse(jpeg: [UInt8]()) }
        #expect(throws: MetadataError.notAJPEG) { try ImageMetadata.parse(jpeg: [0xFF]) }
        #expect(throws: MetadataError.notAJPEG) {
            try ImageMetadata.parse(jpeg: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        }
        #expect(throws: MetadataError.notAJPEG) { try ImageMetadata.parse(jpeg: Array("hello".utf8)) }
    }

    @Test("APP1 length past the end of the data")
    func truncatedSegment() {
        let jpeg = TIFFBuilder.jpeg(app1: [Self.exif])
        let cut = Array(jpeg.prefix(40))  // inside APP1, which starts at offset 20
        #expect(throws: MetadataError.truncatedSegment(marker: 0xE1, offset: 20)) {
            try ImageMetadata.parse(jpeg: cut)
        }
        // Only the marker and one length byte.
        #expect(throws: MetadataError.truncatedSegment(marker: 0xE1, offset: 20)) {
            try ImageMetadata.parse(jpeg: Array(jpeg.prefix(23)))
        }
    }

    @Test("Data ends between segments, before SOS")
    func unexpectedEnd() {
        let jpeg = TIFFBuilder.jpeg(app1: [Self.exif])
        let end = 20 + 4 + Self.exif.count
        #expect(throws: MetadataError.unexpectedEnd(offset: end)) { try ImageMetadata.parse(jpeg: Array(jpeg.prefix(end))) }
        #expect(throws: MetadataError.unexpectedEnd(offset: 2)) { try ImageMetadata.parse(jpeg: [0xFF, 0xD8]) }
    }

    @Test("Garbage where a marker should be; length below 2")
    func invalidMarker() {
        var jpeg = TIFFBuilder.jpeg(app1: [Self.exif])
        jpeg[20] = 0x12
        #expect(throws: MetadataError.invalidMarker(offset: 20)) { try ImageMetadata.parse(jpeg: jpeg) }
        #expect(throws: MetadataError.invalidMarker(offset: 2)) {
            try ImageMetadata.parse(jpeg: [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 0xFF, 0xD9])
        }
    }

    @Test("No APP1 at all: empty metadata")
    func noMetadata() throws {
        let m = try ImageMetadata.parse(jpeg: TIFFBuilder.jpeg(app1: []))
        #expect(m == ImageMetadata())
    }

    @Test("Nothing after SOS is read: an APP1 lookalike in the scan data is ignored")
    func stopsAtSOS() throws {
        let trailer: [UInt8] = [0xFF, 0xDA, 0x00, 0x02] + [0xFF, 0xE1, 0x00, 0x05, 1, 2, 3] + [0xFF, 0xE1, 0xFF]
        let m = try ImageMetadata.parse(jpeg: TIFFBuilder.jpeg(app1: [], trailer: trailer))
        #expect(m == ImageMetadata())
    }

    @Test("Fill bytes and RST markers between segments are skipped")
    func fillBytes() throws {
        var jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xD0]
        jpeg += [0xFF, 0xE1, UInt8((Self.exif.count + 2) >> 8), UInt8((Self.exif.count + 2) & 0xFF)] + Self.exif
        jpeg += [0xFF, 0xD9]
        #expect(try ImageMetadata.parse(jpeg: jpeg).make == "DJI")
    }

    @Test("The first EXIF and the first XMP APP1 are used")
    func firstOfEach() throws {
        let other = TIFFBuilder.exifPayload(TIFFBuilder(bigEndian: true, ifds: [[(0x010F, .ascii("Other"))]]).build())
        let xmp = TIFFBuilder.xmpPayload(#"<x:xmpmeta><rdf:Description drone-dji:RelativeAltitude="+40.5"/></x:xmpmeta>"#)
        let xmp2 = TIFFBuilder.xmpPayload(#"<rdf:Description drone-dji:RelativeAltitude="7"/>"#)
        let m = try ImageMetadata.parse(jpeg: TIFFBuilder.jpeg(app1: [Self.exif, xmp, other, xmp2]))
        #expect(m.make == "DJI")
        #expect(m.relativeAltitude == 40.5)
    }
}
