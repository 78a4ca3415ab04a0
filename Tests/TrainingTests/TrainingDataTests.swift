import Codecs
import Foundation
import ImagingCore
import NeuralNet
import Testing
@testable import Training

/// A fresh empty folder under the temporary directory.
func temporaryFolder(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "pavewatch-training-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes a gray image as PNG.
func writePNG(_ g: GrayImage, to path: String) throws {
    var buf = PixelBuffer(width: g.width, height: g.height, format: .gray8)
    for y in 0..<g.height {
        buf.bytes.replaceSubrange((y * buf.rowStride)..<(y * buf.rowStride + g.width), with: g.pixels[(y * g.width)..<((y + 1) * g.width)])
    }
    try Data(try ImageEncoder.png(buf)).write(to: URL(fileURLWithPath: path))
}

/// A 128×64 photo with a dark vertical crack in its left half, and its mask.
func crackPhoto(seed: UInt64) -> (GrayImage, GrayImage) {
    var rng = RandomSource(seed: seed)
    var img = [UInt8](repeating: 0, count: 128 * 64), mask = img
    for y in 0..<64 {
        for x in 0..<128 {
            img[y * 128 + x] = UInt8(120 + rng.index(below: 40))
            if x >= 30 && x < 33 { img[y * 128 + x] = 30; mask[y * 128 + x] = 255 }
        }
    }
    return (GrayImage(width: 128, height: 64, pixels: img), GrayImage(width: 128, height: 64, pixels: mask))
}

@Suite("Training data")
struct TrainingDataTests {
    @Test("tile labels from crack-pixel fractions; ambiguous tiles skipped")
    func labeling() {
        let l = TileLabeling(crackFraction: 0.01, backgroundFraction: 0.001, leakFraction: 0.3)
        #expect(l.label(crack: 0.05) == .crack)
        #expect(l.label(crack: 0) == .background)
        #expect(l.label(crack: 0.005) == nil)
        #expect(l.label(crack: 0.02, leak: 0.4) == .leak)
        #expect(l.label(crack: 0, other: 0.2) == nil)
        let (img, mask) = crackPhoto(seed: 1)
        let tiles = l.tiles(image: img, mask: mask, size: 64, stride: 64, source: "p") { $0 > 127 ? .crack : .background }
        #expect(tiles.map(\.label) == [.crack, .background])
        #expect(tiles[0].pixels == img.crop(x: 0, y: 0, size: 64))
    }

    @Test("YOLO boxes rasterise to their pixels")
    func boxes() {
        let m = DatasetBuilder.boxMask("0 0.5 0.5 0.5 0.25\n", width: 8, height: 8)
        #expect(m.pixels.reduce(0) { $0 + Int($1) } == 4 * 2)
        #expect(m.pixels[3 * 8 + 2] == 1 && m.pixels[0] == 0)
    }

    @Test("validation photos: deterministic, about the asked fraction, at least one")
    func split() {
        let b = DatasetBuilder(config: TrainingConfig())
        let ids = (0..<100).map { "set/\($0)" }
        let v1 = b.validationSources(ids, dataset: "set"), v2 = b.validationSources(ids.reversed(), dataset: "set")
        #expect(v1 == v2 && v1.count == 20)
        var other = TrainingConfig()
        other.seed = 5
        #expect(DatasetBuilder(config: other).validationSources(ids, dataset: "set") != v1)
        #expect(b.validationSources(["only"], dataset: "x").count == 1)
    }

    @Test("epochs draw every class equally, reproducibly")
    func balance() {
        let s = (0..<100).map { i in TileSample(pixels: [0], size: 1, label: i < 90 ? .background : (i < 97 ? .crack : .leak), source: "\(i)") }
        let a = Trainer.epochIndices(s, count: 300, seed: 1, epoch: 0)
        #expect(a == Trainer.epochIndices(s, count: 300, seed: 1, epoch: 0))
        #expect(a != Trainer.epochIndices(s, count: 300, seed: 1, epoch: 1))
        for c in TileClass.allCases { #expect(a.filter { s[$0].label == c }.count == 100) }
        let mixed = Trainer.epochIndices(s, count: 300, seed: 1, epoch: 0, mix: [0.4, 0.2, 0.4])
        #expect(TileClass.allCases.map { c in mixed.filter { s[$0].label == c }.count } == [120, 60, 120])
    }

    @Test("sourceRepeats oversamples one data set within its class")
    func repeats() {
        // 50 background tiles from "big", 10 from "small": repeated 5 times, "small" makes half of the pool.
        let s = (0..<60).map { i in TileSample(pixels: [0], size: 1, label: .background, source: i < 50 ? "big/\(i)" : "small/\(i)") }
        let plain = Trainer.epochIndices(s, count: 1000, seed: 3, epoch: 0)
        let boosted = Trainer.epochIndices(s, count: 1000, seed: 3, epoch: 0, repeats: ["small": 5])
        let share = { (ids: [Int]) in Double(ids.filter { $0 >= 50 }.count) / Double(ids.count) }
        #expect(abs(share(plain) - 1.0 / 6) < 0.01)
        #expect(abs(share(boosted) - 0.5) < 0.01)
    }

    @Test("augmentation is seeded and stays in [0, 1]")
    func augment() {
        let (img, _) = crackPhoto(seed: 2)
        let t = TileSample(pixels: img.crop(x: 0, y: 0, size: 64), size: 64, label: .crack, source: "p")
        let aug = Augmenter(jpegProbability: 1)
        var r1 = RandomSource(seed: 9), r2 = RandomSource(seed: 9)
        let a = aug.apply(t, rng: &r1), b = aug.apply(t, rng: &r2)
        #expect(a == b && a.count == 64 * 64)
        #expect(a.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(a != t.pixels.map { Float($0) / 255 })
    }

    @Test("data set from photos: dedupe of identical files, no photo on both sides, training end to end with resume")
    func endToEnd() throws {
        let root = try temporaryFolder("data")
        let cfd = "\(root)/crackforest-cfd"
        try FileManager.default.createDirectory(atPath: "\(cfd)/image", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(cfd)/mask_png", withIntermediateDirectories: true)
        for i in 0..<10 {
            let (img, mask) = crackPhoto(seed: UInt64(i % 9))  // photo 9 repeats photo 0 byte for byte
            let name = String(format: "%03d", i)
            try writePNG(img, to: "\(cfd)/image/\(name).png")
            try writePNG(mask, to: "\(cfd)/mask_png/\(name).png")
        }
        var config = TrainingConfig()
        config.datasetRoot = root
        config.sources = ["crackforest"]
        config.validationFraction = 0.3
        config.epochs = 2
        config.samplesPerEpoch = 64
        config.batchSize = 32
        config.warmupSteps = 1
        config.threads = 1
        config.architecture = Architecture(
            input: InputSpec(channels: 1, height: 64, width: 64),
            layers: [LayerSpec(type: "conv", out: 4, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "batchnorm"),
                     LayerSpec(type: "relu"), LayerSpec(type: "globalavgpool"), LayerSpec(type: "dense", out: 3)])
        var builder = DatasetBuilder(config: config)
        let data = try builder.build()
        #expect(data.summary.last == "byte-identical files skipped: 1")
        #expect(Set(data.train.map(\.source)).isDisjoint(with: Set(data.validation.map(\.source))))
        #expect(Set(data.train.map(\.source)).count + Set(data.validation.map(\.source)).count == 9)

        let out = try temporaryFolder("out") + "/tiny-v1.0"
        var lines: [String] = []
        let report = try Trainer(config: config, outPrefix: out, progress: { _ in }, log: { lines.append($0) }).run(resume: false)
        #expect(report.epochsRun == 2)
        let model = try ModelFile(path: out + ".nnw")
        #expect(model.metadata.classNames == ["crack", "leak", "background"])
        let arch = try JSONDecoder().decode(Architecture.self, from: Data(contentsOf: URL(fileURLWithPath: out + ".arch.json")))
        #expect(arch.normalized == model.metadata.architecture.normalized)
        // The same seed on two threads gives bit-identical weights (models/MODEL.md says so).
        var twoThreads = config
        twoThreads.threads = 2
        let out2 = try temporaryFolder("out2") + "/tiny-v1.0"
        _ = try Trainer(config: twoThreads, outPrefix: out2, progress: { _ in }, log: { _ in }).run(resume: false)
        #expect(try ModelFile(path: out2 + ".nnw").weights == model.weights, "1 and 2 threads train the same weights")
        // A resumed run with more epochs starts after the checkpoint's epoch.
        config.epochs = 3
        lines = []
        let resumed = try Trainer(config: config, outPrefix: out, progress: { _ in }, log: { lines.append($0) }).run(resume: true)
        #expect(resumed.epochsRun == 3)
        #expect(lines.contains { $0.hasPrefix("resumed from") })
        #expect(lines.filter { $0.hasPrefix("\nepoch ") }.count == 1)
    }

    @Test("evaluation tiles from class folders, any size")
    func evaluationTiles() throws {
        let dir = try temporaryFolder("tiles")
        for (folder, seed) in [("Positive", 1), ("background", 2)] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(folder)", withIntermediateDirectories: true)
            let (img, _) = crackPhoto(seed: UInt64(seed))
            try writePNG(img, to: "\(dir)/\(folder)/a.png")
        }
        let tiles = try Evaluation.tiles(directory: dir, label: nil, size: 32)
        #expect(tiles.map(\.label) == [.crack, .background])
        #expect(tiles.allSatisfy { $0.pixels.count == 32 * 32 })
        try FileManager.default.createDirectory(atPath: "\(dir)/puddles", withIntermediateDirectories: true)
        #expect(throws: ValidationFailure.self) { try Evaluation.tiles(directory: dir, label: nil, size: 32) }
        #expect(try Evaluation.tiles(directory: dir, label: .leak, size: 32).count == 2)
    }
}
