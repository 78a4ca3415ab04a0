import Findings
import Foundation
import Geodesy
import Tickets

/// Builders for constructed findings and frames.
enum Fixtures {
    static let origin = GeoPoint(latitude: 47.3769, longitude: 8.5417)

    /// The point `east`/`north` metres from `origin`.
    static func point(east: Double, north: Double, from o: GeoPoint = origin) -> GeoPoint {
        LocalPlane(origin: o).unproject(SIMD2(east, north))
    }

    /// A crack running east from (`east`, `north`) for `lengthM` metres.
    static func crack(east: Double, north: Double, lengthM: Double = 1.0, widthMm: Double? = 5,
                      uncertaintyM: Double? = 0.5, confidence: Double = 0.8) -> Finding {
        let a = point(east: east, north: north), b = point(east: east + lengthM, north: north)
        let c = point(east: east + lengthM / 2, north: north)
        return Finding(defectClass: .crack, subtype: "transverse", confidence: confidence,
                       bbox: BoundingBox(x: 0, y: 0, width: 10, height: 2), outline: [[0, 0], [10, 0]],
                       lengthPx: 100, widthPx: 2, areaPx: 200, latitude: c.latitude, longitude: c.longitude,
                       uncertaintyM: uncertaintyM, lengthM: lengthM, widthMm: widthMm,
                       geoOutline: GeoOutline(kind: .lineString, points: [a, b]))
    }

    /// A square wet patch of side `side` metres centred at (`east`, `north`).
    static func leak(east: Double, north: Double, side: Double = 1, uncertaintyM: Double = 0.5) -> Finding {
        let h = side / 2
        let ring = [(-h, -h), (h, -h), (h, h), (-h, h)].map { point(east: east + $0.0, north: north + $0.1) }
        let c = point(east: east, north: north)
        return Finding(defectClass: .leak, confidence: 0.7, bbox: BoundingBox(x: 0, y: 0, width: 20, height: 20),
                       areaPx: 400, latitude: c.latitude, longitude: c.longitude, uncertaintyM: uncertaintyM,
                       areaM2: side * side, geoOutline: GeoOutline(kind: .polygon, points: ring))
    }

    /// A frame named `name` (its content hash is the hash of the name) with findings and an optional
    /// square footprint of side `footprint` metres centred on the origin.
    static func frame(_ name: String, _ findings: [Finding], footprint: Double? = nil) -> SurveyBatch.Frame {
        let fp = footprint.map { s in
            [(-s / 2, -s / 2), (s / 2, -s / 2), (s / 2, s / 2), (-s / 2, s / 2)].map { point(east: $0.0, north: $0.1) }
        }
        return SurveyBatch.Frame(report: FrameReport(file: name, width: 4000, height: 3000, findings: findings,
                                                     footprint: fp),
                                 contentHash: ContentHash.sha256Hex(Array(name.utf8)))
    }

    static func ticketCount(_ store: any TicketStore) async throws -> Int {
        try await store.tickets(TicketQuery()).count
    }
}
