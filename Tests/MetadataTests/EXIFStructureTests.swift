import Foundation
import Testing
@testable import Metadata

/// Synthetic EXIF blocks written by `TIFFBuilder`, in both byte orders.
@Suite("EXIF structure")
struct EXIFStructureTests {
    /// IFD0 (Make, Model, Orientation, Exif and GPS pointers), Exif IFD, GPS IFD.
    static func sample(bigEndian: Bool, gps: [(tag: UInt16, value: TIFFBuilder.Value)]? = nil) -> TIFFBuilder {
        TIFFBuilder(bigEndian: bigEndian, ifds: [
            [(0x010F, .ascii("DJI")), (0x0110, .ascii("FC6310")), (0x0112, .short([6])),
             (0x8769, .ifdPointer(1)), (0x8825, .ifdPointer(2))],
            [(0x9003, .ascii("2024:05:17 09:30:15")), (0x9011, .ascii("+02:00")),
             (0x920A, .rational([(88, 10)])), (0xA405, .short([24])),
             (0xA002, .long([5472])), (0xA003, .short([3648]))],
            gps ?? [(0x0001, .ascii("S")), (0x0002, .rational([(33, 1), (51, 1), (3_150, 100)])),
                    (0x0003, .ascii("W")), (0x0004, .rational([(151, 1), (12, 1), (4_500, 1000)])),
                    (0x0005, .byte([1])), (0x0006, .rational([(125, 10)])),
                    (0x0007, .rational([(7, 1), (30, 1), (1_525, 100)])), (0x001D, .ascii("2024:05:17"))],
        ])
    }

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Double) -> Date {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (y, mo, d, h, mi, 0)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal.date(from: c)!.addingTimeInterval(s)
    }

    @Test("All fields, both byte orders", arguments: [false, true])
    func fields(bigEndian: Bool) throws {
        let jpeg = TIFFBuilder.jpeg(app1: [TIFFBuilder.exifPayload(Self.sample(bigEndian: bigEndian).build())])
        let m = try ImageMetadata.parse(jpeg: jpeg)
        #expect(m.make == "DJI")
        #expect(m.model == "FC6310")
        #expect(m.orientation == 6)
        #expect(m.focalLength == 8.8)
        #expect(m.focalLength35mm == 24)
        #expect(m.exifWidth == 5472 && m.exifHeight == 3648)
        // 09:30:15 at +02:00 is 07:30:15 UTC.
        #expect(m.captureTime == Self.utc(2024, 5, 17, 7, 30, 15))
        let lat = -(33 + 51.0 / 60 + 31.5 / 3600)
        let lon = -(151 + 12.0 / 60 + 4.5 / 3600)
        #expect(abs(try #require(m.latitude) - lat) < 1e-12)
        #expect(abs(try #require(m.longitude) - lon) < 1e-12)
        #expect(m.gpsAltitude == -12.5)  // ref 1 = below sea level
        #expect(m.gpsTime == Self.utc(2024, 5, 17, 7, 30, 15.25))
    }

    @Test("The same block in both byte orders gives equal metadata")
    func byteOrderSymmetry() throws {
        let le = try ImageMetadata.parse(exifTIFF: Self.sample(bigEndian: false).build())
        let be = try ImageMetadata.parse(exifTIFF: Self.sample(bigEndian: true).build())
        #expect(le == be)
        #expect(le.hasPosition)
    }

    @Test("Garbage in optional tags drops the tag, keeps the rest")
    func garbageTags() throws {
        var t = Self.sample(bigEndian: false, gps: [
            (0x0001, .ascii("N")), (0x0002, .rational([(33, 0), (51, 1), (0, 1)])),  // zero denominator
            (0x0003, .ascii("E")), (0x0004, .rational([(151, 1), (12, 1), (4_500, 1000)])),
            (0x0006, .rational([(1, 0)])),
            (0x0007, .rational([(25, 1), (0, 1), (0, 1)])), (0x001D, .ascii("2024:05:17")),  // hour 25
        ])
        t.ifds[0][2] = (0x0112, .short([9]))  // orientation out of 1...8
        t.ifds[1][2] = (0x920A, .raw(type: 5, count: 1, value: 0xFFFF_FF00))  // value offset far outside
        t.ifds[1][0] = (0x9003, .ascii("2024:13:45 99:00:00"))  // impossible date
        t.ifds[1].append((0xA405, .raw(type: 99, count: 1, value: 0)))  // unknown type
        let m = try ImageMetadata.parse(exifTIFF: t.build())
        #expect(m.latitude == nil && m.longitude == nil)
        #expect(m.gpsAltitude == nil)
        #expect(m.gpsTime == nil)
        #expect(m.orientation == nil)
        #expect(m.focalLength == nil)
        #expect(m.captureTime == nil)
        #expect(m.make == "DJI" && m.exifWidth == 5472)
    }

    @Test("Latitude above 90° or minutes ≥ 60 are dropped")
    func outOfRangeDegrees() throws {
        let t = Self.sample(bigEndian: true, gps: [
            (0x0001, .ascii("N")), (0x0002, .rational([(91, 1), (0, 1), (0, 1)])),
            (0x0003, .ascii("E")), (0x0004, .rational([(10, 1), (75, 1), (0, 1)])),
        ])
        let m = try ImageMetadata.parse(exifTIFF: t.build())
        #expect(m.latitude == nil)
    }

    @Test("Bad TIFF header")
    func badHeader() {
        var block = Self.sample(bigEndian: false).build()
        block[0] = 0x58
        #expect(throws: MetadataError.badTIFFHeader) { try ImageMetadata.parse(exifTIFF: block) }
        var magic = Self.sample(bigEndian: true).build()
        magic[3] = 43
        #expect(throws: MetadataError.badTIFFHeader) { try ImageMetadata.parse(exifTIFF: magic) }
        #expect(throws: MetadataError.badTIFFHeader) { try ImageMetadata.parse(exifTIFF: [0x49, 0x49, 42]) }
        // Through the JPEG path too.
        let jpeg = TIFFBuilder.jpeg(app1: [TIFFBuilder.exifPayload(Array(block.prefix(6)))])
        #expect(throws: MetadataError.badTIFFHeader) { try ImageMetadata.parse(jpeg: jpeg) }
    }

    @Test("IFD0 offset out of range")
    func ifd0OutOfRange() {
        var t = Self.sample(bigEndian: false)
        t.ifd0OffsetOverride = 0x7FFF_0000
        #expect(throws: MetadataError.ifdOffsetOutOfRange(offset: 0x7FFF_0000)) {
            try ImageMetadata.parse(exifTIFF: t.build())
        }
    }

    @Test("Sub-IFD pointer out of range")
    func subIFDOutOfRange() {
        var t = Self.sample(bigEndian: true)
        t.ifds[0][4] = (0x8825, .long([1_000_000]))
        #expect(throws: MetadataError.ifdOffsetOutOfRange(offset: 1_000_000)) {
            try ImageMetadata.parse(exifTIFF: t.build())
        }
    }

    @Test("IFD loop: the Exif pointer leads back to IFD0")
    func loop() {
        var t = Self.sample(bigEndian: false)
        t.ifds[0][3] = (0x8769, .ifdPointer(0))
        #expect(throws: MetadataError.ifdLoop(offset: 8)) { try ImageMetadata.parse(exifTIFF: t.build()) }
    }

    @Test("IFD entry table cut short")
    func truncatedIFD() {
        let block = Self.sample(bigEndian: false).build()
        // IFD0 has 5 entries (2 + 60 bytes from offset 8): cut inside it.
        #expect(throws: MetadataError.truncatedIFD(offset: 8)) {
            try ImageMetadata.parse(exifTIFF: Array(block.prefix(40)))
        }
    }
}
