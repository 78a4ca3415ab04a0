import Filters
import ImagingCore
import Kernels
import Testing
import TestSupport

@Suite("Filters built on the kernels")
struct FiltersTests {
    @Test("LBP tile histograms count every pixel once, in the right tile and bin", arguments: LBPMapping.allCases)
    func histograms(mapping: LBPMapping) {
        let src = testImage(width: 45, height: 31, seed: 3, smooth: true)
        let codes = LocalBinaryPattern.codes(src)
        let h = TileHistograms.lbp(codes, mapping: mapping, tileWidth: 16, tileHeight: 10)
        #expect(h.tilesX == 3 && h.tilesY == 4 && h.bins == mapping.binCount)
        #expect(h.counts.reduce(0, +) == 45 * 31)
        #expect(h.histogram(tx: 2, ty: 3).reduce(0, +) == 13 * 1)
        let mapped = LocalBinaryPattern.codes(src, mapping: mapping)
        var expected = [UInt32](repeating: 0, count: mapping.binCount)
        for y in 10..<20 { for x in 16..<32 { expected[Int(mapped[x, y])] += 1 } }
        #expect(Array(h.histogram(tx: 1, ty: 1)) == expected)
        #expect(abs(h.normalized(tx: 0, ty: 0).reduce(0, +) - 1) < 1e-5)
    }

    @Test("Local mean and deviation match direct sums, clipped at the edges")
    func localStatistics() {
        let src = testImage(width: 23, height: 17, seed: 8)
        let (mean, deviation) = LocalStatistics.meanAndDeviation(src, window: 5)
        for (x, y) in [(0, 0), (11, 8), (22, 16), (3, 15)] {
            var values: [Double] = []
            for yy in max(0, y - 2)...min(16, y + 2) { for xx in max(0, x - 2)...min(22, x + 2) { values.append(Double(src[xx, yy])) } }
            let m = values.reduce(0, +) / Double(values.count)
            let v = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)
            #expect(abs(Double(mean[x, y]) - m) < 1e-3)
            #expect(abs(Double(deviation[x, y]) - v.squareRoot()) < 1e-2)
        }
    }
}
