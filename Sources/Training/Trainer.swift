import Foundation
import NeuralNet

/// What one training run produced.
public struct TrainingReport: Sendable, Codable {
    public var epochsRun: Int
    public var bestEpoch: Int
    public var bestScore: Double
    public var stoppedEarly: Bool
    public var seconds: Double
    public var metrics: [String: Double]
    public var dataSummary: [String]
}

/// Trains the tile classifier: class-balanced epochs of augmented tiles, AdamW with a cosine schedule,
/// validation after each epoch, a checkpoint per epoch (resumable), the best model kept, early stopping.
///
/// Files, for `--out models/NAME`: `NAME.nnw` (best model), `NAME.arch.json` (architecture, bench schema),
/// `NAME.ckpt.nnw` (last epoch's weights and optimiser state), `NAME.train.json` (report).
public final class Trainer {
    public let config: TrainingConfig
    public let outPrefix: String
    private let progress: (String) -> Void
    private let log: (String) -> Void
    /// Input normalisation used for the model.
    public static let normalization = Normalization(mean: 0.5, std: 0.25)

    /// - Parameters: progress: redraws the progress line (no newline); log: whole lines.
    public init(config: TrainingConfig, outPrefix: String, progress: @escaping (String) -> Void, log: @escaping (String) -> Void) {
        self.config = config
        self.outPrefix = outPrefix
        self.progress = progress
        self.log = log
    }

    var modelPath: String { outPrefix + ".nnw" }
    var archPath: String { outPrefix + ".arch.json" }
    var checkpointPath: String { outPrefix + ".ckpt.nnw" }
    var reportPath: String { outPrefix + ".train.json" }
    var name: String { (outPrefix as NSString).lastPathComponent }

    /// Validation metrics: crack F1 on the CrackForest + DeepCrack photos, leak F1 on the tunnel photos, all.
    public static func metrics(classifier: TileClassifier, validation: [TileSample]) -> [String: Double] {
        func group(_ prefixes: [String]) -> [TileSample] {
            validation.filter { s in prefixes.contains { s.source.hasPrefix($0 + "/") } }
        }
        var m: [String: Double] = [:]
        let crackSet = group(["crackforest", "deepcrack"]), tunnel = group(["leak-tunnel"])
        let cmAll = classifier.confusion(validation)
        if !crackSet.isEmpty {
            let cm = classifier.confusion(crackSet)
            m["crack.precision"] = cm.precision(0); m["crack.recall"] = cm.recall(0); m["crack.f1"] = cm.f1(0)
            m["crack.tiles"] = Double(cm.total)
        }
        if !tunnel.isEmpty {
            let cm = classifier.confusion(tunnel)
            m["tunnel.leak.precision"] = cm.precision(1); m["tunnel.leak.recall"] = cm.recall(1); m["tunnel.leak.f1"] = cm.f1(1)
            m["tunnel.leak.support"] = Double(cm.support(1)); m["tunnel.tiles"] = Double(cm.total)
        }
        for c in TileClass.allCases { m["all.\(c.name).f1"] = cmAll.f1(c.rawValue) }
        m["all.accuracy"] = cmAll.accuracy
        return m
    }

    static func score(_ m: [String: Double]) -> Double {
        0.9 * (m["crack.f1"] ?? 0) + 0.1 * (m["tunnel.leak.f1"] ?? m["all.leak.f1"] ?? 0)
    }

    /// Class-balanced sample indices for one epoch: `mix[c]` of `count` from class c (classes without
    /// tiles drop out and the rest share their part); same seed and epoch → same list.
    /// `repeats` maps a data set name (the part of ``TileSample/source`` before the first `/`) to how many
    /// times its tiles enter their class's pool (1 when absent), to oversample a small set.
    static func epochIndices(_ data: [TileSample], count: Int, seed: UInt64, epoch: Int,
                             mix: [Double] = [1, 1, 1], repeats: [String: Int] = [:]) -> [Int] {
        var rng = RandomSource(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
        var pools = [[Int]](repeating: [], count: TileClass.allCases.count)
        for (i, s) in data.enumerated() {
            let r = repeats.isEmpty ? 1 : max(1, repeats[String(s.source.prefix { $0 != "/" })] ?? 1)
            for _ in 0..<r { pools[s.label.rawValue].append(i) }
        }
        let total = pools.indices.filter { !pools[$0].isEmpty }.reduce(0.0) { $0 + (mix.indices.contains($1) ? mix[$1] : 0) }
        guard total > 0 else { return [] }
        var out: [Int] = []
        for (c, var pool) in pools.enumerated() where !pool.isEmpty {
            let per = Int((Double(count) * (mix.indices.contains(c) ? mix[c] : 0) / total).rounded())
            rng.shuffle(&pool)
            for i in 0..<per { out.append(pool[i % pool.count]) }
        }
        rng.shuffle(&out)
        return out
    }

    /// Runs training. - Throws: data, codec or file errors.
    @discardableResult
    public func run(resume: Bool) throws -> TrainingReport {
        let t0 = Date()
        let outDir = (outPrefix as NSString).deletingLastPathComponent
        if !outDir.isEmpty { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) }
        var builder = DatasetBuilder(config: config)
        let data = try builder.build(log: log)
        log(String(format: "data prepared in %.1f s: %d training, %d validation tiles", Date().timeIntervalSince(t0),
                   data.train.count, data.validation.count))
        for c in TileClass.allCases {
            log("  \(c.name): \(data.train.filter { $0.label == c }.count) training, \(data.validation.filter { $0.label == c }.count) validation")
        }
        let arch = config.resolvedArchitecture.normalized
        let net = try Sequential(architecture: arch, seed: config.seed)
        var opt = AdamW(weightDecay: config.weightDecay)
        let stepsPerEpoch = max(1, config.samplesPerEpoch / config.batchSize)
        let schedule = CosineSchedule(maxRate: config.learningRate, minRate: config.learningRate * 0.02,
                                      warmupSteps: min(config.warmupSteps, stepsPerEpoch * config.epochs - 1),
                                      totalSteps: stepsPerEpoch * config.epochs)
        let loss = SoftmaxCrossEntropy(classWeights: config.classWeights)
        let ctx = PassContext(training: true, threads: config.threads)
        let augmenter = Augmenter(jpegProbability: config.jpegProbability)
        var startEpoch = 0, bestScore = -1.0, bestEpoch = -1, badEpochs = 0
        var bestMetrics: [String: Double] = [:]
        if resume, let ck = try? ModelFile(path: checkpointPath, expecting: arch) {
            net.load(flatWeights: Array(ck.weights[0..<(ck.weights.count - ck.metadata.extraStateCount)]))
            opt.restore(ck.extraState, for: net.parameters)
            startEpoch = Int(ck.metadata.notes["nextEpoch"] ?? "0") ?? 0
            bestScore = Double(ck.metadata.notes["bestScore"] ?? "-1") ?? -1
            bestEpoch = Int(ck.metadata.notes["bestEpoch"] ?? "-1") ?? -1
            badEpochs = Int(ck.metadata.notes["badEpochs"] ?? "0") ?? 0
            bestMetrics = (try? ModelFile(path: modelPath))?.metadata.metrics ?? [:]
            log("resumed from \(checkpointPath) at epoch \(startEpoch + 1)")
        }
        if startEpoch == 0, let path = config.initialWeights {
            let start = try ModelFile(path: path, expecting: arch)
            net.load(flatWeights: Array(start.weights[0..<(start.weights.count - start.metadata.extraStateCount)]))
            log("starting from the weights of \(path)")
        }
        var stoppedEarly = false
        var epoch = startEpoch
        let trainStart = Date()
        while epoch < config.epochs {
            let idx = Self.epochIndices(data.train, count: config.samplesPerEpoch, seed: config.seed, epoch: epoch,
                                        mix: config.classMix, repeats: config.sourceRepeats)
            var rng = RandomSource(seed: config.seed ^ (UInt64(epoch + 1) &* 0xD1B5_4A32_D192_ED03))
            var lossSum = 0.0, lossCount = 0
            let epochStart = Date()
            for step in 0..<stepsPerEpoch {
                let ids = idx[(step * config.batchSize)..<min(idx.count, (step + 1) * config.batchSize)]
                guard !ids.isEmpty else { break }
                let tiles = ids.map { i in
                    config.augment ? augmenter.apply(data.train[i], rng: &rng)
                        : data.train[i].pixels.map { Float($0) * (1 / 255) }
                }
                let x = TileClassifier.batch(tiles, size: config.tileSize, normalization: Self.normalization)
                net.zeroGradients()
                let logits = net.forward(x, context: ctx)
                let (l, g) = loss.evaluate(logits: logits, labels: ids.map { data.train[$0].label.rawValue })
                net.backward(g, context: ctx)
                opt.step(net.parameters, learningRate: schedule.rate(at: epoch * stepsPerEpoch + step))
                lossSum += Double(l); lossCount += 1
                if step % 5 == 0 || step == stepsPerEpoch - 1 {
                    let done = Double(step + 1) / Double(stepsPerEpoch)
                    let elapsed = Date().timeIntervalSince(trainStart)
                    let totalDone = Double(epoch - startEpoch) + done
                    let eta = elapsed / totalDone * (Double(config.epochs - startEpoch) - totalDone)
                    let bar = String(repeating: "=", count: Int(done * 24)).padding(toLength: 24, withPad: " ", startingAt: 0)
                    progress(String(format: "epoch %d/%d [%@] loss %.4f  val F1 %@  ETA %@", epoch + 1, config.epochs, bar,
                                    lossSum / Double(lossCount), bestScore < 0 ? "-" : String(format: "%.3f", bestMetrics["crack.f1"] ?? 0),
                                    Self.duration(eta)))
                }
            }
            let classifier = TileClassifier(network: net, normalization: Self.normalization, threads: config.threads,
                                                                 views: config.testTimeViews)
            let m = Self.metrics(classifier: classifier, validation: data.validation)
            let score = Self.score(m)
            let improved = score > bestScore
            log(String(format: "\nepoch %d: loss %.4f, crack F1 %.4f (P %.3f R %.3f), tunnel leak F1 %.3f, score %.4f%@ (%.0f s)",
                       epoch + 1, lossSum / Double(max(1, lossCount)), m["crack.f1"] ?? 0, m["crack.precision"] ?? 0,
                       m["crack.recall"] ?? 0, m["tunnel.leak.f1"] ?? 0, score, improved ? " *" : "",
                       Date().timeIntervalSince(epochStart)))
            if improved {
                bestScore = score; bestEpoch = epoch; bestMetrics = m; badEpochs = 0
                try modelFile(net, metrics: m, epoch: epoch).write(to: modelPath)
                try writeArchitecture(arch)
            } else {
                badEpochs += 1
            }
            epoch += 1
            var ckMeta = modelMetadata(arch: arch, metrics: m)
            ckMeta.notes["nextEpoch"] = String(epoch)
            ckMeta.notes["bestScore"] = String(bestScore)
            ckMeta.notes["bestEpoch"] = String(bestEpoch)
            ckMeta.notes["badEpochs"] = String(badEpochs)
            try ModelFile(network: net, metadata: ckMeta, extraState: opt.state(for: net.parameters)).write(to: checkpointPath)
            if badEpochs >= config.patience {
                log("early stop: no better validation score for \(badEpochs) epochs")
                stoppedEarly = true
                break
            }
        }
        let report = TrainingReport(epochsRun: epoch, bestEpoch: bestEpoch + 1, bestScore: bestScore, stoppedEarly: stoppedEarly,
                                    seconds: Date().timeIntervalSince(t0), metrics: bestMetrics, dataSummary: data.summary)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(report).write(to: URL(fileURLWithPath: reportPath))
        log(String(format: "done in %@: best epoch %d, crack F1 %.4f; model %@", Self.duration(report.seconds), bestEpoch + 1,
                   bestMetrics["crack.f1"] ?? 0, modelPath))
        return report
    }

    /// Writes the last checkpoint's weights as the model (`NAME.nnw`, `NAME.arch.json`), with validation
    /// metrics recomputed, and returns them. For choosing the final epoch over the best-score one.
    /// - Throws: when the checkpoint is missing or damaged, or the data cannot be read.
    @discardableResult
    public func exportLastCheckpoint() throws -> [String: Double] {
        let arch = config.resolvedArchitecture.normalized
        let ck = try ModelFile(path: checkpointPath, expecting: arch)
        let net = ck.makeNetwork()
        var builder = DatasetBuilder(config: config)
        let data = try builder.build(log: log)
        let m = Self.metrics(classifier: TileClassifier(network: net, normalization: Self.normalization, threads: config.threads,
                                                                 views: config.testTimeViews),
                             validation: data.validation)
        let epoch = Int(ck.metadata.notes["nextEpoch"] ?? "0") ?? 0
        var file = modelFile(net, metrics: m, epoch: epoch - 1)
        file.metadata.notes["selected"] = "last checkpoint (epoch \(epoch))"
        try file.write(to: modelPath)
        try writeArchitecture(arch)
        log(String(format: "exported epoch %d: crack F1 %.4f, tunnel leak F1 %.4f -> %@", epoch, m["crack.f1"] ?? 0,
                   m["tunnel.leak.f1"] ?? 0, modelPath))
        return m
    }

    func modelMetadata(arch: Architecture, metrics: [String: Double]) -> ModelMetadata {
        ModelMetadata(
            name: name, architecture: arch, classNames: TileClass.names, normalization: Self.normalization,
            trainingData: config.sources.map(Self.datasetDescription),
            licences: Array(Set(config.sources.map(Self.licence))).sorted(),
            metrics: metrics, seed: config.seed,
            notes: ["tileSize": String(config.tileSize), "testTimeViews": String(config.testTimeViews),
                    "initialWeights": config.initialWeights ?? "seeded initialisation", "labeling": String(format: "crack >= %.3f, background <= %.3f, leak >= %.2f of tile pixels",
                                                                              config.labeling.crackFraction, config.labeling.backgroundFraction, config.labeling.leakFraction)])
    }

    func modelFile(_ net: Sequential, metrics: [String: Double], epoch: Int) -> ModelFile {
        var md = modelMetadata(arch: net.architecture, metrics: metrics)
        md.notes["epoch"] = String(epoch + 1)
        return ModelFile(network: net, metadata: md)
    }

    /// Writes `NAME.arch.json` in the schema of `shared/bench/README.md`.
    func writeArchitecture(_ arch: Architecture) throws {
        try arch.benchJSON().write(to: URL(fileURLWithPath: archPath))
    }

    static func datasetDescription(_ s: String) -> String {
        switch s {
        case "crackforest": "CrackForest (CFD), Shi et al. 2016"
        case "deepcrack": "DeepCrack training split, Liu et al. 2019"
        case "leak-tunnel": "tunnel-defect-toolkit example_data (leak-tunnel)"
        case "saltspot": "SaltSpot efflorescence crops (leak proxy)"
        case "ozgenel": "Özgenel concrete crack patches"
        case "quaywall": "quay-wall crack YOLO tiles"
        case "pavement-negatives": "pavement-negatives (deep_pavements_dataset), even half, as background"
        default: s
        }
    }

    static func licence(_ s: String) -> String {
        switch s {
        case "crackforest", "deepcrack": "non-commercial research and education only (CrackForest, DeepCrack)"
        case "leak-tunnel": "CC BY 4.0 (leak-tunnel)"
        case "saltspot": "MIT (SaltSpot)"
        case "ozgenel": "see ozgenel-concrete-crack-cls/SOURCE.txt"
        case "quaywall": "CC BY-SA 4.0 (quay-wall tiles)"
        case "pavement-negatives": "MIT (deep_pavements_dataset; images from Wikimedia Commons, Mapillary, Flickr under CC-compatible licences)"
        default: "unknown"
        }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "?" }
        let t = Int(s)
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, t / 60 % 60) : String(format: "%dm%02ds", t / 60, t % 60)
    }
}
