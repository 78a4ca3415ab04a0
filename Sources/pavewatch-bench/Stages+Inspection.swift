import Codecs
import Foundation
import Inspection

/// Benchmark stages of the Inspection module (see Benchmarks/README.md for the stage names):
/// `inspect` (decode the file + the whole detector on the frame), and its parts `inspect_map` (gray frame →
/// crack probability map) and `inspect_regions` (map → measured findings, with the tile-classifier gate), so the
/// share of each can be read; `inspect_leaks` (gray frame → leak findings); `inspect_map_tile384` /
/// `inspect_map_tile512` time the map at other tile sizes; `inspect_specks` (map → specks capped off it, the
/// detector's default ``CrackMap/Specks``).
let inspectStages: [BenchStage] = [
    BenchStage(name: "inspect") { input in
        let detector = try Detector()
        return {
            let decoded = try ImageDecoder.decode(input.fileBytes)
            var times = Detector.StageTimes()
            _ = detector.inspect(pixels: decoded.pixels, metadata: decoded.metadata, file: input.path,
                                 threads: input.threads, times: &times)
        }
    },
    BenchStage(name: "inspect_map") { input in
        let detector = try Detector()
        return { _ = CrackMap.probabilities(input.gray, model: detector.model, threads: input.threads) }
    },
    // The map at other tile core sizes (the detector's default is DetectorConfiguration.tileSize): larger tiles
    // repeat less margin, smaller ones keep activations closer to the cache. For choosing the default.
    BenchStage(name: "inspect_map_tile384") { input in
        let detector = try Detector()
        return { _ = CrackMap.probabilities(input.gray, model: detector.model, tileSize: 384, threads: input.threads) }
    },
    BenchStage(name: "inspect_map_tile512") { input in
        let detector = try Detector()
        return { _ = CrackMap.probabilities(input.gray, model: detector.model, tileSize: 512, threads: input.threads) }
    },
    BenchStage(name: "inspect_leaks") { input in
        guard let leaks = try Detector().leakFinder else { throw DetectorError("leak detection is off") }
        return { _ = leaks.findings(leaks.cellMap(input.gray, threads: input.threads)) }
    },
    BenchStage(name: "inspect_specks") { input in
        let detector = try Detector()
        guard let specks = detector.configuration.specks else { throw DetectorError("the speck filter is off") }
        let map = CrackMap.probabilities(input.gray, model: detector.model, threads: input.threads)
        return {
            var p = map
            specks.remove(from: &p, width: input.gray.width, height: input.gray.height)
        }
    },
    BenchStage(name: "inspect_regions") { input in
        let detector = try Detector()
        let map = CrackMap.probabilities(input.gray, model: detector.model, threads: input.threads)
        return {
            _ = detector.regions(map, width: input.gray.width, height: input.gray.height, gray: input.gray,
                                 threads: input.threads)
        }
    },
]
