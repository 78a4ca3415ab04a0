import Foundation
import Inspection
import NeuralNet
import Training

/// `pavewatch-train segment ARCH OUT --datasets DIR [--steps N] [--lookalikes] [--v1] [--checkpoint FILE]` (given here as
/// `[DATASETS, ARCH, OUT, STEPS, lookalikes?, v1?, checkpoint=FILE?]`; formerly `tile-train segment`): trains an encoder-decoder
/// (``Graph``) per pixel for cracks on the shared data sets with ``PixelTrainer`` (models/DETECTOR.md).
/// Splits: CrackForest sorted index % 4 == 3 is test (never read here), % 8 == 1 validation; DeepCrack index % 10 == 0
/// validation (every second of them used); paveseg-preview index % 5 == 0 validation; crack-free sets by
/// ``DetectorSplits/negativesWithValidation`` (odd index held out, never read) — the rules of Inspection's `DetectorSplits`.
///
/// Without `v1` (protocols H and I): CrackForest and DeepCrack training photos at full size and reduced 2×, paveseg
/// training frames reduced 2× (alligator areas as crack), drawn uniformly. With `v1` (protocol J): groups with shares —
/// close-ups 0.3 (CrackForest and DeepCrack training photos), reduced 0.2 (the same reduced 2× and 3×), survey
/// vehicle 0.2 (paveseg training frames at full size and reduced 2×; alligator areas and potholes ignored), crack-free
/// 0.3 (the training part of pavement-negatives and Özgenel, full size and reduced 2×); photometric augmentation;
/// patches of 96 px; validation every 1,000 steps on the paveseg frames at full size; a checkpoint every 250 steps.
enum SegmentTraining {
    static func run(_ args: [String], log: @escaping (String) -> Void) throws {
        guard args.count >= 3 else {
            throw ValidationFailure("usage: pavewatch-train segment ARCH OUT --datasets DIR [--steps N]")
        }
        let root = args[0], out = args[2]
        var options = PixelTrainingOptions()
        if args.count > 3, let s = Int(args[3]) { options.steps = s }
        // lookalikes: a third class for paveseg-preview's sealed cracks, patches, covers and joints (protocol I).
        let lookalikes = args.contains("lookalikes")
        let v1 = args.contains("v1")
        if lookalikes { options.classWeights = [1, 4, 1]; options.validateEvery = 500 }
        if v1 { options.photometric = true; options.patch = 96; options.validateEvery = 1000 }
        options.checkpoint = args.first { $0.hasPrefix("checkpoint=") }.map { String($0.dropFirst(11)) }
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
        var closeups: [PixelSample] = [], reduced: [PixelSample] = [], survey: [PixelSample] = [], clean: [PixelSample] = []
        var cfdVal: [PixelSample] = [], dcVal: [PixelSample] = [], pvsVal: [PixelSample] = []
        for (i, (img, mask)) in try pairs("crackforest-cfd/image", "crackforest-cfd/mask_png").enumerated() where i % 4 != 3 {
            if i % 8 == 1 { cfdVal.append(try .load(image: img, mask: mask)); continue }
            closeups.append(try .load(image: img, mask: mask))
            reduced.append(try .load(image: img, mask: mask, reduce: 2))
            if v1 { reduced.append(try .load(image: img, mask: mask, reduce: 3)) }
        }
        for (i, (img, mask)) in try pairs("deepcrack/train_img", "deepcrack/train_lab").enumerated() {
            if i % 10 == 0 { if i % 20 == 0 { dcVal.append(try .load(image: img, mask: mask)) }; continue }
            closeups.append(try .load(image: img, mask: mask))
            reduced.append(try .load(image: img, mask: mask, reduce: 2))
            if v1 { reduced.append(try .load(image: img, mask: mask, reduce: 3)) }
        }
        // paveseg-preview mask values: 30 crack, 150 alligator area, 60 pothole; look-alikes 90 sealed crack,
        // 120 patch, 180 utility cover, 210 expansion joint.
        let paveLabel: (UInt8) -> Int8 = { v in
            switch v {
            case 30: 1
            case 150: v1 ? -1 : 1
            case 60: v1 ? -1 : 0
            case 90, 120, 180, 210: lookalikes ? 2 : 0
            default: 0
            }
        }
        for (i, (img, mask)) in try pairs("paveseg-preview/images", "paveseg-preview/masks").enumerated() {
            if i % 5 == 0 {
                pvsVal.append(try .load(image: img, mask: mask, reduce: v1 ? 1 : 2, label: paveLabel))
            } else {
                survey.append(try .load(image: img, mask: mask, reduce: 2, label: paveLabel))
                if v1 { survey.append(try .load(image: img, mask: mask, reduce: 1, label: paveLabel)) }
            }
        }
        if v1 {
            for folder in ["pavement-negatives/images", "ozgenel-concrete-crack-cls/Negative"] {
                let parts = DetectorSplits.split(DetectorSplits.uniqueFiles(root + "/" + folder), DetectorSplits.negativesWithValidation)
                for rel in parts[.train] ?? [] {
                    clean.append(try .crackFree(image: root + "/" + folder + "/" + rel))
                    clean.append(try .crackFree(image: root + "/" + folder + "/" + rel, reduce: 2))
                }
            }
        }
        let groups = v1
            ? [PixelSampleGroup(name: "close-ups", share: 0.3, samples: closeups),
               PixelSampleGroup(name: "reduced", share: 0.2, samples: reduced),
               PixelSampleGroup(name: "survey vehicle", share: 0.2, samples: survey),
               PixelSampleGroup(name: "crack-free", share: 0.3, samples: clean)]
            : [PixelSampleGroup(name: "all", share: 1, samples: closeups + reduced + survey)]
        let validation = [("crackforest", cfdVal), ("deepcrack", dcVal), ("paveseg", pvsVal)]
        log("training groups " + groups.map { "\($0.name) \($0.samples.count) (share \($0.share))" }.joined(separator: ", ")
            + "; validation " + validation.map { "\($0.0) \($0.1.count)" }.joined(separator: ", "))
        let graph = try Graph(architecture: arch, seed: options.seed)
        log(String(format: "architecture %@: %.0f multiply-adds per pixel", args[1], graph.multiplyAddsPerPixel))
        var data = ["crackforest-cfd (train split, and reduced 2x" + (v1 ? ", 3x)" : ")"),
                    "deepcrack (train split minus validation, and reduced 2x" + (v1 ? ", 3x)" : ")"),
                    "paveseg-preview (index % 5 != 0, reduced 2x" + (v1 ? ", and full size)" : ")")]
        var licences = ["CrackForest: non-commercial research and education",
                        "DeepCrack: non-commercial research and education",
                        "paveseg-preview: Apache-2.0"]
        if v1 {
            data += ["pavement-negatives (training part of negativesWithValidation, full and reduced 2x)",
                     "ozgenel-concrete-crack-cls/Negative (training part of negativesWithValidation, full and reduced 2x)"]
            licences += ["pavement-negatives: MIT (images CC-compatible, per-image terms not traced)",
                         "Özgenel concrete crack images: not verified (see the data set's SOURCE.txt)"]
        }
        let best = PixelTrainer.train(graph, groups: groups, validation: validation, options: options, log: log) { step, meanF1 in
            let meta = ModelMetadata(name: "crack-segmenter", architecture: graph.architecture,
                                     classNames: lookalikes ? ["background", "crack", "look-alike"] : ["background", "crack"],
                                     trainingData: data, licences: licences,
                                     metrics: ["validationMeanCrackF1": meanF1, "bestStep": Double(step)],
                                     seed: options.seed, notes: ["steps": "\(options.steps)", "patch": "\(options.patch)"])
            do { try ModelFile(metadata: meta, weights: graph.parameters.flatMap(\.value)).write(to: out) }
            catch { log("cannot write \(out): \(error)") }
        }
        log(String(format: "best step %d: validation mean crack F %.3f", best.step, best.meanF1))
    }
}
