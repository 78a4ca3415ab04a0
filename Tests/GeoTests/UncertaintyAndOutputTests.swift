import Foundation
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
