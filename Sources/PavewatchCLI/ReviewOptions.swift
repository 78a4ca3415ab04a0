import ArgumentParser
import ReviewServer

/// Options of the review pages of `pavewatch serve`.
struct ReviewOptions: ParsableArguments {
    @Option(name: .customLong("tile-url"),
            help: "Background map tiles for /map, e.g. http://tiles.local/{z}/{x}/{y}.png (default: none, SVG only).")
    var tileURL: String?

    @Flag(name: .customLong("secure-cookies"), help: "Mark session cookies Secure (when served behind HTTPS).")
    var secureCookies = false

    /// The configuration these options describe.
    var configuration: ReviewConfiguration {
        ReviewConfiguration(tileURL: tileURL, secureCookies: secureCookies)
    }
}
