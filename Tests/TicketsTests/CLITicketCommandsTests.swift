import TestSupport
import Foundation
import Testing

/// The ticket commands of the real `pavewatch` executable on a database file.
@Suite struct CLITicketCommandsTests {
    @Test func importTwiceRankExportGeoJSON() async throws {
        try await CLIProcess.withWorkFolder { binary, dir in
            let report = """
            [{"file": "f1.jpg", "width": 4000, "height": 3000, "findings": [
              {"class": "crack", "subtype": "transverse", "confidence": 0.9, "bbox": [1, 2, 3, 4], "outline": [],
               "latitude": 47.37, "longitude": 8.54, "uncertaintyM": 0.5, "lengthM": 2, "widthMm": 80,
               "geoOutline": {"type": "LineString", "coordinates": [[8.54, 47.37], [8.54003, 47.37]]}},
              {"class": "leak", "confidence": 0.6, "bbox": [1, 2, 3, 4], "outline": [],
               "latitude": 47.371, "longitude": 8.541, "uncertaintyM": 0.5, "areaM2": 0.5}]},
             {"file": "f2.jpg", "width": 4000, "height": 3000, "findings": [
              {"class": "crack", "confidence": 0.8, "bbox": [1, 2, 3, 4], "outline": [],
               "latitude": 47.370001, "longitude": 8.54001, "uncertaintyM": 0.5, "lengthM": 1.9, "widthMm": 70}]}]
            """
            let json = dir.appendingPathComponent("inspect.json")
            try Data(report.utf8).write(to: json)
            let db = dir.appendingPathComponent("t.sqlite").path

            var (status, out) = try await CLIProcess.run(binary, ["import", json.path, "--db", db, "--survey", "s1"], in: dir)
            #expect(status == 0, "\(out)")
            #expect(out.contains("2 frames added") && out.contains("2 new"))
            (status, out) = try await CLIProcess.run(binary, ["import", json.path, "--db", db], in: dir)
            #expect(status == 0 && out.contains("0 frames added, 2 already stored") && out.contains("0 new"))

            (status, out) = try await CLIProcess.run(binary, ["tickets", "--db", db, "--json"], in: dir)
            #expect(status == 0)
            let lines = out.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lines.count == 2)
            #expect(lines.first?["class"] as? String == "crack" && lines.first?["severity"] as? String == "high")
            #expect(lines.first?["sightings"] as? Int == 2)

            (status, out) = try await CLIProcess.run(binary, ["tickets", "--db", db, "--class", "leak"], in: dir)
            #expect(status == 0 && out.contains("leak") && !out.contains("crack"))

            let geo = dir.appendingPathComponent("out.geojson")
            (status, out) = try await CLIProcess.run(binary, ["export", "--format", "geojson", "--db", db, "--out", geo.path], in: dir)
            #expect(status == 0, "\(out)")
            let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: geo)) as? [String: Any])
            #expect(root["type"] as? String == "FeatureCollection")
            #expect((root["features"] as? [Any])?.count == 2)

            (status, out) = try await CLIProcess.run(binary, ["ticket", "1", "--db", db, "--set", "dispatched"], in: dir)
            #expect(status != 0 && out.contains("not allowed"))
            (status, out) = try await CLIProcess.run(binary, ["ticket", "1", "--db", db, "--set", "confirmed", "--actor", "eve"], in: dir)
            #expect(status == 0 && out.contains("\"actor\":\"eve\""))
        }
    }
}
