import ImagingCore

/// How 8-bit LBP codes are grouped into histogram bins.
public enum LBPMapping: String, Sendable, Hashable, CaseIterable {
    /// The raw code, 256 bins.
    case raw
    /// Uniform patterns (at most two 0/1 transitions around the circle) get their own bin in increasing
    /// code order (58 bins); all others share bin 58. 59 bins.
    case uniform
    /// The smallest code among the 8 rotations, numbered in increasing order: 36 bins.
    case rotationInvariant
    /// Rotation-invariant uniform ("riu2"): the number of set bits for uniform patterns (0…8), 9 for the
    /// rest. 10 bins.
    case uniformRotationInvariant

    /// Number of bins.
    public var binCount: Int {
        switch self {
        case .raw: 256
        case .uniform: 59
        case .rotationInvariant: 36
        case .uniformRotationInvariant: 10
        }
    }

    /// Bin of every raw code (256 entries).
    public var table: [UInt8] {
        func transitions(_ c: Int) -> Int {
            (0..<8).reduce(0) { $0 + (((c >> $1) & 1) != ((c >> (($1 + 1) % 8)) & 1) ? 1 : 0) }
        }
        func minRotation(_ c: Int) -> Int {
            (0..<8).map { ((c >> $0) | (c << (8 - $0))) & 0xFF }.min()!
        }
        switch self {
        case .raw:
            return (0..<256).map { UInt8($0) }
        case .uniform:
            var next = 0
            return (0..<256).map { c in
                guard transitions(c) <= 2 else { return 58 }
                defer { next += 1 }
                return UInt8(next)
            }
        case .rotationInvariant:
            let classes = Array(Set((0..<256).map(minRotation))).sorted()
            let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
            return (0..<256).map { UInt8(index[minRotation($0)]!) }
        case .uniformRotationInvariant:
            return (0..<256).map { UInt8(transitions($0) <= 2 ? $0.nonzeroBitCount : 9) }
        }
    }
}

/// Local binary patterns, 8 neighbours at radius 1.
///
/// Bit b is set when neighbour b is ≥ the centre, neighbours clockwise from the top-left:
/// (−1,−1) bit 0, (−1,0) bit 1, (−1,+1) bit 2, (0,+1) bit 3, (+1,+1) bit 4, (+1,0) bit 5, (+1,−1) bit 6,
/// (0,−1) bit 7, as (dy, dx) (the numpy baseline's order).
public enum LocalBinaryPattern {
    /// LBP codes of every pixel, optionally mapped to bins.
    /// - Parameters: src: (H, W) gray8; mapping: bins (raw leaves the code); border: edge rule
    ///   (constant = 0); threads: ≥ 1.
    /// - Returns: (H, W) gray8 of codes or bin numbers.
    public static func codes(_ src: PixelBuffer, mapping: LBPMapping = .raw, border: BorderMode = .replicate,
                             threads: Int = 1) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        codes(src, into: &dst, mapping: mapping, border: border, threads: threads)
        return dst
    }

    /// As ``codes(_:mapping:border:threads:)`` into an existing (H, W) gray8 buffer.
    public static func codes(_ src: PixelBuffer, into dst: inout PixelBuffer, mapping: LBPMapping = .raw,
                             border: BorderMode = .replicate, threads: Int = 1) {
        precondition(src.format == .gray8, "LBP takes gray8")
        checkSameSize(src, dst)
        guard src.width > 0 && src.height > 0 else { return }
        let w = src.width, ds = dst.rowStride
        let table = mapping.table
        unsafe table.withUnsafeBufferPointer { tb in
            let lut = tb.baseAddress!
            unsafe dst.writePixels { d in
                unsafe forEach3x3Row(src, border: border, threads: threads) { y, a, b, c in
                    let o = unsafe d + y * ds
                    unsafe lbpRow(a, b, c, o, w)
                    if mapping != .raw {
                        for x in 0..<w { unsafe o[x] = unsafe lut[Int(o[x])] }
                    }
                }
            }
        }
    }

    /// Scalar twin of ``codes(_:mapping:border:threads:)``.
    public static func codesReference(_ src: PixelBuffer, mapping: LBPMapping = .raw,
                                      border: BorderMode = .replicate) -> PixelBuffer {
        let w = src.width, h = src.height
        var out = PixelBuffer(width: w, height: h, format: .gray8)
        let table = mapping.table
        let neighbours = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
        for y in 0..<h {
            for x in 0..<w {
                let c = src[x, y]
                var code = 0
                for (bit, (dy, dx)) in neighbours.enumerated() {
                    var v: UInt8 = 0
                    if let yy = border.index(y + dy, count: h), let xx = border.index(x + dx, count: w) {
                        v = src[xx, yy]
                    }
                    if v >= c { code |= 1 << bit }
                }
                out[x, y] = table[code]
            }
        }
        return out
    }
}

private func lbpRow(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ c: UnsafePointer<UInt8>,
                    _ o: UnsafeMutablePointer<UInt8>, _ w: Int) {
    for x in 0..<w {
        let l = x &- 1, r = x &+ 1
        let m = unsafe b[x]
        var code: UInt8 = unsafe a[l] >= m ? 1 : 0
        unsafe code |= a[x] >= m ? 2 : 0
        unsafe code |= a[r] >= m ? 4 : 0
        unsafe code |= b[r] >= m ? 8 : 0
        unsafe code |= c[r] >= m ? 16 : 0
        unsafe code |= c[x] >= m ? 32 : 0
        unsafe code |= c[l] >= m ? 64 : 0
        unsafe code |= b[l] >= m ? 128 : 0
        unsafe o[x] = code
    }
}
