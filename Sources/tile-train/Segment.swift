import Foundation
import NeuralNet
import Training

/// `tile-train segment DATASETS ARCH OUT [STEPS] [lookalikes]`: trains an encoder-decoder (``Graph``) per pixel for cracks on the
/// shared data sets with ``PixelTrainer`` (an experiment towards the detector's segmenter; models/DETECTOR.md).
/// Splits: CrackForest sorted index % 4 == 3 is test (never read here), % 8 == 1 validation; DeepCrack index % 10 == 0
/// validation (every second of them used); paveseg-preview index % 5 == 0 validation — the rules of
/// Inspection's `DetectorSplits`. Training also sees the CrackForest and DeepCrack training photos reduced 2×.
enum SegmentCommand {
    static func run(_ args: [String], log: @escaping (String) -> Void) throws {
        guard args.count >= 3 else { throw ValidationFailure("usage: tile-train segment DATASETS ARCH OUT [STEPS]") }
        let root = args[0], out = args[2]
        var options = PixelTrainingOptions()
        if args.count > 3, let s = Int(args[3]) { options.steps = s }
        // lookalikes: a third class for paveseg-preview's sealed cracks, patches, covers and joints (protocol I).
        let lookalikes = args.contains("lookalikes")
        if lookalikes { options.classWeights = [1, 4, 1]; options.validateEvery = 500 }
        guard let archData = FileManager.default.contents(atPath: args[1]) else { throw ValidationFailure("cannot read \(args[1])") }
        var arch = try JSONDecoder().decode(Architecture.self, from: archData)
        // Two classes (background, crack), or three with the look-alikes.
        if let last = arch.layers.indices.last, arch.layers[last].type == "conv" { arch.layers[last].out = lookalikes ? 3 : 2 }
        func stems(_ dir: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
        }
        func pairs(_ images: String, _ masks: String) throws -> [(String, String)] {
            let maskByStem = Dictionary(try stems(root + "/" + masks).map { (($0 as NSString).deletingPathExtension, $0) },
                                        uniquingKeysWith: { a, _ in a })
            return try stems(root + "/" + images).compactMap { name in
                maskByStem[(name as NSString).deletingPathExtension].map { (root + "/" + images + "/" + name, root + "/" + masks + "/" + $0) }
            }
        }
        var train: [PixelSample] = [], cfdVal: [PixelSample] = [], dcVal: [PixelSample] = [], pvsVal: [PixelSample] = []
        for (i, (img, mask)) in try pairs("crackforest-cfd/image", "crackforest-cfd/mask_png").enumerated() where i % 4 != 3 {
            if i % 8 == 1 { cfdVal.append(try .load(image: img, mask: mask)); continue }
            train.append(try .load(image: img, mask: mask))
            train.append(try .load(image: img, mask: mask, reduce: 2))
        }
        for (i, (img, mask)) in try pairs("deepcrack/train_img", "deepcrack/train_lab").enumerated() {
            if i % 10 == 0 { if i % 20 == 0 { dcVal.append(try .load(image: img, mask: mask)) }; continue }
            train.append(try .load(image: img, mask: mask))
            train.append(try .load(image: img, mask: mask, reduce: 2))
        }
        for (i, (img, mask)) in try pairs("paveseg-preview/images", "paveseg-preview/masks").enumerated() {
            let s = try PixelSample.load(image: img, mask: mask, reduce: 2) { v -> Int8 in
                switch v {
                case 30, 150: 1
                case 90, 120, 180, 210: lookalikes ? 2 : 0
                default: 0
                }
            }
            if i % 5 == 0 { pvsVal.append(s) } else { train.append(s) }
        }
        let validation = [("crackforest", cfdVal), ("deepcrack", dcVal), ("paveseg", pvsVal)]
        log("training samples \(train.count), validation " + validation.map { "\($0.0) \($0.1.count)" }.joined(separator: ", "))
        let graph = try Graph(architecture: arch, seed: options.seed)
        log(String(format: "architecture %@: %.0f multiply-adds per pixel", args[1], graph.multiplyAddsPerPixel))
        let best = PixelTrainer.train(graph, samples: train, validation: validation, options: options, log: log) { step, meanF1 in
            let meta = ModelMetadata(name: "crack-segmenter", architecture: graph.architecture,
                                     classNames: lookalikes ? ["background", "crack", "look-alike"] : ["background", "crack"],
                                     trainingData: ["crackforest-cfd (train split, and reduced 2x)",
                                                    "deepcrack (train split minus validation, and reduced 2x)",
                                                    "paveseg-preview (index % 5 != 0, reduced 2x)"],
                                     licences: ["CrackForest: non-commercial research and education",
                                                "DeepCrack: non-commercial research and education",
                                                "paveseg-preview: Apache-2.0"],
                                     metrics: ["validationMeanCrackF1": meanF1, "bestStep": Double(step)],
                                     seed: options.seed, notes: ["steps": "\(options.steps)", "patch": "\(options.patch)"])
            do { try ModelFile(metadata: meta, weights: graph.parameters.flatMap(\.value)).write(to: out) }
            catch { log("cannot write \(out): \(error)") }
        }
        log(String(format: "best step %d: validation mean crack F %.3f", best.step, best.meanF1))
    }
}
