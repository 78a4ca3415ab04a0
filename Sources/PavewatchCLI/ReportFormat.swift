import ArgumentParser

/// Output choice of the condition commands: a table, JSON lines, GeoJSON or CSV.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, geojson, csv
}
