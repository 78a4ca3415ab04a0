import Foundation
import ImagingCore
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

    /// Trains from scratch.
    /// - Parameters: groups: training frames; validation: frames scored with ``PixelEvaluation`` (ODS F1, 2 px);
    ///   log: progress lines.
    /// - Returns: the weights with the best validation ODS and that score.
    ///   improved: called with each new best (weights, score, step), e.g. to save a checkpoint.
    public static func train(groups: [Group], validation: [CrackImage], options o: CrackTrainingOptions,
                             log: (String) -> Void,
                             improved: ([Float], PixelEvaluation.Score, Int) -> Void = { _, _, _ in })
        -> (weights: [Float], score: PixelEvaluation.Score, step: Int) {
        var rng = RandomSource(seed: o.seed)
        let net = CrackModel.makeNetwork(height: o.patch, width: o.patch, seed: o.seed)
        var opt = AdamW(weightDecay: 1e-4)
        let groups = groups.filter { !$0.images.isEmpty }
        let totalShare = groups.reduce(0) { $0 + $1.share }
        let p = o.patch, halo = CrackFeatures.halo, d = p + 2 * halo, c = CrackFeatures.channels
        var best: (weights: [Float], score: PixelEvaluation.Score, step: Int) =
            (net.flatWeights(), PixelEvaluation.Score(threshold: 0.5, precision: 0, recall: 0, f1: -1), 0)
        var lossSum = 0.0, lossCount = 0
        let start = Date()
        for step in 1...max(1, o.steps) {
            var input = [Float](repeating: 0, count: c * o.batch * p * p)
            var target = [Float](repeating: 0, count: o.batch * p * p)
            for b in 0..<o.batch {
                var r = Double(rng.uniform()) * totalShare
                var g = groups[0]
                for gg in groups { if r < gg.share { g = gg; break }; r -= gg.share }
                let img = g.images[rng.index(below: g.images.count)]
                let w = img.gray.width, h = img.gray.height
                var cx: Int, cy: Int
                if !img.crackPixels.isEmpty && Double(rng.uniform()) < o.crackCentred {
                    let i = Int(img.crackPixels[rng.index(below: img.crackPixels.count)])
                    cx = i % w + rng.index(below: p) - p / 2
                    cy = i / w + rng.index(below: p) - p / 2
                } else {
                    cx = rng.index(below: max(1, w)); cy = rng.index(below: max(1, h))
                }
                let x0 = min(max(cx - p / 2, 0), max(0, w - p)) - halo
                let y0 = min(max(cy - p / 2, 0), max(0, h - p)) - halo
                let flip = rng.index(below: 8)
                // Source coordinate of crop position (u, v) under one of the 8 flips / transposes of the square.
                func source(_ u: Int, _ v: Int) -> (Int, Int) {
                    var a = u, bb = v
                    if flip & 1 != 0 { a = d - 1 - a }
                    if flip & 2 != 0 { bb = d - 1 - bb }
                    if flip & 4 != 0 { swap(&a, &bb) }
                    return (min(max(x0 + a, 0), w - 1), min(max(y0 + bb, 0), h - 1))
                }
                var crop = PixelBuffer(width: d, height: d, format: .gray8)
                for v in 0..<d {
                    for u in 0..<d {
                        let (sx, sy) = source(u, v)
                        crop.bytes[v * crop.rowStride + u] = img.gray.bytes[sy * img.gray.rowStride + sx]
                        if u >= halo && v >= halo && u < halo + p && v < halo + p && img.truth.bits[sy * w + sx] != 0 {
                            target[(b * p + v - halo) * p + u - halo] = 1
                        }
                    }
                }
                let jitter = 0.8 + 0.45 * rng.uniform()
                let f = CrackFeatures.compute(crop, scale: CrackFeatures.contrastScale(img.gray) * jitter)
                for ch in 0..<c {
                    for v in 0..<p {
                        let src = ch * d * d + (v + halo) * d + halo, dst = ((ch * o.batch + b) * p + v) * p
                        for u in 0..<p { input[dst + u] = f[src + u] }
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
                    name: "candidate", architecture: net.architecture, classNames: ["crack"]))
                var ev = PixelEvaluation()
                for v in validation {
                    ev.add(probability: CrackMap.probabilities(v.gray, model: model, threads: o.threads), truth: v.truth)
                }
                let s = ev.ods
                log(String(format: "step %d validation ODS P %.3f R %.3f F %.3f at %.2f", step, s.precision, s.recall,
                           s.f1, s.threshold))
                if s.f1 > best.score.f1 {
                    best = (model.weights, s, step)
                    improved(model.weights, s, step)
                }
            }
        }
        return best
    }
}
