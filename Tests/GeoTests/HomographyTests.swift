import Foundation
import Geodesy
import Testing
@testable import Geo

@Suite("Homography and fixed cameras")
struct HomographyTests {
    /// A perspective map of a street seen from a pole (pixels → metres).
    static let truth = Homography([0.02, 0.004, -20, 0.001, -0.05, 60, 0.00001, 0.0004, 1])

    /// Seeded generator (SplitMix64) for repeatable noise.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func grid(_ n: Int) -> [SIMD2<Double>] {
        (0..<n).map { i -> SIMD2<Double> in
            let x: Double = 100 + Double(i % 5) * 400 + Double(i) * 7
            let y: Double = 500 + Double(i / 5) * 150
            return SIMD2(x, y)
        }
    }

    @Test("Exact on synthetic points: 4 and 12 pairs", arguments: [4, 12])
    func exact(n: Int) throws {
        let pixels = n == 4 ? [SIMD2(100.0, 600), SIMD2(1800, 620), SIMD2(1500, 1000), SIMD2(300, 1050)] : Self.grid(n)
        let ground = pixels.map { Self.truth.apply($0)! }
        let (h, rms) = try Homography.fit(from: pixels, to: ground)
        #expect(rms < 1e-9)
        for p in [SIMD2(960.0, 800), SIMD2(10, 1070), SIMD2(1900, 550)] {
            let a = h.apply(p)!, b = Self.truth.apply(p)!
            #expect(GeoFixtures.length(a - b) < 1e-8)
        }
        // The inverse maps back.
        let inv = try #require(h.inverse)
        #expect(GeoFixtures.length(inv.apply(ground[0])! - pixels[0]) < 1e-6)
    }

    @Test("Robust to 1 px noise: 30 noisy points predict clean ones to ~1 px")
    func noisy() throws {
        var rng = SplitMix(state: 42)
        let pixels = Self.grid(30)
        let inverseTruth = try #require(Self.truth.inverse)
        let ground = pixels.map { Self.truth.apply($0)! }
        // Fit ground → pixel with 1 px Gaussian-ish noise (sum of uniforms) on the pixels.
        let noisy = pixels.map { p -> SIMD2<Double> in
            let nx = (0..<12).map { _ in Double.random(in: -0.5...0.5, using: &rng) }.reduce(0, +)
            let ny = (0..<12).map { _ in Double.random(in: -0.5...0.5, using: &rng) }.reduce(0, +)
            return p + SIMD2(nx, ny)
        }
        let (h, rms) = try Homography.fit(from: ground, to: noisy)
        #expect(rms > 0.5 && rms < 1.5)
        var worst = 0.0
        for p in Self.grid(30) {
            let q = p + SIMD2(31, 17)
            let predicted = h.apply(Self.truth.apply(q)!)!
            worst = max(worst, GeoFixtures.length(predicted - q))
        }
        #expect(worst < 1.0, "worst \(worst)")
        _ = inverseTruth
    }

    @Test("Degenerate point sets are refused")
    func degenerate() {
        let square = [SIMD2(0.0, 0), SIMD2(10, 0), SIMD2(10, 10), SIMD2(0, 10)]
        #expect(throws: Homography.FitError.tooFewPoints(3)) { try Homography.fit(from: Array(square.prefix(3)), to: Array(square.prefix(3))) }
        #expect(throws: Homography.FitError.countMismatch) { try Homography.fit(from: square, to: Array(square.prefix(3))) }
        let dup = [square[0], square[1], square[2], square[0], SIMD2(5, 7)]
        #expect(throws: Homography.FitError.duplicatePoints(first: 0, second: 3)) { try Homography.fit(from: dup, to: square + [SIMD2(3, 3)]) }
        let line = (0..<6).map { SIMD2(Double($0), 2 * Double($0) + 1) }
        #expect(throws: Homography.FitError.collinear) { try Homography.fit(from: line, to: line.map { $0 * 3 }) }
        let threeOnALine = [SIMD2(0.0, 0), SIMD2(5, 0), SIMD2(10, 0), SIMD2(3, 8)]
        #expect(throws: Homography.FitError.degenerate) { try Homography.fit(from: threeOnALine, to: square) }
        #expect(throws: Homography.FitError.nonFinite) {
            try Homography.fit(from: square, to: [SIMD2(.nan, 0)] + square.dropFirst())
        }
    }

    @Test("YAML camera file: exact points, lat/lon round trip, reprojection error, horizon")
    func fileFixture() throws {
        let yaml = try String(contentsOf: GeoFixtures.own.appendingPathComponent("harbour-pole-12.yaml"), encoding: .utf8)
        let cam = try FixedCamera.load(yaml: yaml)
        #expect(cam.name == "Harbour St pole 12" && cam.controlPoints.count == 5 && cam.controlPointAccuracy == 0.3)
        #expect(cam.reprojectionErrorPixels.isFinite && cam.reprojectionErrorMetres.isFinite)
        for p in cam.controlPoints {
            let c = try cam.coordinate(x: p.x, y: p.y)
            // 5 points, least squares: within the fit's residual.
            let e = cam.plane.enu(GeoPoint(latitude: c.latitude, longitude: c.longitude))
            let t = cam.plane.enu(GeoPoint(latitude: p.latitude, longitude: p.longitude))
            #expect(GeoFixtures.length(SIMD2(e.x - t.x, e.y - t.y)) < 3 * cam.reprojectionErrorMetres + 1e-6)
        }
        let c = try cam.coordinate(x: 950, y: 800)
        let back = try cam.pixel(latitude: c.latitude, longitude: c.longitude)
        #expect(GeoFixtures.length(back - SIMD2(950, 800)) < 0.1 + cam.reprojectionErrorPixels * 3)
        // Far up the image the ground recedes: GSD grows, and the uncertainty with it.
        #expect(try cam.groundSampleDistance(x: 950, y: 450) > cam.groundSampleDistance(x: 950, y: 1000))
        #expect(try cam.locationUncertainty(x: 950, y: 450) > cam.locationUncertainty(x: 950, y: 1000))
    }

    @Test("Fixed camera: exact synthetic homography, beyond-horizon pixels refused")
    func horizonRefusal() throws {
        let plane = LocalTangentPlane(origin: GeoPoint(latitude: 40, longitude: -3))
        let pixels = Self.grid(8)
        let points = pixels.map { p -> GroundControlPoint in
            let g = Self.truth.apply(p)!
            let geo = plane.geodetic(SIMD3(g.x, g.y, 0))
            return GroundControlPoint(x: p.x, y: p.y, latitude: geo.latitude, longitude: geo.longitude)
        }
        let cam = try FixedCamera(controlPoints: points)
        #expect(cam.reprojectionErrorPixels < 1e-6)
        // The truth's horizon: 0.00001 x + 0.0004 y + 1 = 0 → y = -2500 - 0.025 x (above the image top).
        #expect(throws: GeoError.self) { try cam.groundPoint(x: 0, y: -2600) }
        #expect(throws: GeoError.self) { try cam.groundPoint(x: 0, y: -2500) }
        #expect(throws: Never.self) { try cam.groundPoint(x: 0, y: 100) }
    }

    @Test("Degenerate camera files give a clear message")
    func badFiles() {
        let collinear = GeoFixtures.controlPointsYAML([(0, 0, 1.0, 1.0), (10, 10, 1.0001, 1.0001), (20, 20, 1.0002, 1.0002),
                                                        (30, 30, 1.0003, 1.0003)])
        let error = try? #require(throws: FixedCameraError.self) { try FixedCamera.load(yaml: collinear) }
        #expect(error == .badControlPoints(.collinear))
        #expect(error?.description.contains("one line") == true)
        #expect(throws: FixedCameraError.self) { try FixedCamera.load(yaml: "control_points: []") }
        #expect(throws: FixedCameraError.self) { try FixedCamera.load(yaml: "name: [unclosed") }
        let three = GeoFixtures.controlPointsYAML((0..<3).map { (Double($0), Double($0 * $0), 1, Double($0)) })
        let e3 = try? #require(throws: FixedCameraError.self) { try FixedCamera.load(yaml: three) }
        #expect(e3?.description.contains("at least 4") == true)
    }
}
