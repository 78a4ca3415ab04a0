import ArgumentParser
import Foundation
import Tickets

/// How `condition`, `forecast` and `plan` divide the pavement into units: road segments from a file, or sample units.
struct ConditionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Road network: GeoJSON LineString/MultiLineString features with properties id and name. Without it, fixed sample units (--cell) over the surveyed surface.", valueName: "FILE.geojson"))
    var segments: String?

    @Option(help: ArgumentHelp("Road width around a segment's centre line, metres: a finding belongs to the nearest segment within half of it plus its location uncertainty.", valueName: "M"))
    var roadWidth: Double = 7

    @Option(help: ArgumentHelp("Side of a sample unit when there is no --segments file, metres.", valueName: "M"))
    var cell: Double = 10

    func validate() throws {
        guard roadWidth > 0, cell > 0 else { throw ValidationError("--road-width and --cell must be > 0") }
    }

    /// Reads the store's history and rates every unit in every survey.
    func assess(_ store: any ReviewStore) async throws -> (SurveyHistory, ConditionAssessment) {
        let roads = try segments.map { try RoadSegment.load(path: $0) }
        let history = try await SurveyHistory.load(from: store)
        return (history, ConditionAssessment(history: history, segments: roads, widthM: roadWidth, cellSizeM: cell))
    }
}
