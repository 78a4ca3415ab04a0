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
}
