import ArgumentParser
import ReviewServer
import Tickets

/// Options of the review pages of `pavewatch serve`.
struct ReviewOptions: ParsableArguments {
    @Option(name: .customLong("tile-url"),
            help: "Background map tiles for /map, e.g. http://tiles.local/{z}/{x}/{y}.png (default: none, SVG only).")
    var tileURL: String?

    @Flag(name: .customLong("secure-cookies"), help: "Mark session cookies Secure (when served behind HTTPS).")
    var secureCookies = false

    @Option(name: .customLong("segments"), help: ArgumentHelp("Road network GeoJSON the /condition page rates (default: 10 m sample units).", valueName: "FILE.geojson"))
    var segments: String?

    @Option(name: .customLong("road-width"), help: ArgumentHelp("Road width around a segment's centre line for /condition, metres.", valueName: "M"))
    var roadWidth: Double = 7

    /// The configuration these options describe.
    var configuration: ReviewConfiguration {
        ReviewConfiguration(tileURL: tileURL, secureCookies: secureCookies)
    }

    /// ``configuration`` with the road segments read.
    func loadConfiguration() throws -> ReviewConfiguration {
        var c = configuration
        c.segments = try segments.map { try RoadSegment.load(path: $0) }
        c.roadWidthM = roadWidth
        return c
    }
}
