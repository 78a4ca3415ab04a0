import Foundation
import Testing
@testable import Inspection

/// Specks off the crack map (protocol M).
@Suite struct CrackMapSpecksTests {
    /// A 100 × 60 map: a 4 × 4 speck, a thin 1 × 14 crack fragment, a long 1 × 60 crack, a 12 × 12 stain, and a
    /// faint speck below the threshold.
    func map() -> [Float] {
        var p = [Float](repeating: 0.05, count: 100 * 60)
        for y in 5..<9 { for x in 5..<9 { p[y * 100 + x] = 0.9 } }          // speck
        for x in 20..<34 { p[10 * 100 + x] = 0.8 }                           // short thin fragment
        for x in 30..<90 { p[40 * 100 + x] = 0.95 }                          // long crack
        for y in 45..<57 { for x in 5..<17 { p[y * 100 + x] = 0.7 } }      // stain, diagonal 17
        for y in 20..<23 { for x in 60..<63 { p[y * 100 + x] = 0.35 } }     // faint speck
        return p
    }

    @Test func capsCompactShortPartsOnly() {
        let s = CrackMap.Specks(threshold: 0.4, extent: 32, compactness: 6)
        var p = map()
        let before = p
        #expect(s.remove(from: &p, width: 100, height: 60) == 2)
        #expect(p[6 * 100 + 6] < 0.4 && p[6 * 100 + 6] > 0.39)             // speck capped just below t0
        #expect(p[50 * 100 + 10] < 0.4)                                        // stain capped
        #expect(p[10 * 100 + 25] == 0.8)                                       // thin fragment: diagonal² 197 ≥ 6 × 14
        #expect(p[40 * 100 + 50] == 0.95)                                      // long crack
        #expect(p[21 * 100 + 61] == 0.35)                                      // below t0: untouched
        var changed = 0
        for i in p.indices where p[i] != before[i] { changed += 1 }
        #expect(changed == 16 + 144)
    }

    @Test func extentKeepsLargeParts() {
        // With a short extent the 17-px stain is kept (its diagonal reaches it); the 4-px speck is not.
        let s = CrackMap.Specks(threshold: 0.4, extent: 16, compactness: 6)
        var p = map()
        #expect(s.remove(from: &p, width: 100, height: 60) == 1)
        #expect(p[50 * 100 + 10] == 0.7 && p[6 * 100 + 6] < 0.4)
        // An elongation bar no speck meets: nothing capped.
        var q = map()
        #expect(CrackMap.Specks(threshold: 0.4, extent: 32, compactness: 1).remove(from: &q, width: 100, height: 60) == 0)
        #expect(q == map())
    }

    @Test func emptyAndUniformMaps() {
        let s = CrackMap.Specks(threshold: 0.4, extent: 32, compactness: 6)
        var empty: [Float] = []
        #expect(s.remove(from: &empty, width: 0, height: 0) == 0)
        var full = [Float](repeating: 0.9, count: 10 * 10)  // one 10 × 10 part: diagonal² 200 < 6 × 100: a speck
        #expect(s.remove(from: &full, width: 10, height: 10) == 1)
        #expect(full.allSatisfy { $0 < 0.4 })
    }

    @Test func straightLinesCappedWanderingCracksKept() {
        // 200 × 200: a straight 3-px bar down the frame (a joint), a crack that wanders ±6 px over 150 px, a short
        // straight 3 × 40 piece (below the least length).
        let w = 200, h = 200
        var p = [Float](repeating: 0.05, count: w * h)
        for y in 0..<200 { for x in 20..<23 { p[y * w + x] = 0.9 } }
        for y in 20..<170 {
            let x = 100 + Int((6 * sin(Double(y) / 9)).rounded())
            for dx in 0..<2 { p[y * w + x + dx] = 0.9 }
        }
        for y in 150..<190 { for x in 170..<173 { p[y * w + x] = 0.9 } }
        var s = CrackMap.Specks(threshold: 0.2, extent: 128, compactness: 6)
        var q = p
        #expect(s.remove(from: &q, width: w, height: h) == 0)
        s.lines = .init(length: 64, spread: 1.0)
        #expect(s.remove(from: &q, width: w, height: h) == 1)
        #expect(q[100 * w + 21] < 0.2)                                    // the joint
        #expect(q[60 * w + 100 + Int((6 * sin(60.0 / 9)).rounded())] == 0.9)  // the crack
        #expect(q[160 * w + 171] == 0.9)                                  // short piece
        // The spread of the straight 3-px bar: √((3² − 1) / 12).
        let cc = ConnectedComponents({ var m = BinaryMask(width: w, height: h); for i in p.indices where p[i] >= 0.2 { m.bits[i] = 1 }; return m }())
        let bar = cc.components.first { $0.minX == 20 }!
        #expect(abs(CrackMap.Specks.spread(of: bar, labels: cc.labels, width: w) - (8 / 12.0).squareRoot()) < 1e-6)
    }
}
