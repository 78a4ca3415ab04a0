import Codecs
import Foundation
import ImagingCore
import NeuralNet
import Testing
@testable import Training

/// The per-pixel trainer learns a dark line on noise with a small encoder-decoder.
@Suite("Pixel trainer")
struct PixelTrainerTests {
    /// A 32 × 32 gray-noise frame (as RGB) with a dark line of 2 px at a random row or column, labelled crack.
    static func sample(_ seed: UInt64) -> PixelSample {
        var rng = RandomSource(seed: seed)
        let w = 32, h = 32
        var pixels = [Float](repeating: 0, count: 3 * w * h), labels = [Int8](repeating: 0, count: w * h)
        let vertical = rng.next() % 2 == 0, at = 4 + Int(rng.next() % 24)
        for y in 0..<h { for x in 0..<w {
            let onLine = vertical ? (x == at || x == at + 1) : (y == at || y == at + 1)
            let v = (onLine ? -0.6 : 0.2) + 0.25 * rng.normal()
            for c in 0..<3 { pixels[c * w * h + y * w + x] = v }
            if onLine { labels[y * w + x] = 1 }
        } }
        return PixelSample(name: "s\(seed)", width: w, height: h, pixels: pixels, labels: labels)
    }

    @Test("loading reduces colour by area and labels by block: crack wins, then look-alikes, then background")
    func loadReduced() throws {
        let dir = try temporaryFolder("pixel-sample")
        var img = PixelBuffer(width: 8, height: 8, format: .rgb8), mask = PixelBuffer(width: 8, height: 8, format: .gray8)
        for y in 0..<8 { for x in 0..<8 { for c in 0..<3 { img[x, y, channel: c] = UInt8(x < 4 ? 0 : 255) } } }
        mask[1, 1] = 30     // a crack pixel in block (0, 0)
        mask[4, 0] = 90     // a sealed crack (look-alike) in block (2, 0)
        mask[5, 1] = 30     // and a crack in the same block: crack wins
        mask[0, 6] = 90     // a look-alike alone in block (0, 3)
        try Data(try ImageEncoder.png(img)).write(to: URL(fileURLWithPath: dir + "/i.png"))
        try Data(try ImageEncoder.png(mask)).write(to: URL(fileURLWithPath: dir + "/m.png"))
        let s = try PixelSample.load(image: dir + "/i.png", mask: dir + "/m.png", reduce: 2) { v -> Int8 in
            v == 30 ? 1 : (v == 90 ? 2 : 0)
        }
        #expect(s.width == 4 && s.height == 4 && s.name == "i@1/2")
        #expect(s.labels[0] == 1 && s.labels[2] == 1 && s.labels[12] == 2 && s.labels[1] == 0)
        #expect(s.focus.map(Int.init) == [0, 2])
        #expect(s.pixels[0] == -1 && s.pixels[3] == 1)  // black → −1, white → 1
    }

    @Test("a small U-Net learns a dark line: validation crack F1 rises from near 0 to above 0.8")
    func learnsLines() throws {
        let arch = Architecture(input: InputSpec(channels: 3, height: 16, width: 16), layers: [
            LayerSpec(type: "conv", out: 6, kernel: 3, padding: 1), LayerSpec(type: "relu", id: "e1"),
            LayerSpec(type: "conv", out: 8, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "relu"),
            LayerSpec(type: "upsample", scale: 2), LayerSpec(type: "concat", inputs: ["e1"]),
            LayerSpec(type: "conv", out: 6, kernel: 3, padding: 1), LayerSpec(type: "relu"),
            LayerSpec(type: "conv", out: 2, kernel: 1),
        ])
        let graph = try Graph(architecture: arch, seed: 3)
        let train = (0..<12).map { Self.sample($0) }, validation = (100..<104).map { Self.sample($0) }
        let before = PixelTrainer.validate(graph, validation, threads: 1).f1
        var o = PixelTrainingOptions()
        o.steps = 300; o.batch = 8; o.patch = 16; o.validateEvery = 100; o.threads = 1; o.learningRate = 0.01
        let best = PixelTrainer.train(graph, samples: train, validation: [("lines", validation)], options: o, log: { _ in })
        let after = PixelTrainer.validate(graph, validation, threads: 1).f1
        #expect(after == best.meanF1, "the graph is left with the best weights")
        #expect(after > 0.8 && after > before + 0.3, "before \(before), after \(after)")
    }

    static let tiny = Architecture(input: InputSpec(channels: 3, height: 16, width: 16), layers: [
        LayerSpec(type: "conv", out: 4, kernel: 3, padding: 1), LayerSpec(type: "relu", id: "e1"),
        LayerSpec(type: "conv", out: 4, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "relu"),
        LayerSpec(type: "upsample", scale: 2), LayerSpec(type: "concat", inputs: ["e1"]),
        LayerSpec(type: "conv", out: 2, kernel: 1),
    ])

    @Test("an interrupted run resumes from its checkpoint: the step, the optimiser and the weights carry on")
    func resumes() throws {
        let dir = try temporaryFolder("pixel-checkpoint")
        let train = (0..<6).map { Self.sample($0) }, validation = [("lines", (100..<102).map { Self.sample($0) })]
        var o = PixelTrainingOptions()
        o.steps = 4; o.batch = 2; o.patch = 16; o.validateEvery = 2; o.threads = 1; o.checkpointEvery = 2
        o.photometric = true
        o.checkpoint = dir + "/run.ckpt"
        // A run stopped after 4 steps, then the same run asked for 8.
        let first = try Graph(architecture: Self.tiny, seed: 7)
        PixelTrainer.train(first, samples: train, validation: validation, options: o, log: { _ in })
        #expect(FileManager.default.fileExists(atPath: dir + "/run.ckpt"))
        o.steps = 8
        var lines: [String] = []
        let resumed = try Graph(architecture: Self.tiny, seed: 99)  // other initial weights: the checkpoint's win
        PixelTrainer.train(resumed, samples: train, validation: validation, options: o, log: { lines.append($0) })
        #expect(lines.first?.hasPrefix("resumed from \(dir)/run.ckpt at step 4") == true, "\(lines.first ?? "")")
        #expect(lines.contains { $0.hasPrefix("step 8 validation") } && !lines.contains { $0.hasPrefix("step 2 validation") })
        // A checkpoint of another architecture is not taken for this one.
        let other = try Graph(architecture: Architecture(input: Self.tiny.input, layers: [LayerSpec(type: "conv", out: 2, kernel: 1)]), seed: 1)
        var notes: [String] = []
        o.steps = 2
        PixelTrainer.train(other, samples: train, validation: validation, options: o, log: { notes.append($0) })
        #expect(notes.first?.hasPrefix("cannot resume from") == true, "\(notes.first ?? "")")
    }

    @Test("crack-free frames load with every pixel background; groups draw by their shares")
    func crackFreeAndGroups() throws {
        let dir = try temporaryFolder("pixel-clean")
        var img = PixelBuffer(width: 10, height: 9, format: .rgb8)
        for y in 0..<9 { for x in 0..<10 { for c in 0..<3 { img[x, y, channel: c] = UInt8(20 * x) } } }
        try Data(try ImageEncoder.png(img)).write(to: URL(fileURLWithPath: dir + "/c.png"))
        let s = try PixelSample.crackFree(image: dir + "/c.png")
        #expect(s.width == 8 && s.height == 8 && s.labels.allSatisfy { $0 == 0 } && s.focus.isEmpty)
        #expect(s.pixels[1] == Float(20) / 127.5 - 1)
        // A group with share 0 is never drawn: its frames' labels (all ignored) would leave the loss at zero.
        var ignored = Self.sample(1)
        ignored = PixelSample(name: "ignored", width: ignored.width, height: ignored.height, pixels: ignored.pixels,
                              labels: [Int8](repeating: -1, count: ignored.labels.count))
        var o = PixelTrainingOptions()
        o.steps = 60; o.batch = 4; o.patch = 16; o.validateEvery = 60; o.threads = 1
        let graph = try Graph(architecture: Self.tiny, seed: 2)
        var losses: [String] = []
        PixelTrainer.train(graph, groups: [PixelSampleGroup(name: "lines", share: 1, samples: (0..<4).map { Self.sample($0) }),
                                           PixelSampleGroup(name: "ignored", share: 0, samples: [ignored])],
                           validation: [("lines", [Self.sample(50)])], options: o, log: { losses.append($0) })
        #expect(losses.filter { $0.contains(" loss ") }.allSatisfy { !$0.contains("loss 0.0000") })
    }
}
