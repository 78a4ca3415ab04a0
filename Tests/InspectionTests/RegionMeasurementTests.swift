import Foundation
import Testing
@testable import Inspection

/// A straight crack with flat ends: pixels whose centre projects onto the segment and lies within width/2 of it.
func drawCrack(_ m: inout BinaryMask, from a: SIMD2<Double>, to b: SIMD2<Double>, width: Double) {
    let d = b - a
    let len = (d * d).sum().squareRoot()
    let u = d / len
    for y in 0..<m.height {
        for x in 0..<m.width {
            let p = SIMD2<Double>(Double(x), Double(y)) - a
            let along = (p * u).sum()
            let across = abs(p.x * u.y - p.y * u.x)
            if along >= 0 && along <= len && across <= width / 2 { m[x, y] = true }
        }
    }
}

@Suite("Region measurement")
struct RegionMeasurementTests {
    @Test("straight cracks: length within 5 %, width within 1 px",
          arguments: [0.0, 17.0, 30.0, 45.0, 63.0, 90.0, 121.0], [1.0, 3.0, 5.0, 8.0])
    func straight(angle: Double, width: Double) throws {
        let length = 160.0
        var m = BinaryMask(width: 220, height: 220)
        let c = SIMD2<Double>(110.37, 110.21)  // off the pixel grid, so a band of width w covers w rows
        let u = SIMD2<Double>(cos(angle * .pi / 180), sin(angle * .pi / 180))
        drawCrack(&m, from: c - u * length / 2, to: c + u * length / 2, width: width)
        let cc = ConnectedComponents(m)
        #expect(cc.components.count == 1)
        let comp = try #require(cc.components.first)
        let (crop, ox, oy) = cc.mask(of: comp)
        let r = RegionMeasurement(crop, origin: SIMD2(ox, oy))
        #expect(abs(r.lengthPx - length) / length < 0.05, "length \(r.lengthPx) for \(length) at \(angle)°, w \(width)")
        #expect(abs(r.meanWidthPx - width) <= 1.0, "width \(r.meanWidthPx) for \(width) at \(angle)°")
        let dAngle = abs(r.orientationDeg - angle.truncatingRemainder(dividingBy: 180))
        #expect(min(dAngle, 180 - dAngle) < 3, "orientation \(r.orientationDeg) for \(angle)")
        #expect(r.holes == 0)
    }

    @Test("a bent crack measures the sum of its legs")
    func bent() {
        var m = BinaryMask(width: 200, height: 200)
        drawCrack(&m, from: SIMD2(20, 20), to: SIMD2(120, 60), width: 3)
        drawCrack(&m, from: SIMD2(120, 60), to: SIMD2(150, 180), width: 3)
        let leg1: Double = (10_000.0 + 1_600.0).squareRoot()
        let leg2: Double = (900.0 + 14_400.0).squareRoot()
        let truth = leg1 + leg2
        let cc = ConnectedComponents(m)
        #expect(cc.components.count == 1)
        let (crop, ox, oy) = cc.mask(of: cc.components[0])
        let r = RegionMeasurement(crop, origin: SIMD2(ox, oy))
        #expect(abs(r.lengthPx - truth) / truth < 0.05, "\(r.lengthPx) vs \(truth)")
    }

    @Test("a crack network has holes and junctions")
    func network() {
        var m = BinaryMask(width: 120, height: 120)
        for i in stride(from: 10.0, through: 110, by: 25) {
            drawCrack(&m, from: SIMD2(10, i), to: SIMD2(110, i), width: 2)
            drawCrack(&m, from: SIMD2(i, 10), to: SIMD2(i, 110), width: 2)
        }
        let cc = ConnectedComponents(m)
        #expect(cc.components.count == 1)
        let (crop, ox, oy) = cc.mask(of: cc.components[0])
        let r = RegionMeasurement(crop, origin: SIMD2(ox, oy))
        #expect(r.holes == 16)
        #expect(r.junctions >= 9)
    }

    @Test("components: separate regions, 8-connectivity, bounding boxes")
    func components() {
        var m = BinaryMask(width: 10, height: 6)
        m[1, 1] = true; m[2, 2] = true          // diagonal: one region
        m[7, 1] = true; m[7, 2] = true; m[8, 2] = true
        m[0, 5] = true
        let cc = ConnectedComponents(m)
        #expect(cc.components.count == 3)
        #expect(cc.components[0].area == 2 && cc.components[0].minX == 1 && cc.components[0].maxY == 2)
        #expect(cc.components[1].area == 3)
        #expect(cc.components[2].area == 1)
    }

    @Test("distance transform is exact Euclidean")
    func distance() {
        var m = BinaryMask(width: 9, height: 9)
        for y in 1..<8 { for x in 1..<8 { m[x, y] = true } }
        let d = DistanceTransform.euclidean(m)
        #expect(d[4 * 9 + 4] == 4)
        #expect(d[1 * 9 + 1] == 1)
        #expect(d[0] == 0)
        #expect(abs(d[2 * 9 + 3] - 2) < 1e-6)
    }

    @Test("outline of a rectangle is its four corners")
    func outline() {
        var m = BinaryMask(width: 12, height: 10)
        for y in 2..<7 { for x in 3..<10 { m[x, y] = true } }
        let r = RegionMeasurement(m, origin: SIMD2(100, 200))
        #expect(Set(r.outline) == [SIMD2(103, 202), SIMD2(109, 202), SIMD2(109, 206), SIMD2(103, 206)])
    }
}

