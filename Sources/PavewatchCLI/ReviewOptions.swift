import ArgumentParser
import ReviewServer
import Tickets

/// Options of the review pages of `pavewatch serve`.
struct ReviewOptions: ParsableArguments {
    @Option(name: .customLong("tile-url"),
            help: "Background map tiles for /map from a tile server, e.g. http://tiles.local/{z}/{x}/{y}.png (default: none).")
    var tileURL: String?

    @Option(name: .customLong("tiles"),
            help: "Offline base map for /map: an MBTiles file of raster tiles (png, jpg or webp), served from this machine; wins over --tile-url.")
    var tilesFile: String?

    @Option(name: .customLong("photos"),
            help: ArgumentHelp("Folder for the field crews' repair photos (\"Mark fixed\" then takes a photo; default: no photos).", valueName: "DIR"))
    var photos: String?

    @Flag(name: .customLong("secure-cookies"), help: "Mark session cookies Secure (when served behind HTTPS).")
    var secureCookies = false

    @Option(name: .customLong("segments"), help: ArgumentHelp("Road network GeoJSON the /condition page rates (default: 10 m sample units).", valueName: "FILE.geojson"))
    var segments: String?

    @Option(name: .customLong("road-width"), help: ArgumentHelp("Road width around a segment's centre line for /condition, metres.", valueName: "M"))
    var roadWidth: Double = 7

    /// The configuration these options describe.
    /// - Throws: ``CommandFailure`` naming the tile file when it cannot be read as MBTiles.
    func configuration() throws -> ReviewConfiguration {
        var tiles: MBTiles?
        if let tilesFile {
            do { tiles = try MBTiles(path: tilesFile) } catch { throw CommandFailure("\(error)") }
        }
        return ReviewConfiguration(tileURL: tileURL, tiles: tiles, photoDirectory: photos, secureCookies: secureCookies)
    }

    /// ``configuration()`` with the road segments read.
    func loadConfiguration() throws -> ReviewConfiguration {
        var c = try configuration()
        c.segments = try segments.map { try RoadSegment.load(path: $0) }
        c.roadWidthM = roadWidth
        return c
    }
}
