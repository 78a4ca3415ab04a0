import Foundation
import Geodesy
import Metadata
import Testing
@testable import Geo

@Suite("Uncertainty, camera database, GeoJSON")
struct UncertaintyAndOutputTests {
    @Test("RTK fixed beats consumer GNSS; uncertainty grows with obliqueness")
    func uncertainty() throws {
        var rtk = GeoFixtures.phantom()
        (rtk.model, rtk.rtkFlag, rtk.rtkStdLon, rtk.rtkStdLat, rtk.rtkStdHgt) = ("FC6310R", 50, 0.012, 0.015, 0.03)
        let gr = try FrameGeometry(metadata: rtk, width: 5472, height: 3648)
        let gc = try FrameGeometry(metadata: GeoFixtures.phantom(), width: 5472, height: 3648)
        #expect(gr.accuracy.source == .rtkFixed)
        #expect(abs(gr.accuracy.horizontal - (0.012 * 0.012 + 0.015 * 0.015).squareRoot()) < 1e-12)
        #expect(gc.accuracy.source == .consumerGNSS)
        let ur = try gr.locationUncertainty(x: 2736, y: 1824), uc = try gc.locationUncertainty(x: 2736, y: 1824)
        #expect(ur < uc)
        // Nadir centre, consumer: sqrt(2.5² + (0.5° · 100 m)²) = 2.66 m.
        #expect(abs(uc - (2.5 * 2.5 + pow(0.5 * .pi / 180 * 100, 2)).squareRoot()) < 1e-9)
        // Oblique: farther rows are less certain.
        let ob = try FrameGeometry(metadata: GeoFixtures.phantom(pitch: -35), width: 5472, height: 3648)
        let near = try ob.locationUncertainty(x: 2736, y: 3600), far = try ob.locationUncertainty(x: 2736, y: 1200)
        #expect(far > near && near > uc)
        var float = rtk
        float.rtkFlag = 34
        #expect(try FrameGeometry(metadata: float, width: 5472, height: 3648).accuracy.source == .rtkFloat)
    }

    @Test("Camera database: every listed survey camera by its EXIF make/model")
    func database() {
        let cases: [(String, String, Double)] = [
            ("DJI", "FC7303", 6.17), ("DJI", "FC3582", 9.7), ("DJI", "FC8482", 9.7), ("DJI", "FC3411", 13.2),
            ("Hasselblad", "L2D-20c", 17.3), ("DJI", "M3E", 17.3), ("DJI", "M3M", 17.3), ("DJI", "FC6310", 13.2),
            ("DJI", "FC6310S", 13.2), ("DJI", "FC6310R", 13.2), ("DJI", "ZenmuseP1", 35.9), ("DJI", "ZH20", 6.17),
            ("Autel Robotics", "XT705", 13.2), ("senseFly", "S.O.D.A.", 13.2),
            ("Canon", "Canon PowerShot ELPH 300 HS", 6.20),
        ]
        for (make, model, width) in cases {
            #expect(CameraDatabase.lookup(make: make, model: model)?.sensorWidth == width, "\(make) \(model)")
        }
        #expect(CameraDatabase.lookup(make: "dji", model: "fc-6310r")?.name == "DJI Phantom 4 RTK")
        #expect(CameraDatabase.lookup(make: "Canon", model: "FC6310") == nil)
        #expect(CameraDatabase.lookup(make: nil, model: "Unknown") == nil)
    }

    @Test("GeoJSON FeatureCollection of footprints: closed counter-clockwise rings, parseable")
    func geojson() throws {
        let a = try FrameGeometry(metadata: GeoFixtures.phantom(), width: 5472, height: 3648)
        let b = try FrameGeometry(metadata: GeoFixtures.phantom(yaw: 45, lat: 52.001), width: 5472, height: 3648)
        let sky = try FrameGeometry(metadata: GeoFixtures.phantom(pitch: 30), width: 5472, height: 3648)
        let text = GeoJSON.featureCollection([
            a.footprintFeature(properties: ["file": .string("a.jpg")]),
            b.footprintFeature(properties: ["file": .string("b.jpg")]),
            sky.footprintFeature(properties: ["file": .string("sky.jpg")]),
        ])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["type"] as? String == "FeatureCollection")
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.count == 3)
        let props = try #require(features[0]["properties"] as? [String: Any])
        #expect(props["file"] as? String == "a.jpg")
        #expect(abs((props["gsdCmPerPx"] as? Double ?? 0) - 2.7412) < 1e-3)
        let geometry = try #require(features[0]["geometry"] as? [String: Any])
        let ring = try #require((geometry["coordinates"] as? [[[Double]]])?.first)
        #expect(ring.count == 5 && ring.first == ring.last)
        var area = 0.0
        for (p, q) in zip(ring, ring.dropFirst()) { area += p[0] * q[1] - q[0] * p[1] }
        #expect(area > 0)
        #expect(features[2]["geometry"] is NSNull)
    }
}

@Suite("Summary for pavewatch info")
struct SummaryTests {
    @Test("GSD, footprint and uncertainty, or the reason")
    func summary() throws {
        let s = FrameGeometry.summary(metadata: GeoFixtures.phantom(), width: 5472, height: 3648)
        #expect(abs((s.gsdCmPerPx ?? 0) - 100 * 13.2 / (8.8 * 5472) * 100) < 1e-6)
        #expect(s.footprint?.count == 4 && s.problem == nil && (s.uncertaintyM ?? 0) > 0)
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(json.contains("\"gsdCmPerPx\"") && json.contains("\"footprint\""))
        let nikon = FrameGeometry.summary(metadata: try GeoFixtures.metadata("nikon-DSCN0010.jpg"), width: 640, height: 480)
        #expect(nikon.gsdCmPerPx == nil && nikon.footprint == nil && nikon.problem?.contains("height") == true)
    }
}

@Suite("Finding units: length, width, area, outline")
struct FindingUnitsTests {
    @Test("Nadir frame: metres, millimetres and square metres follow the GSD")
    func nadirUnits() throws {
        let g = try FrameGeometry(metadata: GeoFixtures.phantom(yaw: 33), width: 5472, height: 3648)
        let gsd = g.nadirGSD
        let line = [SIMD2(1000.0, 1000), SIMD2(1600, 1000), SIMD2(1600, 1800)]
        #expect(abs(try g.lengthMetres(ofPolyline: line) - 1400 * gsd) < 1e-9)
        let square = [SIMD2(2000.0, 2000), SIMD2(2100, 2000), SIMD2(2100, 2100), SIMD2(2000, 2100)]
        #expect(abs(try g.areaSquareMetres(ofPolygon: square) - pow(100 * gsd, 2)) < 1e-9)
        #expect(abs(try g.widthMillimetres(3, atX: 2736, y: 1824) - 3 * gsd * 1000) < 1e-9)
        let outline = try g.outline(square)
        #expect(outline.count == 4 && outline.allSatisfy { $0.count == 2 })
        // Oblique: a line of the same pixel length is longer on the ground farther up the image.
        let ob = try FrameGeometry(metadata: GeoFixtures.phantom(pitch: -40), width: 5472, height: 3648)
        let near = try ob.lengthMetres(ofPolyline: [SIMD2(2000, 3500), SIMD2(2500, 3500)])
        let far = try ob.lengthMetres(ofPolyline: [SIMD2(2000, 1500), SIMD2(2500, 1500)])
        #expect(far > near)
        let low = try FrameGeometry(metadata: GeoFixtures.phantom(pitch: -10), width: 5472, height: 3648)
        #expect(throws: GeoError.self) { try low.outline([SIMD2(10, 3000), SIMD2(10, 0)]) }
    }

    @Test("Fixed camera: area of a ground square seen through an exact homography")
    func fixedUnits() throws {
        let plane = LocalTangentPlane(origin: GeoPoint(latitude: 40, longitude: -3))
        let truth = HomographyTests.truth
        let pixels = HomographyTests.grid(8)
        let points = pixels.map { p -> GroundControlPoint in
            let g = truth.apply(p)!
            let geo = plane.geodetic(SIMD3(g.x, g.y, 0))
            return GroundControlPoint(x: p.x, y: p.y, latitude: geo.latitude, longitude: geo.longitude)
        }
        let cam = try FixedCamera(controlPoints: points)
        let inv = try #require(truth.inverse)
        // A 2 m × 2 m ground square around the first ground point, mapped into the image and measured back.
        let g0 = truth.apply(pixels[3])!
        let corners = [SIMD2(0.0, 0), SIMD2(2, 0), SIMD2(2, 2), SIMD2(0, 2)].map { inv.apply(g0 + $0)! }
        #expect(abs(try cam.areaSquareMetres(ofPolygon: corners) - 4) < 0.05)  // plane origins differ slightly
        #expect(abs(try cam.lengthMetres(ofPolyline: [corners[0], corners[1]]) - 2) < 0.02)
    }
}
