import Foundation
import ImagingCore
import Metadata
import NeuralNet
import Testing
@testable import Inspection

/// The segmenter kind of crack model (an encoder-decoder on RGB, ``CrackModel/Kind/segmenter(crackClass:)``):
/// model files, the tiled map (no seams, fused inference equal to the graph's own forward pass) and the detector.
@Suite("Segmenter crack maps")
struct SegmenterMapTests {
    /// The committed draft architecture with a head of `classes` outputs.
    static func draft(classes: Int) throws -> Architecture {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("models/segmenter-draft.arch.json"))
        var a = try JSONDecoder().decode(Architecture.self, from: data)
        a.layers[a.layers.count - 1].out = classes
        return a
    }

    /// A segmenter with seeded weights, written to a model file and read back.
    static func model(classNames: [String] = ["background", "crack", "look-alike"], seed: UInt64 = 5) throws -> CrackModel {
        let a = try draft(classes: classNames.count)
        let g = try Graph(architecture: a, seed: seed)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("segmenter-\(UUID()).nnw").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile(metadata: ModelMetadata(name: "seg", architecture: a, classNames: classNames),
                      weights: g.flatWeights()).write(to: path)
        return try CrackModel(path: path)
    }

    /// A colour frame with texture and a dark diagonal line.
    static func frame(width: Int, height: Int) -> PixelBuffer {
        var img = PixelBuffer(width: width, height: height, format: .rgb8)
        var rng = SystemRandomNumberGenerator()
        for y in 0..<height {
            for x in 0..<width {
                let line = abs(x - y - 10) <= 1
                let base = line ? 40 : 120 + Int.random(in: -25...25, using: &rng)
                for k in 0..<3 { img.bytes[y * img.rowStride + 3 * x + k] = UInt8(clamping: base + k * 7 + (x * 3 + y) % 11) }
            }
        }
        return img
    }

    @Test("a segmenter model file loads as the segmenter kind with its receptive field")
    func loads() throws {
        let m = try Self.model()
        #expect(m.kind == .segmenter(crackClass: 1))
        // Two stride-2 stages: tiles start on multiples of 4; the draft's context is about 20 pixels.
        #expect(m.alignment == 4)
        #expect(m.receptiveRadius >= 17 && m.receptiveRadius <= 32, "\(m.receptiveRadius)")
        #expect(CrackMap.margin(m) % 4 == 0 && CrackMap.margin(m) > m.receptiveRadius)
        #expect(CrackMap.tileSize(70, model: m) == 72)
        // The class named crack gives the probability, wherever it is.
        #expect(try Self.model(classNames: ["crack", "background"]).kind == .segmenter(crackClass: 0))
    }

    @Test("a model whose head does not match its class names, or without a crack class, is refused")
    func refuses() throws {
        #expect(throws: DetectorError.self) { _ = try Self.model(classNames: ["background", "wet", "other"]) }
        let a = try Self.draft(classes: 3)
        let g = try Graph(architecture: a, seed: 1)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("segmenter-bad-\(UUID()).nnw").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile(metadata: ModelMetadata(name: "seg", architecture: a, classNames: ["background", "crack"]),
                      weights: g.flatWeights()).write(to: path)
        #expect(throws: DetectorError.self) { _ = try CrackModel(path: path) }
    }

    @Test("the tiled map has no seams and the fused engine equals the graph's forward pass")
    func tiling() throws {
        let m = try Self.model()
        let img = Self.frame(width: 150, height: 118)
        let whole = CrackMap.probabilities(img, model: m, tileSize: 512, threads: 1)
        let tiled = CrackMap.probabilities(img, model: m, tileSize: 48, threads: 2)
        let reference = CrackMap.probabilities(img, model: m, tileSize: 48, threads: 1, engine: .reference)
        #expect(whole.count == 150 * 118)
        let seams = zip(whole, tiled).map { abs($0 - $1) }.max() ?? 1
        let engines = zip(tiled, reference).map { abs($0 - $1) }.max() ?? 1
        #expect(seams < 1e-4, "largest difference between one tile and 48-px tiles: \(seams)")
        #expect(engines < 1e-4, "largest difference between the fused engine and the graph: \(engines)")
        #expect(whole.allSatisfy { $0 >= 0 && $0 <= 1 })
        // A gray frame is read as colour with three equal channels.
        var gray = PixelBuffer(width: 150, height: 118, format: .gray8)
        for i in 0..<(150 * 118) { gray.bytes[i] = img.bytes[3 * i] }
        let g = CrackMap.probabilities(gray, model: m, tileSize: 512, threads: 1)
        let c = CrackMap.probabilities(CrackMap.colour(gray), model: m, tileSize: 512, threads: 1)
        #expect(g == c)
    }

    @Test("compiled networks are kept between frames: one per worker and tile shape, reused, the same map again")
    func compiledNetworksAreReused() throws {
        let m = try Self.model()
        let img = Self.frame(width: 150, height: 118)
        #expect(m.compiled.kept == 0 && m.compiled.misses == 0)
        let first = CrackMap.probabilities(img, model: m, tileSize: 48, threads: 2)
        // Edge tiles run at the full tile shape, so each of the (at most two) workers compiled one network.
        let compiled = m.compiled.misses
        #expect((1...2).contains(compiled) && m.compiled.kept == compiled)
        let second = CrackMap.probabilities(img, model: m, tileSize: 48, threads: 2)
        #expect(m.compiled.misses <= 2 && m.compiled.kept == m.compiled.misses, "the second frame reused the kept networks")
        #expect(first == second)
        // Another frame size compiles its own shape once, within the pool's capacity.
        let before = m.compiled.misses
        _ = CrackMap.probabilities(Self.frame(width: 40, height: 30), model: m, tileSize: 48, threads: 1)
        _ = CrackMap.probabilities(Self.frame(width: 40, height: 30), model: m, tileSize: 48, threads: 1)
        #expect(m.compiled.misses == before + 1 && m.compiled.kept <= m.compiled.capacity)
    }

    @Test("the detector runs a segmenter on the colour frame, reduced by the GSD's factor")
    func detector() throws {
        let m = try Self.model()
        var config = DetectorConfiguration()
        config.surface = nil
        config.tileGate = nil
        config.leaks = nil
        let d = Detector(model: m, configuration: config)
        var times = Detector.StageTimes()
        var size = (0, 0)
        _ = d.inspect(pixels: Self.frame(width: 200, height: 160), metadata: ImageMetadata(), file: "seg", threads: 2,
                      times: &times, crackMap: { _, w, h in size = (w, h) })
        #expect(size == (200, 160))
        config.assumedGSDMillimetres = 0.5  // the working scale (1 mm) halves the frame
        let reduced = Detector(model: m, configuration: config)
        _ = reduced.inspect(pixels: Self.frame(width: 200, height: 160), metadata: ImageMetadata(), file: "seg",
                            threads: 2, times: &times, crackMap: { _, w, h in size = (w, h) })
        #expect(size == (100, 80))
    }
}
