#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bounds-checked reader of the TIFF structure inside an EXIF APP1 block.
struct EXIFReader {
    let tiff: [UInt8]
    private var bigEndian = false

    init(tiff: [UInt8]) { self.tiff = tiff }

    /// One IFD entry: tag, type, count and where its value lies.
    struct Entry {
        var tag: UInt16
        var type: UInt16
        var count: Int
        /// Offset of the value's first byte in `tiff` (inline or pointed to), already range-checked.
        var valueOffset: Int?
    }

    mutating func read(into meta: inout ImageMetadata) throws(MetadataError) {
        guard tiff.count >= 8 else { throw .badTIFFHeader }
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: throw .badTIFFHeader
        }
        guard u16(2) == 42, let ifd0Offset = u32(4) else { throw .badTIFFHeader }
        var visited: Set<Int> = []
        let ifd0 = try entries(at: ifd0Offset, visited: &visited)
        var exifPointer: Int?
        var gpsPointer: Int?
        for e in ifd0 {
            switch e.tag {
            case 0x010F: meta.make = ascii(e)
            case 0x0110: meta.model = ascii(e)
            case 0x0112: if let o = integer(e), (1...8).contains(o) { meta.orientation = o }
            case 0x8769: exifPointer = integer(e)
            case 0x8825: gpsPointer = integer(e)
            default: break
            }
        }
        if let p = exifPointer {
            try readExifIFD(try entries(at: p, visited: &visited), into: &meta)
        }
        if let p = gpsPointer {
            readGPSIFD(try entries(at: p, visited: &visited), into: &meta)
        }
    }

    private func readExifIFD(_ list: [Entry], into meta: inout ImageMetadata) throws(MetadataError) {
        var original: String?
        var offsetTime: String?
        var subsec: String?
        for e in list {
            switch e.tag {
            case 0x9003: original = ascii(e)
            case 0x9011: offsetTime = ascii(e)
            case 0x9291: subsec = ascii(e)
            case 0x920A:
                if let f = rational(e, 0), f > 0, f < 10_000 { meta.focalLength = f }
            case 0xA405:
                if let f = integer(e), f > 0 { meta.focalLength35mm = Double(f) }
            case 0xA002:
                if let w = integer(e), w > 0 { meta.exifWidth = w }
            case 0xA003:
                if let h = integer(e), h > 0 { meta.exifHeight = h }
            default: break
            }
        }
        if let original, var date = EXIFDate.parse(original) {
            if let subsec, let digits = Double("0." + subsec.filter(\.isNumber)), subsec.contains(where: \.isNumber) {
                date += digits
            }
            if let offsetTime, let shift = EXIFDate.parseOffset(offsetTime) {
                date -= shift
            }
            meta.captureTime = date
        }
    }

    private func readGPSIFD(_ list: [Entry], into meta: inout ImageMetadata) {
        var latRef: String?, lonRef: String?
        var lat: Double?, lon: Double?
        var altRef: Int?, alt: Double?
        var timeOfDay: Double?, dateStamp: String?
        for e in list {
            switch e.tag {
            case 0x0001: latRef = ascii(e)
            case 0x0002: lat = degrees(e, limit: 90)
            case 0x0003: lonRef = ascii(e)
            case 0x0004: lon = degrees(e, limit: 180)
            case 0x0005: altRef = integer(e)
            case 0x0006: alt = rational(e, 0)
            case 0x0007:
                if let h = rational(e, 0), let m = rational(e, 1), let s = rational(e, 2),
                   (0..<24).contains(h), (0..<60).contains(m), s >= 0, s < 61
                {
                    timeOfDay = h * 3600 + m * 60 + s
                }
            case 0x001D: dateStamp = ascii(e)
            default: break
            }
        }
        if var lat, var lon {
            if latRef?.uppercased().hasPrefix("S") == true { lat = -lat }
            if lonRef?.uppercased().hasPrefix("W") == true { lon = -lon }
            let refsValid = (latRef.map { ["N", "S"].contains($0.uppercased().prefix(1)) } ?? true)
                && (lonRef.map { ["E", "W"].contains($0.uppercased().prefix(1)) } ?? true)
            if refsValid {
                meta.latitude = lat
                meta.longitude = lon
                meta.positionSource = .exifGPS
            }
        }
        if let alt, alt.isFinite, abs(alt) < 100_000 {
            meta.gpsAltitude = altRef == 1 ? -alt : alt
        }
        if let timeOfDay, let dateStamp, let day = EXIFDate.parseDay(dateStamp) {
            meta.gpsTime = day + timeOfDay
        }
    }

    // MARK: IFD structure

    /// The entries of the IFD at `offset`; throws when the table itself is out of range or revisited.
    private func entries(at offset: Int, visited: inout Set<Int>) throws(MetadataError) -> [Entry] {
        guard offset >= 8, offset <= tiff.count - 2 else { throw .ifdOffsetOutOfRange(offset: offset) }
        guard visited.insert(offset).inserted else { throw .ifdLoop(offset: offset) }
        guard let n = u16(offset) else { throw .truncatedIFD(offset: offset) }
        let count = Int(n)
        guard offset + 2 + count * 12 <= tiff.count else { throw .truncatedIFD(offset: offset) }
        var result: [Entry] = []
        result.reserveCapacity(count)
        for k in 0..<count {
            let base = offset + 2 + k * 12
            guard let tag = u16(base), let type = u16(base + 2), let cnt = u32(base + 4) else { continue }
            var entry = Entry(tag: tag, type: type, count: cnt, valueOffset: nil)
            if let size = Self.typeSize(type) {
                let total = size * cnt  // cnt < 2^32, size <= 8: no overflow on 64-bit
                if total <= 4 {
                    entry.valueOffset = base + 8
                } else if let p = u32(base + 8), p <= tiff.count, total <= tiff.count - p {
                    entry.valueOffset = p
                }
            }
            result.append(entry)
        }
        return result
    }

    static func typeSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11: 4
        case 5, 10, 12: 8
        default: nil
        }
    }

    // MARK: Values (nil = drop the tag)

    private func ascii(_ e: Entry) -> String? {
        guard e.type == 2 || e.type == 7, let p = e.valueOffset else { return nil }
        var bytes = tiff[p..<(p + e.count)]
        if let nul = bytes.firstIndex(of: 0) { bytes = bytes[..<nul] }
        guard let s = String(validating: bytes, as: UTF8.self) else { return nil }
        let trimmed = s.trimmedASCII
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// First value of a BYTE/SHORT/LONG entry.
    private func integer(_ e: Entry) -> Int? {
        guard e.count >= 1, let p = e.valueOffset else { return nil }
        switch e.type {
        case 1: return Int(tiff[p])
        case 3: return u16(p).map(Int.init)
        case 4: return u32(p)
        default: return nil
        }
    }

    /// Value `k` of a RATIONAL/SRATIONAL entry (or a SHORT/LONG one, as written by some firmware).
    private func rational(_ e: Entry, _ k: Int) -> Double? {
        guard k < e.count, let p = e.valueOffset else { return nil }
        switch e.type {
        case 5:
            guard let n = u32(p + 8 * k), let d = u32(p + 8 * k + 4), d != 0 else { return nil }
            return Double(n) / Double(d)
        case 10:
            guard let n = u32(p + 8 * k), let d = u32(p + 8 * k + 4) else { return nil }
            let sn = Int32(truncatingIfNeeded: n), sd = Int32(truncatingIfNeeded: d)
            guard sd != 0 else { return nil }
            return Double(sn) / Double(sd)
        case 3: return u16(p + 2 * k).map(Double.init)
        case 4: return u32(p + 4 * k).map(Double.init)
        default: return nil
        }
    }

    /// Degrees + minutes + seconds of a GPS latitude/longitude entry, nil when out of range.
    private func degrees(_ e: Entry, limit: Double) -> Double? {
        guard let d = rational(e, 0) else { return nil }
        let m = rational(e, 1) ?? 0
        let s = rational(e, 2) ?? 0
        guard d >= 0, m >= 0, m < 60, s >= 0, s < 60 else { return nil }
        let value = d + m / 60 + s / 3600
        return value <= limit ? value : nil
    }

    private func u16(_ p: Int) -> UInt16? {
        guard p >= 0, p <= tiff.count - 2 else { return nil }
        let a = UInt16(tiff[p]), b = UInt16(tiff[p + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    private func u32(_ p: Int) -> Int? {
        guard p >= 0, p <= tiff.count - 4 else { return nil }
        let b0 = Int(tiff[p]), b1 = Int(tiff[p + 1]), b2 = Int(tiff[p + 2]), b3 = Int(tiff[p + 3])
        return bigEndian ? b0 << 24 | b1 << 16 | b2 << 8 | b3 : b3 << 24 | b2 << 16 | b1 << 8 | b0
    }
}
