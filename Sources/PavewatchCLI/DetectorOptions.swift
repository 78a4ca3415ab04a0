import ArgumentParser
import Codecs

/// `--inspector`, `--models` and `--max-pixels`: which detector analyses the frames and how large a frame may be,
/// shared by `survey` and `worker`.
struct DetectorOptions: ParsableArguments {
    @Option(name: .customLong("inspector"), help: "Which detector runs (detector, or dark-regions to try the pipeline without a model).")
    var kind: InspectorKind = .detector

    @Option(help: "The detector's model file, or a folder holding it (default: models/).")
    var models: String?

    @Option(help: "Largest frame accepted, in pixels (decompression-bomb guard).")
    var maxPixels: Int = DecodeOptions.defaultMaxPixels

    func validate() throws {
        if maxPixels < 1 { throw ValidationError("--max-pixels must be positive") }
    }

    /// The decoder's limits.
    var decode: DecodeOptions { DecodeOptions(maxPixels: maxPixels) }
}
