/// Writes small TIFF/EXIF blocks and JPEG wrappers for tests, in either byte order.
struct TIFFBuilder {
    enum Value {
        case ascii(String)
        case short([UInt16])
        case long([UInt32])
        case rational([(UInt32, UInt32)])
        case byte([UInt8])
        /// A pointer to the sub-IFD with this index in `ifds`.
        case ifdPointer(Int)
        /// A raw entry: type, count and the 4 value bytes as written (for corrupt entries).
        case raw(type: UInt16, count: UInt32, value: UInt32)
    }

    var bigEndian: Bool
    /// IFDs in file order; IFD 0 is IFD0.
    var ifds: [[(tag: UInt16, value: Value)]]
    /// Override of the IFD0 offset in the header (for corrupt headers).
    var ifd0OffsetOverride: UInt32?

    func u16(_ v: UInt16) -> [UInt8] {
        bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)]
    }

    func u32(_ v: UInt32) -> [UInt8] {
        let b = [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        return bigEndian ? b : b.reversed()
    }

    func ifdSize(_ ifd: [(tag: UInt16, value: Value)]) -> Int { 2 + ifd.count * 12 + 4 }

    /// The TIFF block.
    func build() -> [UInt8] {
        // Layout: header, IFDs back to back, then the data area.
        var offsets: [Int] = []
        var o = 8
        for ifd in ifds {
            offsets.append(o)
            o += ifdSize(ifd)
        }
        var data: [UInt8] = []
        let dataStart = o
        var out: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
        out += u16(42) + u32(ifd0OffsetOverride ?? 8)
        for ifd in ifds {
            out += u16(UInt16(ifd.count))
            for (tag, value) in ifd {
                var type: UInt16
                var count: UInt32
                var bytes: [UInt8]
                switch value {
                case .ascii(let s):
                    type = 2; bytes = Array(s.utf8) + [0]; count = UInt32(bytes.count)
                case .short(let v):
                    type = 3; bytes = v.flatMap(u16); count = UInt32(v.count)
                case .long(let v):
                    type = 4; bytes = v.flatMap(u32); count = UInt32(v.count)
                case .rational(let v):
                    type = 5; bytes = v.flatMap { u32($0.0) + u32($0.1) }; count = UInt32(v.count)
                case .byte(let v):
                    type = 1; bytes = v; count = UInt32(v.count)
                case .ifdPointer(let k):
                    type = 4; bytes = u32(UInt32(offsets[k])); count = 1
                case .raw(let t, let c, let v):
                    type = t; bytes = u32(v); count = c
                }
                out += u16(tag) + u16(type) + u32(count)
                if bytes.count <= 4 {
                    out += bytes + [UInt8](repeating: 0, count: 4 - bytes.count)
                } else {
                    out += u32(UInt32(dataStart + data.count))
                    data += bytes
                }
            }
            out += u32(0)  // no next IFD
        }
        return out + data
    }

    /// A JPEG: SOI, the given APP1 payloads, a fake SOS and EOI.
    static func jpeg(app1 payloads: [[UInt8]], trailer: [UInt8] = [0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9])
        -> [UInt8]
    {
        var out: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        for p in payloads {
            let length = p.count + 2
            out += [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + p
        }
        return out + trailer
    }

    static func exifPayload(_ tiff: [UInt8]) -> [UInt8] { Array("Exif".utf8) + [0, 0] + tiff }

    static func xmpPayload(_ packet: String) -> [UInt8] {
        Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + Array(packet.utf8)
    }
}
