import Codecs
import Foundation
import ImagingCore
import NeuralNet

/// A labelled frame for per-pixel training of an encoder-decoder (``Graph``): colour channels as floats and one
/// class per pixel.
public struct PixelSample: Sendable {
    /// Name (file stem) for logs.
    public let name: String
    /// Size; both multiples of 4 (the segmenter halves twice).
    public let width: Int, height: Int
    /// `3 × height × width` floats, channel-major (red, green, blue), each 0...255 mapped to −1...1.
    public let pixels: [Float]
    /// `height × width` class indices (−1: ignored).
    public let labels: [Int8]
    /// Indices of the pixels of class 1 (crack), for patches centred on them.
    public let focus: [Int32]

    /// - Parameters: pixels: see ``pixels``; labels: see ``labels``.
    public init(name: String, width: Int, height: Int, pixels: [Float], labels: [Int8]) {
        precondition(pixels.count == 3 * width * height && labels.count == width * height, "sample sizes differ")
        self.name = name; self.width = width; self.height = height; self.pixels = pixels; self.labels = labels
        focus = labels.indices.filter { labels[$0] == 1 }.map { Int32($0) }
    }

    /// Reads an image and its crack mask (same size): cracks where `isCrack(value)` holds, background elsewhere; the
    /// frame is cut to multiples of 4 and, when `reduce` > 1, reduced by area averaging (a pixel is crack when any of
    /// its block is).
    /// - Throws: decoding errors naming the file; masks of another size.
    public static func load(image: String, mask: String, reduce: Int = 1,
                            isCrack: @escaping (UInt8) -> Bool = { $0 != 0 }) throws -> PixelSample {
        try load(image: image, mask: mask, reduce: reduce, label: { isCrack($0) ? 1 : 0 })
    }

    /// As ``load(image:mask:reduce:isCrack:)`` with a class per mask value (−1: ignored); a reduced pixel takes the
    /// highest class of its block (so crack, 1, wins over background, 0, and look-alikes, 2, over both but crack).
    public static func load(image: String, mask: String, reduce: Int = 1, label: (UInt8) -> Int8) throws -> PixelSample {
        let rgb = try ImageDecoder.decode(path: image, options: DecodeOptions(format: .rgb8)).pixels
        let m = try ImageDecoder.decode(path: mask, options: DecodeOptions(format: .gray8)).pixels
        guard m.width == rgb.width && m.height == rgb.height else {
            throw ValidationFailure("\(mask): mask is \(m.width)x\(m.height), image is \(rgb.width)x\(rgb.height)")
        }
        let f = max(1, reduce)
        let w = rgb.width / f / 4 * 4, h = rgb.height / f / 4 * 4
        var pixels = [Float](repeating: 0, count: 3 * w * h), labels = [Int8](repeating: 0, count: w * h)
        let scale = 1 / (127.5 * Float(f * f))
        for y in 0..<h {
            for x in 0..<w {
                var sum = SIMD3<Float>.zero, cls: Int8 = -2
                for dy in 0..<f { for dx in 0..<f {
                    let sx = x * f + dx, sy = y * f + dy, o = sy * rgb.rowStride + 3 * sx
                    sum += SIMD3(Float(rgb.bytes[o]), Float(rgb.bytes[o + 1]), Float(rgb.bytes[o + 2]))
                    let l = label(m.bytes[sy * m.rowStride + sx])
                    // Crack first, then look-alikes and other classes, then background, then ignored.
                    if l == 1 || cls == -2 || (cls != 1 && l > cls) { cls = l }
                } }
                for c in 0..<3 { pixels[c * w * h + y * w + x] = sum[c] * scale - 1 }
                labels[y * w + x] = max(-1, cls)
            }
        }
        let stem = ((image as NSString).lastPathComponent as NSString).deletingPathExtension
        return PixelSample(name: f > 1 ? "\(stem)@1/\(f)" : stem, width: w, height: h, pixels: pixels, labels: labels)
    }
}

extension PixelSample {
    /// A crack-free frame (every pixel background), cut to multiples of 4 and reduced by `reduce` (area averaging).
    /// - Throws: decoding errors naming the file.
    public static func crackFree(image: String, reduce: Int = 1) throws -> PixelSample {
        let rgb = try ImageDecoder.decode(path: image, options: DecodeOptions(format: .rgb8)).pixels
        let f = max(1, reduce)
        let w = rgb.width / f / 4 * 4, h = rgb.height / f / 4 * 4
        var pixels = [Float](repeating: 0, count: 3 * w * h)
        let scale = 1 / (127.5 * Float(f * f))
        for y in 0..<h {
            for x in 0..<w {
                var sum = SIMD3<Float>.zero
                for dy in 0..<f { for dx in 0..<f {
                    let o = (y * f + dy) * rgb.rowStride + 3 * (x * f + dx)
                    sum += SIMD3(Float(rgb.bytes[o]), Float(rgb.bytes[o + 1]), Float(rgb.bytes[o + 2]))
                } }
                for c in 0..<3 { pixels[c * w * h + y * w + x] = sum[c] * scale - 1 }
            }
        }
        let stem = ((image as NSString).lastPathComponent as NSString).deletingPathExtension
        return PixelSample(name: f > 1 ? "\(stem)@1/\(f)" : stem, width: w, height: h, pixels: pixels,
                           labels: [Int8](repeating: 0, count: w * h))
    }
}

/// A named group of training samples drawn with a share of the patches (so a small set is not drowned by a large one).
public struct PixelSampleGroup: Sendable {
    public var name: String
    /// Share of the patches (relative to the other groups' shares).
    public var share: Double
    public var samples: [PixelSample]
    public init(name: String, share: Double, samples: [PixelSample]) {
        self.name = name; self.share = share; self.samples = samples
    }
}

/// Settings of ``PixelTrainer``.
public struct PixelTrainingOptions: Sendable {
    /// Optimiser steps.
    public var steps = 1500
    /// Patches per step.
    public var batch = 8
    /// Patch side (a multiple of 4).
    public var patch = 64
    /// Peak learning rate (AdamW, warm-up then cosine decay).
    public var learningRate: Float = 0.003
    /// Loss weight per class (background, crack, …).
    public var classWeights: [Float] = [1, 4]
    /// Share of patches centred on a crack pixel (when the frame has any).
    public var focusShare = 0.6
    /// Validate every this many steps (and at the end).
    public var validateEvery = 250
    /// Random seed.
    public var seed: UInt64 = 20261207
    /// Threads of the matrix multiplies.
    public var threads = 2
    /// Photometric augmentation per patch: overall gain 0.75…1.25, per-channel gain ±8 %, offset ±0.15 (of the −1…1
    /// range), Gaussian noise of σ up to 0.04; then clamped to −1…1.
    public var photometric = false
    /// Checkpoint file (weights, optimiser state, best weights, step): written every ``checkpointEvery`` steps, and
    /// read at the start to resume an interrupted run (nil: none).
    public var checkpoint: String?
    /// Steps between checkpoints.
    public var checkpointEvery = 250
    /// Creates the defaults.
    public init() {}
}

/// Trains an encoder-decoder (``Graph``) per pixel with softmax cross-entropy on random patches (flips and transposes
/// as augmentation), keeping the weights of the step with the best validation crack F1 (2-px tolerance, crack =
/// the class-1 probability ≥ 0.5).
public enum PixelTrainer {
    /// Crack F1 with a 2-px tolerance of a probability map against labels, and its counts.
    public struct Score: Sendable, Equatable {
        public var precision = 0.0, recall = 0.0
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
    }

    /// Scores crack probabilities (`height × width`) against a sample's labels; adds to running counts.
    static func count(_ p: [Float], _ s: PixelSample, _ counts: inout (predicted: Int, correct: Int, truth: Int, found: Int)) {
        let w = s.width, h = s.height, r = 2
        func near(_ x: Int, _ y: Int, _ test: (Int) -> Bool) -> Bool {
            for dy in -r...r { for dx in -r...r where dx * dx + dy * dy <= r * r {
                let nx = x + dx, ny = y + dy
                if nx >= 0 && ny >= 0 && nx < w && ny < h && test(ny * w + nx) { return true }
            } }
            return false
        }
        for y in 0..<h { for x in 0..<w {
            let i = y * w + x
            if p[i] >= 0.5 && s.labels[i] >= 0 {  // ignored pixels (−1) count neither way
                counts.predicted += 1
                if near(x, y, { s.labels[$0] == 1 }) { counts.correct += 1 }
            }
            if s.labels[i] == 1 {
                counts.truth += 1
                if near(x, y, { p[$0] >= 0.5 }) { counts.found += 1 }
            }
        } }
    }

    /// Crack probability per pixel of a whole sample.
    /// (The graph's weights at the sample's size, run by ``GraphInference``.)
    public static func crackProbabilities(_ graph: Graph, _ s: PixelSample, threads: Int) -> [Float] {
        var a = graph.architecture
        a.input = InputSpec(channels: 3, height: s.height, width: s.width)
        // The same layers on another size of a multiple of 4 build and compile (convolutions, upsampling, skips).
        let sized = try! Graph(architecture: a, seed: 0)
        sized.load(flatWeights: graph.flatWeights())
        let logits = try! GraphInference(graph: sized, threads: threads).run(s.pixels, count: 1)
        let p = SoftmaxCrossEntropy.probabilities(Tensor(shape: Shape(channels: logits.count / (s.width * s.height), batch: 1,
                                                                      height: s.height, width: s.width), data: logits))
        return Array(p.data[(s.width * s.height)..<(2 * s.width * s.height)])
    }

    /// Validation score over samples.
    public static func validate(_ graph: Graph, _ samples: [PixelSample], threads: Int) -> Score {
        var c = (predicted: 0, correct: 0, truth: 0, found: 0)
        for s in samples { count(crackProbabilities(graph, s, threads: threads), s, &c) }
        return Score(precision: c.predicted == 0 ? 0 : Double(c.correct) / Double(c.predicted),
                     recall: c.truth == 0 ? 0 : Double(c.found) / Double(c.truth))
    }

    /// Trains `graph` in place and leaves it with the best validation weights (the best mean of the named sets'
    /// F1, so that a small set counts as much as a large one).
    /// - Parameters: validation: named sets; improved: called with each new best (step, mean F1), e.g. to save.
    /// - Returns: the best step and its mean F1 over the sets.
    @discardableResult
    public static func train(_ graph: Graph, samples: [PixelSample], validation: [(String, [PixelSample])],
                             options o: PixelTrainingOptions, log: (String) -> Void,
                             improved: (Int, Double) -> Void = { _, _ in }) -> (step: Int, meanF1: Double) {
        train(graph, groups: [PixelSampleGroup(name: "all", share: 1, samples: samples)], validation: validation,
              options: o, log: log, improved: improved)
    }

    /// As ``train(_:samples:validation:options:log:improved:)`` with patches drawn from groups by their shares, and
    /// resumable from ``PixelTrainingOptions/checkpoint`` (the random sequence restarts from the seed and the step,
    /// so a resumed run draws other patches than an uninterrupted one would).
    @discardableResult
    public static func train(_ graph: Graph, groups: [PixelSampleGroup], validation: [(String, [PixelSample])],
                             options o: PixelTrainingOptions, log: (String) -> Void,
                             improved: (Int, Double) -> Void = { _, _ in }) -> (step: Int, meanF1: Double) {
        var adam = AdamW(weightDecay: 1e-4)
        let schedule = CosineSchedule(maxRate: o.learningRate, minRate: o.learningRate * 0.02,
                                      warmupSteps: max(1, o.steps / 20), totalSteps: o.steps)
        let loss = SoftmaxCrossEntropy(classWeights: o.classWeights)
        let p = o.patch, area = p * p
        let pools = groups.map { g in (g.share, g.samples.filter { $0.width >= p && $0.height >= p }) }.filter { !$0.1.isEmpty }
        precondition(!pools.isEmpty, "no training sample holds a \(p)-px patch")
        let totalShare = pools.reduce(0) { $0 + $1.0 }
        var best = (step: 0, meanF1: 0.0), bestWeights = graph.parameters.map(\.value)
        var first = 1
        if let path = o.checkpoint, FileManager.default.fileExists(atPath: path) {
            do {
                let saved = try Checkpoint.read(path, graph: graph)
                adam.restore(saved.optimiser, for: graph.parameters)
                best = (saved.bestStep, saved.bestF1)
                bestWeights = saved.best
                first = saved.step + 1
                log("resumed from \(path) at step \(saved.step) (best so far: step \(saved.bestStep), \(String(format: "%.3f", saved.bestF1)))")
            } catch {
                log("cannot resume from \(path) (\(error)); starting afresh")
            }
        }
        var rng = RandomSource(seed: o.seed &+ UInt64(first - 1))
        var running: Double = 0
        let started = Date()
        for step in first...max(first, o.steps) where step <= o.steps {
            var x = [Float](repeating: 0, count: 3 * o.batch * area), labels = [Int](repeating: -1, count: o.batch * area)
            for b in 0..<o.batch {
                var pick = Double(rng.uniform()) * totalShare, k = 0
                while k < pools.count - 1 && pick >= pools[k].0 { pick -= pools[k].0; k += 1 }
                let pool = pools[k].1
                let s = pool[Int(rng.next() % UInt64(pool.count))]
                var cx: Int, cy: Int
                if !s.focus.isEmpty && Double(rng.uniform()) < o.focusShare {
                    let i = Int(s.focus[Int(rng.next() % UInt64(s.focus.count))])
                    cx = i % s.width; cy = i / s.width
                } else {
                    cx = Int(rng.next() % UInt64(s.width)); cy = Int(rng.next() % UInt64(s.height))
                }
                let x0 = min(max(0, cx - p / 2), s.width - p), y0 = min(max(0, cy - p / 2), s.height - p)
                let flip = rng.next() % 8
                for py in 0..<p { for px in 0..<p {
                    // One of the 8 symmetries of the square.
                    var u = px, v = py
                    if flip & 1 != 0 { u = p - 1 - u }
                    if flip & 2 != 0 { v = p - 1 - v }
                    if flip & 4 != 0 { swap(&u, &v) }
                    let src = (y0 + v) * s.width + x0 + u, dst = b * area + py * p + px
                    for c in 0..<3 { x[c * o.batch * area + dst] = s.pixels[c * s.width * s.height + src] }
                    labels[dst] = Int(s.labels[src])
                } }
                if o.photometric { jitter(&x, patch: b, batch: o.batch, area: area, rng: &rng) }
            }
            let ctx = PassContext(training: true, threads: o.threads)
            let logits = graph.forward(Tensor(shape: Shape(channels: 3, batch: o.batch, height: p, width: p), data: x),
                                       context: ctx)
            let (l, g) = loss.evaluate(logits: logits, labels: labels)
            graph.zeroGradients()
            graph.backward(g, context: ctx)
            adam.step(graph.parameters, learningRate: schedule.rate(at: step))
            running += Double(l)
            if step % 50 == 0 {
                log(String(format: "step %d loss %.4f (%.0f s)", step, running / 50, Date().timeIntervalSince(started)))
                running = 0
            }
            if step % o.validateEvery == 0 || step == o.steps {
                let each = validation.map { ($0.0, validate(graph, $0.1, threads: o.threads)) }
                let meanF1 = each.reduce(0) { $0 + $1.1.f1 } / Double(max(1, each.count))
                log(String(format: "step %d validation mean crack F %.3f; ", step, meanF1)
                    + each.map { String(format: "%@ P %.3f R %.3f F %.3f", $0.0, $0.1.precision, $0.1.recall, $0.1.f1) }
                        .joined(separator: "; ") + String(format: " (%.0f s)", Date().timeIntervalSince(started)))
                if meanF1 > best.meanF1 {
                    best = (step, meanF1)
                    bestWeights = graph.parameters.map(\.value)
                    improved(step, meanF1)
                }
            }
            if let path = o.checkpoint, step % o.checkpointEvery == 0 || step == o.steps {
                do {
                    try Checkpoint(step: step, bestStep: best.step, bestF1: best.meanF1,
                                   optimiser: adam.state(for: graph.parameters), best: bestWeights).write(path, graph: graph)
                } catch { log("cannot write the checkpoint \(path): \(error)") }
            }
        }
        for (param, value) in zip(graph.parameters, bestWeights) { param.value = value }
        return best
    }

    /// Photometric augmentation of patch `b` of a `(3, batch, H, W)` batch (see ``PixelTrainingOptions/photometric``).
    static func jitter(_ x: inout [Float], patch b: Int, batch: Int, area: Int, rng: inout RandomSource) {
        let gain = 0.75 + 0.5 * Float(rng.uniform()), offset = 0.3 * Float(rng.uniform()) - 0.15
        let sigma = 0.04 * Float(rng.uniform())
        for c in 0..<3 {
            let g = gain * (0.92 + 0.16 * Float(rng.uniform()))
            let base = c * batch * area + b * area
            for i in base..<(base + area) {
                let noise = sigma > 0 ? sigma * rng.normal() : 0
                x[i] = min(1, max(-1, (x[i] + 1) * g - 1 + offset + noise))
            }
        }
    }

    /// What ``train(_:groups:validation:options:log:improved:)`` saves to resume: a model file whose weights are the
    /// current weights followed by the optimiser state and the best weights, the steps in its notes.
    struct Checkpoint {
        var step: Int, bestStep: Int, bestF1: Double
        var optimiser: [Float], best: [[Float]]

        func write(_ path: String, graph: Graph) throws {
            let extra = optimiser + best.flatMap { $0 }
            let meta = ModelMetadata(name: "checkpoint", architecture: graph.architecture,
                                     classNames: (0..<graph.outputShape(for: Shape(channels: 3, batch: 1, height: graph.input.height, width: graph.input.width)).channels).map { "class\($0)" },
                                     notes: ["step": "\(step)", "bestStep": "\(bestStep)", "bestF1": "\(bestF1)"],
                                     extraStateCount: extra.count)
            try ModelFile(metadata: meta, weights: graph.flatWeights() + extra).write(to: path)
        }

        /// Reads a checkpoint into `graph` (its current weights) and returns the rest.
        static func read(_ path: String, graph: Graph) throws -> Checkpoint {
            let file = try ModelFile(path: path)
            let n = graph.parameters.reduce(0) { $0 + $1.value.count }
            let opt = AdamW.stateCount(for: graph.parameters)
            guard file.metadata.architecture.normalized == graph.architecture.normalized,
                  file.weights.count == 2 * n + opt, let step = Int(file.metadata.notes["step"] ?? ""),
                  let bestStep = Int(file.metadata.notes["bestStep"] ?? ""),
                  let bestF1 = Double(file.metadata.notes["bestF1"] ?? "") else {
                throw ValidationFailure("\(path) is not a checkpoint of this architecture")
            }
            graph.load(flatWeights: Array(file.weights[0..<n]))
            var best: [[Float]] = [], o = n + opt
            for p in graph.parameters { best.append(Array(file.weights[o..<(o + p.value.count)])); o += p.value.count }
            return Checkpoint(step: step, bestStep: bestStep, bestF1: bestF1,
                              optimiser: Array(file.weights[n..<(n + opt)]), best: best)
        }
    }
}
