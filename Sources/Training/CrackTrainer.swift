import Filters
import Foundation
import ImagingCore
import Inspection
import NeuralNet

/// Settings of ``CrackTrainer``.
public struct CrackTrainingOptions: Sendable {
    /// Optimiser steps.
    public var steps = 3000
    /// Patches per step.
    public var batch = 16
    /// Patch side in pixels (the loss covers the whole patch).
    public var patch = 64
    /// Peak learning rate (AdamW, warm-up then cosine decay).
    public var learningRate: Float = 0.004
    /// Weight of crack pixels in the binary cross-entropy.
    public var positiveWeight: Float = 2
    /// Share of patches centred near a crack pixel (when the image has any).
    public var crackCentred = 0.6
    /// Validate every this many steps (and at the end); the best validation ODS F1 is kept.
    public var validateEvery = 500
    /// Random seed.
    public var seed: UInt64 = 20261125
    /// How the features' contrast scale is measured (stored in the model's notes as `contrastScale`).
    public var contrastScale: CrackFeatures.ScaleRule = .std
    /// Weights to start from (fine-tuning a trained model of the same spec); nil: the seed's initialisation.
    public var initialWeights: [Float]? = nil
    /// Threads for the matrix multiplies and validation.
    public var threads = 2
    /// Creates the defaults.
    public init() {}
}

/// Trains the per-pixel ``CrackModel`` on patches of labelled frames.
public enum CrackTrainer {
    /// A group of training frames and its share of the patches.
    public struct Group: Sendable {
        public var name: String
        public var images: [CrackImage]
        public var share: Double
        /// - Parameters: share: relative, > 0.
        public init(name: String, images: [CrackImage], share: Double) {
            self.name = name; self.images = images; self.share = share
        }
    }

    /// A training frame's features, computed once on the whole frame at its own contrast scale (the features
    /// are linear in 1 / scale, so a scale jitter is a multiplication, and invariant under the 8 flips and
    /// transposes of the square, so patches are flipped after the fact).
    struct Prepared {
        let width: Int, height: Int
        let features: [Float]
        let truth: BinaryMask
        let crackPixels: [Int32]
    }

    static func prepare(_ img: CrackImage, rule: CrackFeatures.ScaleRule, threads: Int) -> Prepared {
        Prepared(width: img.gray.width, height: img.gray.height,
                 features: CrackFeatures.compute(img.gray, scale: CrackFeatures.contrastScale(img.gray, rule: rule), threads: threads),
                 truth: img.truth, crackPixels: img.crackPixels)
    }

    /// ODS scores of validation frames per named set and pooled.
    static func validate(_ sets: [(String, [CrackImage])], model: CrackModel, threads: Int)
        -> (pooled: PixelEvaluation.Score, each: [(String, PixelEvaluation.Score)]) {
        var all = PixelEvaluation()
        var each: [(String, PixelEvaluation.Score)] = []
        for (name, images) in sets {
            var ev = PixelEvaluation()
            for v in images {
                let p = CrackMap.probabilities(v.gray, model: model, threads: threads)
                ev.add(probability: p, truth: v.truth)
                all.add(probability: p, truth: v.truth)
            }
            each.append((name, ev.ods))
        }
        return (all.ods, each)
    }

    /// Trains from scratch, or from ``CrackTrainingOptions/initialWeights``.
    /// - Parameters: groups: training frames; validation: named sets of frames scored with ``PixelEvaluation``
    ///   (ODS F1, 2 px), pooled for model selection; spec: the network shape; log: progress lines.
    /// - Returns: the weights with the best validation score (the mean of the sets' ODS F1, so that a small set
    ///   counts as much as a large one) and the pooled ODS score of that step.
    ///   improved: called with each new best (weights, score, step), e.g. to save a checkpoint.
    public static func train(groups: [Group], validation: [(String, [CrackImage])], spec: CrackModel.Spec = .v1_0,
                             options o: CrackTrainingOptions, log: (String) -> Void,
                             improved: ([Float], PixelEvaluation.Score, Int) -> Void = { _, _, _ in })
        -> (weights: [Float], score: PixelEvaluation.Score, step: Int) {
        var rng = RandomSource(seed: o.seed)
        let net = CrackModel.makeNetwork(spec, height: o.patch, width: o.patch, seed: o.seed)
        if let w = o.initialWeights {
            precondition(w.count == net.flatWeights().count, "the initial weights do not fit the spec")
            net.load(flatWeights: w)
        }
        var opt = AdamW(weightDecay: 1e-4)
        let groups = groups.filter { !$0.images.isEmpty }
        let totalShare = groups.reduce(0) { $0 + $1.share }
        let prepStart = Date()
        let prepared = groups.map { $0.images.map { prepare($0, rule: o.contrastScale, threads: 1) } }
        log(String(format: "features of %d frames in %.0f s", prepared.reduce(0) { $0 + $1.count },
                   Date().timeIntervalSince(prepStart)))
        let p = o.patch, c = CrackFeatures.channels
        var best: (weights: [Float], score: PixelEvaluation.Score, step: Int) =
            (net.flatWeights(), PixelEvaluation.Score(threshold: 0.5, precision: 0, recall: 0, f1: -1), 0)
        var bestMean = -1.0
        var lossSum = 0.0, lossCount = 0
        let start = Date()
        for step in 1...max(1, o.steps) {
            var input = [Float](repeating: 0, count: c * o.batch * p * p)
            var target = [Float](repeating: 0, count: o.batch * p * p)
            for b in 0..<o.batch {
                var r = Double(rng.uniform()) * totalShare
                var gi = 0
                for (k, gg) in groups.enumerated() { if r < gg.share { gi = k; break }; r -= gg.share }
                let img = prepared[gi][rng.index(below: prepared[gi].count)]
                let w = img.width, h = img.height, n = w * h
                var cx: Int, cy: Int
                if !img.crackPixels.isEmpty && Double(rng.uniform()) < o.crackCentred {
                    let i = Int(img.crackPixels[rng.index(below: img.crackPixels.count)])
                    cx = i % w + rng.index(below: p) - p / 2
                    cy = i / w + rng.index(below: p) - p / 2
                } else {
                    cx = rng.index(below: max(1, w)); cy = rng.index(below: max(1, h))
                }
                let x0 = min(max(cx - p / 2, 0), max(0, w - p))
                let y0 = min(max(cy - p / 2, 0), max(0, h - p))
                let flip = rng.index(below: 8)
                let gain = 1 / (0.8 + 0.45 * rng.uniform())
                for v in 0..<p {
                    for u in 0..<p {
                        // Source of patch position (u, v) under one of the 8 flips / transposes.
                        var a = u, bb = v
                        if flip & 1 != 0 { a = p - 1 - a }
                        if flip & 2 != 0 { bb = p - 1 - bb }
                        if flip & 4 != 0 { swap(&a, &bb) }
                        let sx = min(x0 + a, w - 1), sy = min(y0 + bb, h - 1), si = sy * w + sx
                        let dst = v * p + u
                        if img.truth.bits[si] != 0 { target[b * p * p + dst] = 1 }
                        for ch in 0..<c { input[(ch * o.batch + b) * p * p + dst] = img.features[ch * n + si] * gain }
                    }
                }
            }
            let ctx = PassContext(training: true, threads: o.threads)
            let logits = net.forward(Tensor(shape: Shape(channels: c, batch: o.batch, height: p, width: p), data: input),
                                     context: ctx)
            var grad = Tensor(zeros: logits.shape)
            let n = Float(target.count)
            var loss = 0.0
            for i in target.indices {
                let z = logits.data[i], t = target[i]
                let wgt: Float = t > 0 ? o.positiveWeight : 1
                let sp = z > 0 ? z + Foundation.log(1 + exp(-z)) : Foundation.log(1 + exp(z))
                loss += Double(wgt * (sp - t * z))
                grad.data[i] = wgt * (1 / (1 + exp(-z)) - t) / n
            }
            lossSum += loss / Double(n); lossCount += 1
            net.zeroGradients()
            net.backward(grad, context: ctx)
            let warm = min(1, Float(step) / 100)
            let cosine = 0.05 + 0.95 * 0.5 * (1 + cos(Float.pi * Float(step) / Float(o.steps)))
            opt.step(net.parameters, learningRate: o.learningRate * warm * cosine)
            if step % 100 == 0 {
                log(String(format: "step %d loss %.4f (%.0f s)", step, lossSum / Double(lossCount), Date().timeIntervalSince(start)))
                lossSum = 0; lossCount = 0
            }
            if step % o.validateEvery == 0 || step == o.steps {
                let model = CrackModel(weights: net.flatWeights(), metadata: ModelMetadata(
                    name: "candidate", architecture: net.architecture, classNames: ["crack"],
                    notes: ["contrastScale": o.contrastScale.rawValue]))
                let (s, each) = validate(validation, model: model, threads: o.threads)
                log(String(format: "step %d validation ODS P %.3f R %.3f F %.3f at %.2f", step, s.precision, s.recall,
                           s.f1, s.threshold) + each.map { "; \($0.0) F " + String(format: "%.3f", $0.1.f1) }.joined()
                    + String(format: " (%.0f s)", Date().timeIntervalSince(start)))
                let mean = each.isEmpty ? s.f1 : each.reduce(0) { $0 + $1.1.f1 } / Double(each.count)
                log(String(format: "step %d mean validation F %.4f", step, mean))
                if mean > bestMean {
                    bestMean = mean
                    best = (model.weights, s, step)
                    improved(model.weights, s, step)
                }
            }
        }
        return best
    }
}
