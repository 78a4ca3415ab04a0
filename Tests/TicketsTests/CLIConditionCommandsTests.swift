import Foundation
import TestSupport
import Testing

/// `condition`, `forecast`, `plan` and `kpi` of the real `pavewatch` executable on a database file.
@Suite struct CLIConditionCommandsTests {
    /// One frame's inspect JSON: a 30 m square footprint around (47.37, 8.54) and a crack of `lengthM` × `widthMm`.
    static func report(_ file: String, date: String, lengthM: Double, widthMm: Double) -> String {
        let d = 0.000135, e = 0.0002  // about 15 m north and east
        return """
        {"file": "\(file)", "width": 4000, "height": 3000, "capturedAt": "\(date)", "surfaceFraction": 1,
         "footprint": [[\(8.54 - e), \(47.37 - d)], [\(8.54 + e), \(47.37 - d)], [\(8.54 + e), \(47.37 + d)], [\(8.54 - e), \(47.37 + d)]],
         "findings": [{"class": "crack", "subtype": "transverse", "confidence": 0.9, "bbox": [1, 2, 3, 4], "outline": [],
           "latitude": 47.37, "longitude": 8.54, "uncertaintyM": 0.5, "lengthM": \(lengthM), "widthMm": \(widthMm),
           "geoOutline": {"type": "LineString", "coordinates": [[8.54, 47.37], [\(8.54 + lengthM / 75_400), 47.37]]}}]}
        """
    }

    @Test func conditionForecastPlanAndKPIOnImportedSurveys() async throws {
        try await CLIProcess.withWorkFolder { binary, dir in
            let db = dir.appendingPathComponent("t.sqlite").path
            for (n, (date, width)) in [("2024-05-01T10:00:00Z", 6.0), ("2025-05-01T10:00:00Z", 8.0)].enumerated() {
                let json = dir.appendingPathComponent("s\(n).json")
                try Data(Self.report("f\(n).jpg", date: date, lengthM: 3, widthMm: width).utf8).write(to: json)
                let (status, out) = try await CLIProcess.run(binary, ["import", json.path, "--db", db, "--survey", "s\(n)"], in: dir)
                #expect(status == 0, "\(out)")
            }

            var (status, out) = try await CLIProcess.run(binary, ["condition", "--db", db, "--json"], in: dir)
            #expect(status == 0, "\(out)")
            let rows = out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(rows.count >= 2 && rows.count % 2 == 0)
            for r in rows {
                #expect(r["segment"] is String && r["survey"] is String && r["surveyedAreaM2"] is Double)
                #expect(r["conditionIndex"] is Double)
            }
            #expect(rows.contains { ($0["conditionIndex"] as? Double ?? 100) < 100 })

            let segments = dir.appendingPathComponent("roads.geojson")
            try Data("""
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "properties": {"id": "R1", "name": "Ring"}, "geometry": {"type": "LineString", "coordinates": [[8.5398, 47.37], [8.5402, 47.37]]}},
              {"type": "Feature", "properties": {"id": "R2", "name": "Far"}, "geometry": {"type": "LineString", "coordinates": [[8.55, 47.38], [8.551, 47.38]]}}]}
            """.utf8).write(to: segments)
            (status, out) = try await CLIProcess.run(binary, ["condition", "--db", db, "--segments", segments.path, "--csv"], in: dir)
            #expect(status == 0, "\(out)")
            let lines = out.split(separator: "\n")
            #expect(lines.first?.hasPrefix("segment,name,survey,date,conditionIndex") == true && lines.count == 5)
            #expect(lines.contains { $0.hasPrefix("R2,Far,s0,") })
            #expect(lines.filter { $0.hasPrefix("R2,") }.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[4].isEmpty })
            (status, out) = try await CLIProcess.run(binary, ["condition", "--db", db, "--segments", segments.path, "--geojson"], in: dir)
            #expect(status == 0 && out.contains("\"FeatureCollection\"") && out.contains("\"R1\""))

            (status, out) = try await CLIProcess.run(binary, ["forecast", "--db", db, "--json"], in: dir)
            #expect(status == 0, "\(out)")
            let ticket = try #require(out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .compactMap { $0["ticket"] as? [String: Any] }.first)
            #expect(ticket["surveys"] as? Int == 2 && (ticket["date"] as? String)?.hasPrefix("2026-05") == true)

            (status, out) = try await CLIProcess.run(binary, ["plan", "--db", db, "--budget", "10m"], in: dir)
            #expect(status == 0 && out.contains("budget left: 7.00 m"), "\(out)")
            (status, out) = try await CLIProcess.run(binary, ["plan", "--db", db, "--budget", "lots"], in: dir)
            #expect(status != 0 && out.contains("--budget"))

            (status, out) = try await CLIProcess.run(binary, ["ticket", "1", "--db", db, "--set", "confirmed"], in: dir)
            #expect(status == 0, "\(out)")
            (status, out) = try await CLIProcess.run(binary, ["kpi", "--db", db, "--json"], in: dir)
            #expect(status == 0, "\(out)")
            let kpi = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let stages = try #require(kpi["stages"] as? [[String: Any]])
            #expect(stages.first?["stage"] as? String == "confirmed" && stages.first?["count"] as? Int == 1)
            #expect(stages.first?["medianHours"] is Double && kpi["open"] as? Int == 1)
            (status, out) = try await CLIProcess.run(binary, ["kpi", "--db", db, "--csv"], in: dir)
            #expect(status == 0 && out.hasPrefix("metric,severity,age,value\n") && out.contains("confirmed_count,,,1"))
            (status, out) = try await CLIProcess.run(binary, ["condition", "--help"], in: dir)
            #expect(status == 0 && out.contains("--segments") && out.contains("ASTM D6433"))
        }
    }
}
