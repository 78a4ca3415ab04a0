import Foundation
import Testing
@testable import Metadata

/// DJI XMP packets built from the documented `drone-dji:` tag table (exiftool's DJI XMP tags):
/// GpsLatitude, GpsLongitude / GpsLongtitude, AbsoluteAltitude, RelativeAltitude, Gimbal{Pitch,Yaw,Roll}Degree,
/// Flight{Yaw,Pitch,Roll}Degree, RtkFlag, RtkStd{Lon,Lat,Hgt}, CalibratedFocalLength, CalibratedOpticalCenter{X,Y}.
@Suite("DJI XMP")
struct DJIXMPTests {
    static let values: [(String, String)] = [
        ("GpsLatitude", "+22.54021844"), ("GpsLongitude", "+113.93852381"),
        ("AbsoluteAltitude", "+86.375"), ("RelativeAltitude", "+60.100"),
        ("GimbalRollDegree", "+0.00"), ("GimbalYawDegree", "-52.40"), ("GimbalPitchDegree", "-89.90"),
        ("FlightRollDegree", "+1.20"), ("FlightYawDegree", "-51.80"), ("FlightPitchDegree", "-3.40"),
        ("RtkFlag", "50"), ("RtkStdLon", "0.01234"), ("RtkStdLat", "0.01456"), ("RtkStdHgt", "0.02310"),
        ("CalibratedFocalLength", "3666.666504"),
        ("CalibratedOpticalCenterX", "2736.000000"), ("CalibratedOpticalCenterY", "1824.000000"),
    ]

    /// The packet DJI firmware writes: one rdf:Description with the tags as attributes.
    static func attributePacket(_ tags: [(String, String)], prefix: String = "drone-dji") -> String {
        let attrs = tags.map { "   \(prefix):\($0.0)=\"\($0.1)\"" }.joined(separator: "\n")
        return """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/">
         <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
          <rdf:Description rdf:about="DJI Meta Data"
            xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
            xmlns:\(prefix)="http://www.dji.com/drone-dji/1.0/"
           tiff:Make="DJI"
           tiff:Model="FC6310R"
        \(attrs)>
          </rdf:Description>
         </rdf:RDF>
        </x:xmpmeta>
        <?xpacket end="w"?>
        """
    }

    /// The same tags as child elements (as written after a round trip through Adobe tools / exiftool).
    static func elementPacket(_ tags: [(String, String)]) -> String {
        let elements = tags.map { "   <drone-dji:\($0.0)>\($0.1)</drone-dji:\($0.0)>" }.joined(separator: "\n")
        return """
        <x:xmpmeta xmlns:x='adobe:ns:meta/'>
        <rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>
         <rdf:Description rdf:about='' xmlns:drone-dji='http://www.dji.com/drone-dji/1.0/'>
        \(elements)
         </rdf:Description>
        </rdf:RDF>
        </x:xmpmeta>
        """
    }

    static func check(_ m: ImageMetadata) {
        #expect(m.latitude == 22.54021844)
        #expect(m.longitude == 113.93852381)
        #expect(m.positionSource == .djiXMP)
        #expect(m.absoluteAltitude == 86.375)
        #expect(m.relativeAltitude == 60.1)
        #expect(m.gimbalPitch == -89.9 && m.gimbalYaw == -52.4 && m.gimbalRoll == 0)
        #expect(m.flightYaw == -51.8 && m.flightPitch == -3.4 && m.flightRoll == 1.2)
        #expect(m.rtkFlag == 50)
        #expect(m.rtkStdLon == 0.01234 && m.rtkStdLat == 0.01456 && m.rtkStdHgt == 0.0231)
        #expect(m.calibratedFocalLength == 3666.666504)
        #expect(m.opticalCenterX == 2736 && m.opticalCenterY == 1824)
    }

    static func parse(_ packet: String) throws -> ImageMetadata {
        try ImageMetadata.parse(jpeg: TIFFBuilder.jpeg(app1: [TIFFBuilder.xmpPayload(packet)]))
    }

    @Test("Attributes with the GpsLongitude spelling")
    func attributes() throws {
        let m = try Self.parse(Self.attributePacket(Self.values))
        Self.check(m)
        #expect(m.make == "DJI" && m.model == "FC6310R")
    }

    @Test("Attributes with the firmware's GpsLongtitude spelling")
    func longtitude() throws {
        let tags = Self.values.map { $0.0 == "GpsLongitude" ? ("GpsLongtitude", $0.1) : $0 }
        Self.check(try Self.parse(Self.attributePacket(tags)))
    }

    @Test("Elements instead of attributes, both spellings", arguments: ["GpsLongitude", "GpsLongtitude"])
    func elements(spelling: String) throws {
        let tags = Self.values.map { $0.0 == "GpsLongitude" ? (spelling, $0.1) : $0 }
        Self.check(ImageMetadata.parse(xmp: Array(Self.elementPacket(tags).utf8)))
        Self.check(try Self.parse(Self.elementPacket(tags)))
    }

    @Test("Prefixes are resolved through xmlns, not by name")
    func otherPrefix() throws {
        Self.check(try Self.parse(Self.attributePacket(Self.values, prefix: "dji")))
        // An unknown namespace with DJI's local names is not DJI.
        let foreign = Self.attributePacket(Self.values, prefix: "drone-dji")
            .replacingOccurrences(of: "http://www.dji.com/drone-dji/1.0/", with: "http://example.com/other/")
        let m = try Self.parse(foreign)
        #expect(m.relativeAltitude == nil && m.latitude == nil)
    }

    @Test("Missing tags stay nil", arguments: 0..<values.count)
    func missing(index: Int) throws {
        var tags = Self.values
        let (name, _) = tags.remove(at: index)
        let m = try Self.parse(Self.attributePacket(tags))
        var expected = try Self.parse(Self.attributePacket(Self.values))
        switch name {
        case "GpsLatitude", "GpsLongitude":
            (expected.latitude, expected.longitude, expected.positionSource) = (nil, nil, nil)
        case "AbsoluteAltitude": expected.absoluteAltitude = nil
        case "RelativeAltitude": expected.relativeAltitude = nil
        case "GimbalRollDegree": expected.gimbalRoll = nil
        case "GimbalYawDegree": expected.gimbalYaw = nil
        case "GimbalPitchDegree": expected.gimbalPitch = nil
        case "FlightRollDegree": expected.flightRoll = nil
        case "FlightYawDegree": expected.flightYaw = nil
        case "FlightPitchDegree": expected.flightPitch = nil
        case "RtkFlag": expected.rtkFlag = nil
        case "RtkStdLon": expected.rtkStdLon = nil
        case "RtkStdLat": expected.rtkStdLat = nil
        case "RtkStdHgt": expected.rtkStdHgt = nil
        case "CalibratedFocalLength": expected.calibratedFocalLength = nil
        case "CalibratedOpticalCenterX": expected.opticalCenterX = nil
        case "CalibratedOpticalCenterY": expected.opticalCenterY = nil
        default: Issue.record("unexpected tag \(name)")
        }
        #expect(m == expected)
    }

    @Test("Garbage values drop their tag only")
    func garbage() throws {
        let garbage: [String: String] = [
            "GpsLatitude": "91.5", "RelativeAltitude": "abc", "GimbalPitchDegree": "nan",
            "GimbalYawDegree": "1e400", "RtkFlag": "50.5", "RtkStdLon": "-1", "CalibratedFocalLength": "0",
            "FlightYawDegree": "",
        ]
        let tags = Self.values.map { (name, value) in (name, garbage[name] ?? value) }
        let m = try Self.parse(Self.attributePacket(tags))
        #expect(m.latitude == nil && m.longitude == nil)  // a position needs both
        #expect(m.relativeAltitude == nil && m.gimbalPitch == nil && m.gimbalYaw == nil)
        #expect(m.rtkFlag == nil && m.rtkStdLon == nil && m.calibratedFocalLength == nil && m.flightYaw == nil)
        #expect(m.absoluteAltitude == 86.375 && m.gimbalRoll == 0 && m.rtkStdLat == 0.01456)
    }

    @Test("Position 0,0 (no GPS fix) is not a position")
    func nullIsland() throws {
        let tags = Self.values.map { $0.0.hasPrefix("Gps") ? ($0.0, "0.000000") : $0 }
        let m = try Self.parse(Self.attributePacket(tags))
        #expect(!m.hasPosition)
        #expect(m.relativeAltitude == 60.1)
    }

    @Test("EXIF GPS wins over the XMP position; XMP fields are added")
    func exifWins() throws {
        let exif = TIFFBuilder.exifPayload(EXIFStructureTests.sample(bigEndian: true).build())
        let xmp = TIFFBuilder.xmpPayload(Self.attributePacket(Self.values))
        let m = try ImageMetadata.parse(jpeg: TIFFBuilder.jpeg(app1: [exif, xmp]))
        #expect(m.positionSource == .exifGPS)
        #expect(try #require(m.latitude) < 0)
        #expect(m.relativeAltitude == 60.1)
        #expect(m.model == "FC6310")  // EXIF model, not the XMP one
    }

    @Test("Broken XML never fails the file", arguments: [
        "<", "<rdf:Description drone-dji:RelativeAltitude=\"12", "<a b=c d='1'", "<<<>>>", "</x>", "<!--",
        "<drone-dji:RelativeAltitude>5</drone-dji:RelativeAltitude", "\u{0}\u{FF}<x:y z=\"\">",
    ])
    func brokenXML(text: String) throws {
        _ = try Self.parse(text)
        _ = ImageMetadata.parse(xmp: Array(text.utf8))
    }

    @Test("Entities in values are decoded")
    func entities() {
        let packet = #"<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Make="A&amp;B &#x41;&#66;&lt;"/>"#
        #expect(ImageMetadata.parse(xmp: Array(packet.utf8)).make == "A&B AB<")
    }
}
