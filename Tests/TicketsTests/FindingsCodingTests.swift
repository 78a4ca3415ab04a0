import Findings
import Foundation
import Geodesy
import Testing

@Suite struct FindingsCodingTests {
    @Test func decodesInspectJSONWithoutGeo() throws {
        let json = """
        {"file": "IMG_1.jpg", "width": 4000, "height": 3000, "findings": [
          {"class": "crack", "subtype": "longitudinal", "confidence": 0.91, "bbox": [10, 20, 30, 400],
           "outline": [[10, 20], [40, 420]], "lengthPx": 402.5, "widthPx": 3.2, "areaPx": 1288},
          {"class": "leak", "confidence": 0.6, "bbox": [0, 0, 5, 6], "outline": [], "areaPx": 30}]}
        """
        let r = try JSONDecoder().decode(FrameReport.self, from: Data(json.utf8))
        #expect(r.file == "IMG_1.jpg" && r.width == 4000 && r.height == 3000)
        #expect(r.findings.count == 2)
        let c = r.findings[0]
        #expect(c.defectClass == .crack && c.subtype == "longitudinal" && c.confidence == 0.91)
        #expect(c.bbox == BoundingBox(x: 10, y: 20, width: 30, height: 400))
        #expect(c.outline == [[10, 20], [40, 420]])
        #expect(c.lengthPx == 402.5 && c.widthPx == 3.2 && c.areaPx == 1288)
        #expect(c.latitude == nil && c.location == nil && c.geoOutline == nil)
        #expect(r.findings[1].defectClass == .leak && r.findings[1].subtype == nil)
    }

    @Test func decodesGeoFieldsAndRoundTrips() throws {
        let json = """
        {"class": "crack", "confidence": 0.5, "bbox": [1, 2, 3, 4], "outline": [[1, 2]],
         "latitude": 47.1, "longitude": 8.2, "uncertaintyM": 0.03, "lengthM": 1.8, "widthMm": 6, "areaM2": 0.01,
         "geoOutline": {"type": "Polygon", "coordinates": [[[8.2, 47.1], [8.3, 47.1], [8.3, 47.2], [8.2, 47.1]]]}}
        """
        let f = try JSONDecoder().decode(Finding.self, from: Data(json.utf8))
        #expect(f.location == GeoPoint(latitude: 47.1, longitude: 8.2))
        #expect(f.uncertaintyM == 0.03 && f.lengthM == 1.8 && f.widthMm == 6 && f.areaM2 == 0.01)
        #expect(f.geoOutline?.kind == .polygon)
        #expect(f.geoOutline?.points.first == GeoPoint(latitude: 47.1, longitude: 8.2))
        let again = try JSONDecoder().decode(Finding.self, from: JSONEncoder().encode(f))
        #expect(again == f)
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(f)) as? [String: Any])
        #expect(object["class"] as? String == "crack")
        #expect((object["bbox"] as? [Int]) == [1, 2, 3, 4])
    }

    @Test func rejectsUnknownClassAndShortBBox() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Finding.self, from: Data(#"{"class":"pothole","confidence":1,"bbox":[1,2,3,4]}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Finding.self, from: Data(#"{"class":"crack","confidence":1,"bbox":[1,2,3]}"#.utf8))
        }
    }
}
