import Foundation
import ImagingCore
import Metadata
import NeuralNet
import Testing
@testable import Inspection

/// A model file's own detector settings (`detector.*` notes): read, checked, and applied before the user's options.
struct DetectorSettingsTests {
    @Test("notes set the threshold, confidence, elongation, length and gate; other notes are ignored")
    func notesApply() throws {
        var c = DetectorConfiguration()
        try c.apply(notes: ["detector.threshold": "0.55", "detector.minimumConfidence": "0.65",
                            "detector.minimumElongation": "8", "detector.minimumLengthPx": "30",
                            "detector.tileGate": "0.9", "hidden": "16"], source: "m.nnw")
        #expect(c.threshold == 0.55 && c.minimumConfidence == 0.65 && c.minimumElongation == 8)
        #expect(c.minimumLengthPx == 30 && c.tileGate == 0.9)
        try c.apply(notes: ["detector.tileGate": "off"], source: "m.nnw")
        #expect(c.tileGate == nil && c.threshold == 0.55)
        var d = DetectorConfiguration()
        try d.apply(notes: ["detector.tileGate": "0"], source: "m.nnw")
        #expect(d.tileGate == nil)
    }

    @Test("a note out of range or not a number is an error naming the file and the note",
          arguments: [("detector.threshold", "1.5"), ("detector.tileGate", "high"), ("detector.minimumLengthPx", "-3")])
    func badNotes(key: String, value: String) {
        var c = DetectorConfiguration()
        #expect {
            try c.apply(notes: [key: value], source: "bad.nnw")
        } throws: { error in
            "\(error)".contains("bad.nnw") && "\(error)".contains(key)
        }
    }

    @Test("the committed models: the default keeps the tuned defaults, the UAV75 model turns the tile gate off")
    func committedModels() throws {
        let models = repositoryRoot.appendingPathComponent("models")
        let standard = try DetectorConfiguration.forModel(at: models.appendingPathComponent(CrackModel.defaultFileName).path)
        #expect(standard.tileGate == DetectorConfiguration().tileGate && standard.threshold == DetectorConfiguration().threshold)
        let uav = try DetectorConfiguration.forModel(at: models.appendingPathComponent("crack-pixel-uav75-v1.nnw").path)
        #expect(uav.tileGate == nil && uav.threshold == 0.7 && uav.minimumLengthPx == 45)
        #expect(uav.modelPath?.hasSuffix("crack-pixel-uav75-v1.nnw") == true)
    }

    @Test("settings survive a model file's write and read")
    func roundTrip() throws {
        let models = repositoryRoot.appendingPathComponent("models")
        var file = try ModelFile(path: models.appendingPathComponent(CrackModel.defaultFileName).path)
        file.metadata.notes["detector.minimumLengthPx"] = "60"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).nnw").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let c = try DetectorConfiguration.forModel(at: path)
        #expect(c.minimumLengthPx == 60 && c.tileGate == DetectorConfiguration().tileGate)
    }
}

/// Hysteresis in ``Detector/regions(_:width:height:factor:gray:threads:)``.
struct HysteresisTests {
    /// A 200×60 map: a line at row 30 from x = 20 to 179 at `weak`, its pixels 90...99 at `strong`, 3 px thick.
    static func map(weak: Float, strong: Float) -> [Float] {
        var p = [Float](repeating: 0.02, count: 200 * 60)
        for y in 29...31 { for x in 20..<180 { p[y * 200 + x] = (90..<100).contains(x) ? strong : weak } }
        return p
    }

    @Test("a weak line with a strong stretch: one long finding with hysteresis, none without (the stretch is short)")
    func weakTailJoins() throws {
        let model = try CrackModel(path: try CrackModel.locate(nil))
        var c = DetectorConfiguration(threshold: 0.7, minimumConfidence: 0.5, tileGate: nil)
        c.leaks = nil
        let without = Detector(model: model, configuration: c)
        #expect(without.regions(Self.map(weak: 0.5, strong: 0.9), width: 200, height: 60).isEmpty)
        c.lowThreshold = 0.4
        let with = Detector(model: model, configuration: c)
        let found = with.regions(Self.map(weak: 0.5, strong: 0.9), width: 200, height: 60)
        #expect(found.count == 1)
        #expect(abs((found.first?.lengthPx ?? 0) - 160) < 8, "\(found.first?.lengthPx ?? 0)")
        // No pixel reaches the threshold: nothing, however long the weak line.
        #expect(with.regions(Self.map(weak: 0.5, strong: 0.6), width: 200, height: 60).isEmpty)
    }
}

/// A ground sampling distance given for frames whose metadata give none.
struct AssumedGSDTests {
    /// A frame of `scale`× a 320×240 texture frame with a crack 4·`scale` px wide from (40, 60) to (280, 180).
    static func frame(scale: Int) -> PixelBuffer {
        var img = textureFrame(width: 320 * scale, height: 240 * scale, seed: 21)
        drawDarkCrack(&img, from: SIMD2(40, 60) * Double(scale), to: SIMD2(280, 180) * Double(scale), width: 4 * Double(scale))
        return img
    }

    @Test("measured in metres and millimetres, no position; a frame finer than the working scale is reduced first",
          arguments: [(1, 2.0), (4, 0.5)])
    func measures(scale: Int, gsd: Double) throws {
        var c = DetectorConfiguration(modelPath: repositoryRoot.appendingPathComponent("models/" + CrackModel.defaultFileName).path)
        c.assumedGSDMillimetres = gsd
        let detector = try Detector(configuration: c)
        var t = Detector.StageTimes()
        var mapWidth = 0
        let r = detector.inspect(pixels: Self.frame(scale: scale), metadata: ImageMetadata(), file: "close-up", threads: 2,
                                 times: &t) { _, w, _ in mapWidth = w }
        #expect(r.noLocation == true && r.latitude == nil && r.gsdCmPerPx == gsd / 10)
        #expect(mapWidth == 320 * scale / max(1, Int(1.0 / gsd)), "reduced to about 1 mm/px")
        let crack = try #require(r.findings.first { $0.defectClass == .crack })
        // The drawn crack: 268.3 px × scale long, 4 px × scale wide.
        let lengthM = 268.3 * Double(scale) * gsd / 1000, widthMm = 4 * Double(scale) * gsd
        let measuredLength = try #require(crack.lengthM), measuredWidth = try #require(crack.widthMm)
        #expect(abs(measuredLength - lengthM) < lengthM * 0.05, "length \(measuredLength) m, drawn \(lengthM) m")
        #expect(abs(measuredWidth - widthMm) <= gsd * Double(max(1, Int(1.0 / gsd))) + 0.5, "width \(measuredWidth) mm, drawn \(widthMm) mm")
        #expect(crack.latitude == nil)
    }

    @Test("a frame coarser than the leak finder's scale says leaks were not looked for; finer ones and frames without a scale do not",
          arguments: [(16.0 as Double?, true), (10.0, false), (2.0, false), (nil, false)])
    func leakSearchReported(gsd: Double?, skipped: Bool) throws {
        var c = DetectorConfiguration(modelPath: repositoryRoot.appendingPathComponent("models/" + CrackModel.defaultFileName).path)
        c.assumedGSDMillimetres = gsd
        let detector = try Detector(configuration: c)
        var t = Detector.StageTimes()
        let r = detector.inspect(pixels: Self.frame(scale: 1), metadata: ImageMetadata(), file: "f", threads: 2, times: &t)
        #expect(r.leaksNotLookedFor == (skipped ? true : nil))
        if skipped { #expect(!r.findings.contains { $0.defectClass == .leak }) }
        // Leak detection off: nothing to report either way.
        c.leaks = nil
        let off = try Detector(configuration: c).inspect(pixels: Self.frame(scale: 1), metadata: ImageMetadata(), file: "f",
                                                          threads: 2, times: &t)
        #expect(off.leaksNotLookedFor == nil)
    }

    @Test("without it, the same frame is measured in pixels only")
    func pixelsOnly() throws {
        let detector = try committedDetector()
        var t = Detector.StageTimes()
        let r = detector.inspect(pixels: Self.frame(scale: 1), metadata: ImageMetadata(), file: "plain", threads: 2, times: &t)
        #expect(r.gsdCmPerPx == nil && !r.findings.isEmpty && r.findings.allSatisfy { $0.lengthM == nil && $0.widthMm == nil })
    }
}
