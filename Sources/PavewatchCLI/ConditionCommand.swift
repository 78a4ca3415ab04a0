import ArgumentParser
import Foundation
import Tickets

/// `pavewatch condition`: the condition index of every road segment or sample unit in every survey.
struct ConditionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "condition",
        abstract: "Rate every road segment (or sample unit) per survey: a 0-100 condition index in the manner of ASTM D6433.",
        discussion: """
        Each unit's index comes from the distresses the survey saw in it (longitudinal/transverse, block and alligator \
        cracking, wet patches), by severity and density over the paved surface the survey's frames covered there. A unit \
        no frame covered is "not surveyed" (conditionIndex null), never 100. docs/CONDITION.md gives the formula and what \
        is simplified.

        --json prints one object per unit and survey (segment, name, survey, date, conditionIndex, rating, \
        surveyedAreaM2, unitAreaM2, distresses, tickets); --format geojson and csv write the same rows for GIS and \
        asset-management tools.
        """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var units: ConditionOptions

    @Option(help: "Only this survey (by name).")
    var survey: String?

    @Option(help: "table (default), json (one object per line), geojson or csv.")
    var format: ReportFormat = .table

    @Flag(help: "Same as --format json.")
    var json = false

    @Flag(help: "Same as --format geojson.")
    var geojson = false

    @Flag(help: "Same as --format csv.")
    var csv = false

    @Option(help: "Output file (default: standard output).")
    var out: String?

    func validate() throws {
        guard [json, geojson, csv].filter({ $0 }).count <= 1 else { throw ValidationError("give at most one of --json, --geojson, --csv") }
    }

    var chosen: ReportFormat { json ? .json : geojson ? .geojson : csv ? .csv : format }

    func run() async throws {
        let store = try await database.openReviewStore(logger: logging.logger(command: "condition"))
        let (_, assessment) = try await units.assess(store)
        if let survey, !assessment.surveys.contains(where: { $0.survey == survey }) {
            throw CommandFailure("no survey named \(survey)")
        }
        let rows = assessment.rows.filter { survey == nil || $0.survey == survey }
        switch chosen {
        case .json:
            var text = ""
            let encoder = CLIOutput.jsonEncoder()
            for r in rows { text += String(decoding: try encoder.encode(r), as: UTF8.self) + "\n" }
            try CLIOutput.write(text, to: out)
        case .geojson: try CLIOutput.write(try ConditionExport.geoJSON(rows, units: assessment.units), to: out)
        case .csv: try CLIOutput.write(ConditionExport.csv(rows), to: out)
        case .table:
            CLIOutput.printTable(["survey", "date", "index", "rating", "surveyed_m2", "units", "not_surveyed", "off_units"],
                                 assessment.surveys.filter { survey == nil || $0.survey == survey }.map { s in
                                     [s.survey, CLIOutput.day(s.date), CLIOutput.num(s.conditionIndex, "%.1f"), s.rating ?? "not surveyed",
                                      String(format: "%.0f", s.surveyedAreaM2), String(s.unitsSurveyed), String(s.unitsNotSurveyed),
                                      String(s.sightingsOffUnits)]
                                 })
            print("")
            CLIOutput.printTable(["segment", "name", "survey", "index", "rating", "surveyed_m2", "unit_m2", "distresses"],
                                 rows.map { r in
                                     [r.segment, r.name ?? "", r.survey, CLIOutput.num(r.conditionIndex, "%.1f"),
                                      r.rating ?? "not surveyed", String(format: "%.0f", r.surveyedAreaM2),
                                      String(format: "%.0f", r.unitAreaM2),
                                      r.distresses.map { "\($0.distress.rawValue)/\($0.severity.rawValue) \($0.quantity)\($0.unit)" }
                                          .joined(separator: "; ")]
                                 })
        }
    }
}
