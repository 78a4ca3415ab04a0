import Testing
@testable import Inspection

/// The one flood fill (``FloodFill``) against hand-drawn grids.
@Suite("Flood fill")
struct FloodFillTests {
    /// `#` cells are members.
    static func grid(_ rows: [String]) -> (width: Int, height: Int, member: [Bool]) {
        (rows[0].count, rows.count, rows.flatMap { $0.map { $0 == "#" } })
    }

    @Test("4- and 8-connected regions, their cells and whether they touch the border")
    func regions() {
        let g = Self.grid(["#..#.",
                           ".#...",
                           "...##",
                           ".#.##"])
        var four: [([Int], Bool)] = [], eight: [([Int], Bool)] = []
        FloodFill.forEachRegion(width: g.width, height: g.height, member: { g.member[$0] }) { four.append(($0.sorted(), $1)) }
        FloodFill.forEachRegion(width: g.width, height: g.height, connectivity: .eight, member: { g.member[$0] }) {
            eight.append(($0.sorted(), $1))
        }
        #expect(four.map(\.0) == [[0], [3], [6], [13, 14, 18, 19], [16]])
        // Diagonal neighbours join: (0,0)–(1,1); the others stay apart.
        #expect(eight.map(\.0) == [[0, 6], [3], [13, 14, 18, 19], [16]])
        #expect(four.first { $0.0 == [6] }?.1 == false && four.allSatisfy { $0.0 == [6] || $0.1 })
    }

    @Test("a hole inside a region is counted; one open to the border is not")
    func holes() {
        var m = BinaryMask(width: 6, height: 5)
        for (x, y) in [(1, 1), (2, 1), (3, 1), (1, 2), (3, 2), (1, 3), (2, 3), (3, 3)] { m.bits[y * 6 + x] = 1 }
        #expect(RegionMeasurement.countHoles(m) == 1)
        m.bits[3 * 6 + 2] = 0  // open the ring at the bottom
        #expect(RegionMeasurement.countHoles(m) == 0)
    }
}
