import Codecs
import Filters
import Findings
import Foundation
import ImagingCore
import Metadata
import NeuralNet
import Testing
import Training
@testable import Inspection

/// The committed model, found from this file's path (Tests/InspectionTests/ → repository root).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func committedDetector(threshold: Double = 0.7) throws -> Detector {
    let path = repositoryRoot.appendingPathComponent("models/" + CrackModel.defaultFileName).path
    return try Detector(configuration: DetectorConfiguration(modelPath: path, threshold: threshold))
}

/// A gray frame of mottled pavement-like texture (seeded), mean about 140.
func textureFrame(width: Int, height: Int, seed: UInt64, noise: Float = 10) -> PixelBuffer {
    var rng = RandomSource(seed: seed)
    var img = PixelBuffer(width: width, height: height, format: .gray8)
    for y in 0..<height {
        for x in 0..<width {
            let v = 140 + noise * rng.normal() + 6 * Float(sin(Double(x) * 0.05) * cos(Double(y) * 0.07))
            img.bytes[y * img.rowStride + x] = UInt8(max(0, min(255, v)))
        }
    }
    return img
}

/// Darkens a straight band (a crack) of `width` px from a to b by `depth` grey levels.
func drawDarkCrack(_ img: inout PixelBuffer, from a: SIMD2<Double>, to b: SIMD2<Double>, width: Double, depth: Int = 70) {
    var m = BinaryMask(width: img.width, height: img.height)
    drawCrack(&m, from: a, to: b, width: width)
    for y in 0..<img.height { for x in 0..<img.width where m[x, y] {
        let i = y * img.rowStride + x
        img.bytes[i] = UInt8(max(0, Int(img.bytes[i]) - depth))
    } }
}

/// A 320×240 texture frame with a 4-px vertical crack, seen by a DJI FC6310 looking straight down from `altitude`
/// metres at 52° N, 4.3° E.
func nadirCrackFrame(altitude: Double) -> (PixelBuffer, ImageMetadata) {
    var img = textureFrame(width: 320, height: 240, seed: 5)
    drawDarkCrack(&img, from: SIMD2(160.2, 20.3), to: SIMD2(161.7, 220.1), width: 4)
    var m = ImageMetadata()
    m.make = "DJI"; m.model = "FC6310"; m.focalLength = 8.8
    m.latitude = 52.0; m.longitude = 4.3; m.relativeAltitude = altitude; m.gimbalPitch = -90; m.gimbalYaw = 0
    return (img, m)
}

@Suite("Pixel evaluation")
struct PixelEvaluationTests {
    func line(_ w: Int, _ h: Int, row: Int) -> BinaryMask {
        var m = BinaryMask(width: w, height: h)
        for x in 0..<w { m[x, row] = true }
        return m
    }

    @Test("exact and 2-px-shifted predictions score 1; a 4-px shift scores 0")
    func tolerance() {
        let truth = line(50, 40, row: 20)
        for (shift, expected) in [(0, 1.0), (2, 1.0), (4, 0.0)] {
            var ev = PixelEvaluation(tolerance: 2)
            let pred = line(50, 40, row: 20 + shift)
            ev.add(probability: pred.bits.map { Float($0) * 0.9 }, truth: truth)
            #expect(abs(ev.ods.f1 - expected) < 1e-9, "shift \(shift): \(ev.ods)")
            #expect(abs(ev.ois.f1 - expected) < 1e-9)
        }
    }

    @Test("exact-pixel matching (tolerance 0): only the labelled pixels count, a 1-px shift scores 0")
    func exact() {
        let truth = line(50, 40, row: 20)
        for (shift, expected) in [(0, 1.0), (1, 0.0)] {
            var ev = DetectorEvaluation(tolerance: 0).pixels
            #expect(ev.tolerance == 0)
            ev.add(probability: line(50, 40, row: 20 + shift).bits.map { Float($0) * 0.9 }, truth: truth)
            #expect(abs(ev.ods.f1 - expected) < 1e-9, "shift \(shift): \(ev.ods)")
        }
    }

    @Test("ODS picks the threshold that separates a true line from a weaker false one")
    func threshold() {
        let truth = line(60, 40, row: 10)
        var prob = [Float](repeating: 0, count: 60 * 40)
        for x in 0..<60 { prob[10 * 60 + x] = 0.8; prob[30 * 60 + x] = 0.4 }
        var ev = PixelEvaluation()
        ev.add(probability: prob, truth: truth)
        #expect(ev.ods.f1 == 1)
        #expect(ev.ods.threshold > 0.4 && ev.ods.threshold <= 0.8)
        #expect(abs(ev.at(threshold: 0.3).precision - 0.5) < 1e-9)
    }
}

@Suite("Crack map tiling")
struct CrackMapTests {
    @Test("the probability map does not depend on the tile size (no seams)")
    func seamless() {
        let net = CrackModel.makeNetwork(height: 8, width: 8, seed: 7)
        let model = CrackModel(weights: net.flatWeights(), metadata: ModelMetadata(
            name: "random", architecture: net.architecture, classNames: ["crack"]))
        var img = textureFrame(width: 150, height: 110, seed: 3)
        drawDarkCrack(&img, from: SIMD2(5, 100), to: SIMD2(145, 8), width: 3)
        let whole = CrackMap.probabilities(img, model: model, tileSize: 512, threads: 1)
        let tiled = CrackMap.probabilities(img, model: model, tileSize: 37, threads: 2)
        let diff = zip(whole, tiled).map { abs($0 - $1) }.max() ?? 1
        #expect(whole.count == 150 * 110)
        #expect(diff < 1e-4, "largest difference \(diff)")
    }

    @Test("the fused inference engine gives the reference forward pass's map", arguments: [37, 64, 256])
    func inferenceMatchesReference(tileSize: Int) throws {
        let model = try CrackModel(path: try CrackModel.locate(nil))
        var img = textureFrame(width: 203, height: 131, seed: 11)
        drawDarkCrack(&img, from: SIMD2(3, 120), to: SIMD2(199, 9), width: 2)
        let reference = CrackMap.probabilities(img, model: model, tileSize: tileSize, threads: 1, engine: .reference)
        let fused = CrackMap.probabilities(img, model: model, tileSize: tileSize, threads: 2, engine: .inference)
        let diff = zip(reference, fused).map { abs($0 - $1) }.max() ?? 1
        #expect(fused.count == 203 * 131)
        #expect(diff < 1e-4, "largest difference \(diff)")
        #expect(reference.contains { $0 > 0.5 }, "the drawn crack is found, so the maps are not trivially equal")
        // Every layer runs fused (rows of a multiple of 16 pixels), none through im2col.
        let convs = model.metadata.architecture.layers.filter { $0.type == "conv" }.count
        #expect(InferenceModel(network: model.network(height: 40, width: 48), batchSize: 1).fusedLayers == convs)
    }
}

@Suite("Detector with the committed model")
struct DetectorTests {
    @Test("a drawn crack is one finding of the right length and width, across tile borders",
          arguments: [2.0, 4.0, 7.0])
    func syntheticCrack(drawnWidth: Double) throws {
        let detector = try committedDetector()
        var img = textureFrame(width: 320, height: 240, seed: 11)
        let a = SIMD2<Double>(40.3, 200.2), b = SIMD2<Double>(280.6, 60.4)
        drawDarkCrack(&img, from: a, to: b, width: drawnWidth)
        var times = Detector.StageTimes()
        // The detector users run (its gate and leak finder), with 64-px tiles: the crack crosses several tile borders.
        var c = detector.configuration
        c.tileSize = 64
        let small = Detector(model: detector.model, gate: detector.gate ?? detector.leakFinder?.classifier, configuration: c)
        #expect(small.gate != nil && small.leakFinder != nil)
        let report = small.inspect(pixels: img, metadata: ImageMetadata(), file: "synthetic", threads: 2, times: &times)
        let cracks = report.findings.filter { $0.defectClass == .crack }
        #expect(cracks.count == 1, "\(cracks.map(\.bbox))")
        let f = try #require(cracks.first)
        let length = ((b - a) * (b - a)).sum().squareRoot()
        let measured = try #require(f.lengthPx)
        #expect(abs(measured - length) / length < 0.05, "length \(measured) for \(length)")
        // The width comes from the gray levels across the crack (CrackWidth); the region above the threshold
        // is about 1.5 px wider than the crack with crack-pixel-v1.2 and v1.3.
        let width = try #require(f.widthPx)
        #expect(abs(width - drawnWidth) <= 1, "width \(width) for \(drawnWidth)")
        #expect(f.latitude == nil && report.latitude == nil)  // no position: findings still reported
        #expect(report.noLocation == true)
        #expect(f.subtype == "transverse")  // 30° from the image x axis
    }

    /// The regions are measured, gated and turned into findings in parallel: the same findings, in the same order,
    /// with one thread or several.
    @Test("several drawn cracks: the same findings in the same order with 1, 2 and 3 threads")
    func regionsDoNotDependOnThreads() throws {
        let detector = try committedDetector()
        var img = textureFrame(width: 400, height: 300, seed: 5)
        drawDarkCrack(&img, from: SIMD2(30, 40), to: SIMD2(370, 60), width: 3)
        drawDarkCrack(&img, from: SIMD2(60, 280), to: SIMD2(200, 120), width: 5)
        drawDarkCrack(&img, from: SIMD2(250, 150), to: SIMD2(380, 290), width: 2)
        drawDarkCrack(&img, from: SIMD2(20, 150), to: SIMD2(90, 160), width: 4)
        var reports: [[Finding]] = []
        for threads in [1, 2, 3] {
            var times = Detector.StageTimes()
            reports.append(detector.inspect(pixels: img, metadata: ImageMetadata(), file: "cracks", threads: threads,
                                            times: &times).findings)
        }
        #expect(reports[0].filter { $0.defectClass == .crack }.count >= 3, "\(reports[0].map(\.bbox))")
        #expect(reports[1] == reports[0] && reports[2] == reports[0])
    }

    @Test("blank, uniform and noise-only frames give no findings")
    func blank() throws {
        let detector = try committedDetector()
        var frames: [PixelBuffer] = []
        for v: UInt8 in [0, 128, 255] {
            var img = PixelBuffer(width: 200, height: 150, format: .gray8)
            for i in img.bytes.indices { img.bytes[i] = v }
            frames.append(img)
        }
        for seed: UInt64 in 1...3 { frames.append(textureFrame(width: 200, height: 150, seed: seed, noise: 25)) }
        for img in frames {
            var t = Detector.StageTimes()
            let r = detector.inspect(pixels: img, metadata: ImageMetadata(), file: "blank", threads: 1, times: &t)
            #expect(r.findings.isEmpty, "\(r.findings.map(\.confidence))")
        }
    }

    @Test("held-out crack-free photos (pavement-negatives, Özgenel): findings on at most 2 %")
    func negatives() throws {
        let detector = try committedDetector()
        let dir = repositoryRoot.appendingPathComponent("Tests/InspectionTests/Fixtures/negatives").path
        let files = try CrackDataset.files(in: dir)
        #expect(files.count >= 30)
        var withFindings: [String] = []
        for (stem, path) in files {
            let img = try ImageDecoder.decode(path: path)
            var times = Detector.StageTimes()
            if !detector.inspect(pixels: img.pixels, metadata: img.metadata, file: path, threads: 2, times: &times).findings.isEmpty {
                withFindings.append(stem)
            }
        }
        // Issue 5's bar is ≤ 2 %, i.e. none of these 34 (a sample of the held-out halves; models/DETECTOR.md has
        // the whole halves: 9 of 670 with crack-pixel-v2.1, 5 with v1.3).
        #expect(Double(withFindings.count) <= 0.02 * Double(files.count), "\(withFindings)")
    }

    @Test("a geotagged nadir frame gives findings with position, uncertainty and ground units")
    func geotagged() throws {
        // About geotagging, not detection: the tile gate is off, since the classifier gives this drawn crack on
        // synthetic texture only 0.1–0.65 crack probability per tile (below the 0.9 bar); the gate's price on
        // real crack photos is measured in models/DETECTOR.md, and `tileGate()` below tests the gate itself.
        var config = try committedDetector().configuration
        config.tileGate = nil
        let detector = try Detector(configuration: config)
        let (img, m) = nadirCrackFrame(altitude: 2)
        var t = Detector.StageTimes()
        let r = detector.inspect(pixels: img, metadata: m, file: "geo", threads: 1, times: &t)
        let f = try #require(r.findings.first)
        #expect(f.subtype == "longitudinal")
        let lat = try #require(f.latitude), lon = try #require(f.longitude)
        #expect(r.noLocation == nil)
        // The frame covers about 3 m × 2 m from 2 m up: the crack lies within a few metres of the camera's position
        // (5e-5° is 5.6 m of latitude and 3.4 m of longitude here).
        #expect(abs(lat - 52) < 5e-5 && abs(lon - 4.3) < 5e-5, "\(lat), \(lon)")
        let uncertainty = try #require(f.uncertaintyM)
        #expect(uncertainty > 0)
        let gsd = try #require(r.gsdCmPerPx) / 100
        let lengthM = try #require(f.lengthM), lengthPx = try #require(f.lengthPx), widthMm = try #require(f.widthMm)
        #expect(abs(lengthM - lengthPx * gsd) < 0.01)
        #expect(widthMm > 0)
        #expect(f.geoOutline != nil)
    }

    @Test("a crack wider than the ground-width limit is dropped when the frame's GSD is known")
    func widestCrack() throws {
        var config = try committedDetector().configuration
        config.tileGate = nil  // about the width rule; see geotagged()
        // From 100 m this 320-px frame is at 47 cm/px, where its noise texture is what a tree crown looks like: the
        // surface map (tested in SurfaceMapTests) would call it rough, so it is off for the width rule.
        config.surface = nil
        let (img, m) = nadirCrackFrame(altitude: 100)
        var t = Detector.StageTimes()
        // From 100 m a 4-px line is about 11 cm wide on the ground: a furrow or a kerb line, not a crack.
        let dropped = try Detector(configuration: config).inspect(pixels: img, metadata: m, file: "high", threads: 1, times: &t)
        #expect(dropped.findings.isEmpty, "\(dropped.findings.map(\.widthMm))")
        config.maximumCrackWidthMm = nil
        let kept = try Detector(configuration: config).inspect(pixels: img, metadata: m, file: "high", threads: 1, times: &t)
        let w = try #require(kept.findings.first?.widthMm)
        #expect(w > 50)
    }

    @Test("the overlay draws the finding's outline in red")
    func overlay() throws {
        var img = PixelBuffer(width: 60, height: 40, format: .gray8)
        for i in img.bytes.indices { img.bytes[i] = 100 }
        let f = Finding(defectClass: .crack, subtype: "transverse", confidence: 0.9,
                        bbox: BoundingBox(x: 10, y: 20, width: 30, height: 5),
                        outline: [[10, 20], [40, 20], [40, 25], [10, 25]])
        let out = Overlay.draw([f], on: img)
        #expect(out.format == .rgb8)
        let p = 22 * out.rowStride + 3 * 40
        #expect(out.bytes[p] == 255 && out.bytes[p + 1] == 40)
        let q = 5 * out.rowStride + 3 * 55
        #expect(out.bytes[q] == 100 && out.bytes[q + 1] == 100)
    }

    @Test("the tile gate keeps a drawn crack and drops it when no tile can reach its bar")
    func tileGate() throws {
        let detector = try committedDetector()
        #expect(detector.gate != nil)
        var img = textureFrame(width: 256, height: 256, seed: 21)
        drawDarkCrack(&img, from: SIMD2(30.5, 40.2), to: SIMD2(220.3, 210.7), width: 3)
        var t = Detector.StageTimes()
        let kept = detector.inspect(pixels: img, metadata: ImageMetadata(), file: "gate", threads: 1, times: &t)
        #expect(kept.findings.count == 1)
        var strict = detector.configuration
        strict.tileGate = 1.01
        let closed = try Detector(configuration: strict)
        let dropped = closed.inspect(pixels: img, metadata: ImageMetadata(), file: "gate", threads: 1, times: &t)
        #expect(dropped.findings.isEmpty)
        let p = try #require(detector.gate).crackProbabilities(img, centres: [SIMD2(125, 125), SIMD2(200, 30)])
        #expect(p.count == 2 && p[0] > p[1], "\(p)")
    }
}

@Suite("Crack model files")
struct CrackModelFileTests {
    @Test("model files of either spec load with the receptive radius of their layers")
    func versions() throws {
        let old = try CrackModel(path: repositoryRoot.appendingPathComponent("models/crack-pixel-v1.0.nnw").path)
        #expect(old.receptiveRadius == 15 && old.weights.count == 4273)
        #expect(CrackMap.margin(old) == CrackFeatures.halo + 15 + 1)
        let wide = try CrackModel(path: repositoryRoot.appendingPathComponent("models/" + CrackModel.defaultFileName).path)
        #expect(wide.receptiveRadius == 17 && wide.weights.count == 12065)
        #expect(CrackMap.margin(wide) == CrackFeatures.halo + 17 + 1)
        let net = CrackModel.makeNetwork(.wide, height: 16, width: 16, seed: 3)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crack-pixel-spec-\(UUID()).nnw").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile(metadata: ModelMetadata(name: "wide", architecture: net.architecture, classNames: ["crack"]),
                      weights: net.flatWeights()).write(to: path)
        let back = try CrackModel(path: path)
        #expect(back.receptiveRadius == 17 && back.weights == net.flatWeights())
        // A tile of another size runs the same weights.
        #expect(back.network(height: 40, width: 24).flatWeights() == net.flatWeights())
    }

    @Test("a tile classifier is refused as a crack model")
    func refusesOtherNetworks() {
        #expect(throws: DetectorError.self) {
            _ = try CrackModel(path: repositoryRoot.appendingPathComponent("models/crack-v1.0.nnw").path)
        }
    }
}
