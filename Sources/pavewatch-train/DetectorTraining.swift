// The detector's per-pixel crack model (Inspection.CrackModel): training on the shared data sets, validation-split
// evaluation and the settings stored in a model file. Called by `pavewatch-train detector`, `detector-eval` and
// `settings` with the argument lists of the former `detector-train` executable (see PavewatchTrain.swift):
//   train:    [DATASETS, STEPS, THREADS, VALIDATE_EVERY, key=value ...]
//   eval:     [MODEL, DATASETS, mode ...]   (modes: leaks, negatives, negval, uavsettings, hysteresis, site=k1, uavval=N,
//             uavall, specks)
//   settings: [MODEL, detector.KEY=VALUE ...]
// Keys of train: hidden, dilations (comma-separated), lr, pw (crack-pixel weight), batch, patch, crackforest /
// deepcrack / pavement / ozgenel / uav75 / paveseg / reduced / lines (patch shares; 0 leaves a set out), factors,
// negval, init (a model to fine-tune), scale (std or mad: the features' contrast scale), select (validation sets that choose the step; uav75-train: every UAV75 train_*
// photo, for models that do not train on UAV75), uavval (UAV75 carved validation: every n-th train_* photo),
// out (model file, default models/crack-pixel-v1.1.nnw); defaults: CrackModel.Spec.v1_0 and CrackTrainingOptions.
import Filters
import Findings
import Foundation
import ImagingCore
import Inspection
import NeuralNet
import Training

enum DetectorTraining {
    /// Stores the detector settings that go with a model in its notes.
    static func settings(_ args: [String]) throws {
        let args = ["detector-train", "settings"] + args
        // detector-train settings MODEL [detector.KEY=VALUE ...]: stores the detector settings that go with a model in
        // its notes (DetectorConfiguration.settingNotes; an empty value removes one), checks them, prints them.
        var file = try ModelFile(path: args[2])
        for a in args.dropFirst(3) {
            let kv = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.count == 2, DetectorConfiguration.settingNotes.contains(kv[0]) else {
                FileHandle.standardError.write(Data("not a detector setting: \(a) (known: \(DetectorConfiguration.settingNotes.joined(separator: ", ")))\n".utf8))
                throw ValidationFailure("bad argument: see pavewatch-train --help")
            }
            file.metadata.notes[kv[0]] = kv[1].isEmpty ? nil : kv[1]
        }
        var check = DetectorConfiguration()
        try check.apply(notes: file.metadata.notes, source: args[2])
        try file.write(to: args[2])
        for key in DetectorConfiguration.settingNotes { print("\(key) = \(file.metadata.notes[key] ?? "(the default)")") }
        return
    }

    /// Validation-split figures for choosing the post-processing (never the test split).
    static func eval(_ args: [String]) throws {
        let args = ["detector-train", "eval"] + args
        // detector-train eval MODEL [DATASETS]: validation-split figures for choosing the post-processing (never
        // the test split): per set ODS / OIS of the raw and the ridge-suppressed map, and false findings on the
        // training half of the crack-free sets at several tile-gate bars.
        let root = args[3]
        let model = try CrackModel(path: args[2])
        // A segmenter reads colour.
        let colour = model.kind != .pixel
        func out(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
        let cfd = DetectorSplits.split(try CrackDataset.files(in: root + "/crackforest-cfd/mask_png").map(\.stem), DetectorSplits.crackForest)
        let dc = DetectorSplits.split(try CrackDataset.files(in: root + "/deepcrack/train_lab").map(\.stem), DetectorSplits.carvedValidation)
        // uavval=N: the UAV75 carved validation is every N-th sorted train_* photo (as in training; default 10).
        let uavEvery = args.compactMap { $0.hasPrefix("uavval=") ? Int($0.dropFirst(7)) : nil }.last ?? 10
        let uav = DetectorSplits.split(try CrackDataset.files(in: root + "/uav75/train_lab").map(\.stem)) {
            uavEvery == 10 ? DetectorSplits.carvedValidation($0) : ($0 % max(2, uavEvery) == 0 ? .validation : .train)
        }
        // uavall: also every UAV75 train_* photo (for models that do not train on UAV75, the default among them).
        let uavAll: [(String, [CrackImage])] = args.contains("uavall")
            ? [("uav75-train", try CrackDataset.load(images: root + "/uav75/train_img", masks: root + "/uav75/train_lab",
                                                     rule: MaskRule(minimum: 255), colour: colour))] : []
        let sets: [(String, [CrackImage])] = uavAll + [
            ("crackforest-val", try CrackDataset.load(images: root + "/crackforest-cfd/image", masks: root + "/crackforest-cfd/mask_png", only: Set(cfd[.validation] ?? []), colour: colour)),
            ("deepcrack-val", try CrackDataset.load(images: root + "/deepcrack/train_img", masks: root + "/deepcrack/train_lab", only: Set(dc[.validation] ?? []), colour: colour)),
            ("uav75-carved-val", try CrackDataset.load(images: root + "/uav75/train_img", masks: root + "/uav75/train_lab", rule: MaskRule(minimum: 255), only: Set(uav[.validation] ?? []), colour: colour)),
            ("paveseg-val", try CrackDataset.load(images: root + "/paveseg-preview/images", masks: root + "/paveseg-preview/masks",
                                                  rule: MaskRule(crackValues: [30, 150]),
                                                  only: Set(DetectorSplits.split(try CrackDataset.files(in: root + "/paveseg-preview/masks").map(\.stem), DetectorSplits.paveseg)[.validation] ?? []), colour: colour)),
            ("crackforest-val-x2", try CrackDataset.load(images: root + "/crackforest-cfd/image", masks: root + "/crackforest-cfd/mask_png",
                                                         only: Set(cfd[.validation] ?? []), colour: colour).map { $0.reduced(by: 2) }),
        ]
        // The training halves of the crack-free sets (the held-out halves are for the report only).
        // negval: only the validation part carved from the training halves (protocol G, never trained on by v2.1).
        let carvedOnly = args.contains("negval")
        func trainingHalfNegatives() throws -> [CrackImage] {
            let rule = carvedOnly ? DetectorSplits.negativesWithValidation : DetectorSplits.negatives
            let part: DetectorSplits.Part = carvedOnly ? .validation : .train
            let pav = DetectorSplits.split(DetectorSplits.uniqueFiles(root + "/pavement-negatives/images"), rule)
            let ozg = DetectorSplits.split(DetectorSplits.uniqueFiles(root + "/ozgenel-concrete-crack-cls/Negative"), rule)
            return try CrackDataset.negatives(root + "/pavement-negatives/images", only: Set(pav[part] ?? []).contains, colour: colour)
                + CrackDataset.negatives(root + "/ozgenel-concrete-crack-cls/Negative", only: Set(ozg[part] ?? []).contains, colour: colour)
        }
        for (name, images) in sets {
            var ev = PixelEvaluation()
            for v in images { ev.add(probability: CrackMap.probabilities(v.input(for: model), model: model, threads: 2), truth: v.truth) }
            out(String(format: "%@ ODS %.4f (P %.3f R %.3f at %.2f) OIS %.4f", name, ev.ods.f1, ev.ods.precision,
                       ev.ods.recall, ev.ods.threshold, ev.ois.f1))
        }
        if args.contains("specks") || args.contains("specks2") || args.contains("lines") {
            // Protocol M: speck removal settings on the validation sets, and findings on the carved crack-free
            // validation frames (gate 0.98 / elongation 16 / length 45) with each.
            let maps = sets.map { set in set.1.map { CrackMap.probabilities($0.input(for: model), model: model, threads: 2) } }
            let negs = try trainingHalfNegatives()
            let negMaps = negs.map { CrackMap.probabilities($0.input(for: model), model: model, threads: 2) }
            let gate = try TileGate(path: try CrackModel.locate(nil, name: TileGate.defaultFileName))
            // Protocol M's grid; specks2: protocol M2's, around M's choice (0.3 / 32 / 6); lines: protocol N, M2's
            // choice with and without straight lines.
            var settings: [CrackMap.Specks?] = [nil]
            let m2Choice = CrackMap.Specks(threshold: 0.2, extent: 128, compactness: 6)
            if args.contains("lines") {
                settings = [m2Choice]
                for l in [64.0, 128] {
                    for sigma in [0.75, 1.0, 1.5] {
                        var s = m2Choice
                        s.lines = .init(length: l, spread: sigma)
                        settings.append(s)
                    }
                }
            } else {
                let m2 = args.contains("specks2")
                for t in (m2 ? [0.2, 0.3] : [0.3, 0.4, 0.5]) as [Float] {
                    for e in m2 ? [32.0, 64, 128] : [16.0, 32] {
                        for r in m2 ? [6.0, 12, 24] : [3.0, 6] { settings.append(CrackMap.Specks(threshold: t, extent: e, compactness: r)) }
                    }
                }
            }
            for sp in settings {
                var line = sp.map { String(format: "specks t0 %.1f extent %.0f compactness %.0f", $0.threshold, $0.extent, $0.compactness)
                    + ($0.lines.map { String(format: " lines %.0f px spread %.2f", $0.length, $0.spread) } ?? "") + ":" }
                    ?? "specks off:"
                var mean = 0.0
                for (k, set) in sets.enumerated() {
                    var ev = PixelEvaluation()
                    for (img, p0) in zip(set.1, maps[k]) {
                        var p = p0
                        sp?.remove(from: &p, width: img.gray.width, height: img.gray.height)
                        ev.add(probability: p, truth: img.truth)
                    }
                    line += String(format: " %@ %.4f;", set.0, ev.ods.f1)
                    if set.0 != "uav75-carved-val" { mean += ev.ods.f1 }
                }
                var c = DetectorConfiguration(minimumLengthPx: 45, tileGate: 0.98)
                c.specks = sp
                let d = Detector(model: model, gate: gate, configuration: c)
                var flagged = 0
                for (n, p0) in zip(negs, negMaps) {
                    var p = p0
                    sp?.remove(from: &p, width: n.gray.width, height: n.gray.height)
                    if !d.regions(p, width: n.gray.width, height: n.gray.height, gray: n.gray, threads: 2).isEmpty { flagged += 1 }
                }
                let count = Double(sets.filter { $0.0 != "uav75-carved-val" }.count)
                out(line + String(format: " mean (without the carved UAV75 five) %.4f; crack-free frames with a finding %d of %d",
                                  mean / count, flagged, negs.count))
            }
        }
        if args.contains("leaks") {
            // Choosing the leak settings: IoU on the leak-tunnel photos the tile classifier trained on, and frames with
            // a leak finding on the training halves of the crack-free sets and on the validation crack photos (none
            // of them shows a leak). The classifier's three tunnel validation photos (models/MODEL.md: C0111, F0010,
            // L0154) and the held-out halves are left for the report.
            let tunnelValidation: Set<String> = ["C0111", "F0010", "L0154"]
            let tunnel = try CrackDataset.load(images: root + "/leak-tunnel/images", masks: root + "/leak-tunnel/masks",
                                               rule: MaskRule(crackValues: [1], leakValues: [2, 3, 4]),
                                               only: Set(try CrackDataset.files(in: root + "/leak-tunnel/masks").map(\.stem))
                                                   .subtracting(tunnelValidation))
            let dry = try trainingHalfNegatives()
                + sets.flatMap(\.1)
            let classifier = try TileGate(path: try CrackModel.locate(nil, name: TileGate.defaultFileName))
            guard let finder = LeakFinder(classifier: classifier) else { throw ValidationFailure("the classifier has no leak class") }
            let tunnelMaps = tunnel.map { finder.cellMap($0.gray, threads: 2) }
            let dryMaps = dry.map { finder.cellMap($0.gray, threads: 2) }
            for t in [0.3, 0.5, 0.7, 0.9, 0.98] { for cells in [1, 2, 3, 4, 6] { for darkening in [0.0, 10, 20, 30, 40] {
                    let f = LeakFinder(classifier: classifier, configuration: LeakConfiguration(
                        threshold: t, minimumCells: cells, minimumDarkening: darkening))!
                    var inter = 0, union = 0
                    for (img, map) in zip(tunnel, tunnelMaps) {
                        let m = f.mask(map, width: img.gray.width, height: img.gray.height)
                        for i in m.bits.indices {
                            let truth = img.leak?.bits[i] ?? 0
                            if truth != 0 && m.bits[i] != 0 { inter += 1 }
                            if truth != 0 || m.bits[i] != 0 { union += 1 }
                        }
                    }
                    let flagged = dryMaps.filter { !f.findings($0).isEmpty }.count
                    out(String(format: "leak threshold %.2f cells %d darkening %.0f: tunnel training IoU %.4f (%d photos); %d of %d dry frames with a leak finding",
                               t, cells, darkening, union == 0 ? 0 : Double(inter) / Double(union), tunnel.count, flagged, dry.count))
            } } }
            // Pixel refinement (LeakConfiguration.pixelDarkening) at the chosen cell settings: which frames get a
            // finding does not change, only the pixels a finding covers.
            for tau in [nil, 5, 10, 15, 20, 25, 30] as [Double?] {
                var c = LeakConfiguration()
                c.pixelDarkening = tau
                let f = LeakFinder(classifier: classifier, configuration: c)!
                var inter = 0, union = 0, perPhoto: [String] = []
                for (img, map) in zip(tunnel, tunnelMaps) {
                    let m = f.mask(map, width: img.gray.width, height: img.gray.height)
                    var i1 = 0, u1 = 0
                    for i in m.bits.indices {
                        let truth = img.leak?.bits[i] ?? 0
                        if truth != 0 && m.bits[i] != 0 { i1 += 1 }
                        if truth != 0 || m.bits[i] != 0 { u1 += 1 }
                    }
                    inter += i1; union += u1
                    perPhoto.append(String(format: "%@ %.3f", img.name, u1 == 0 ? 0 : Double(i1) / Double(u1)))
                }
                out(String(format: "leak pixel darkening %@ (threshold %.2f cells %d darkening %.0f): tunnel training IoU %.4f; ",
                           tau.map { String(format: "%.0f", $0) } ?? "off", c.threshold, c.minimumCells, c.minimumDarkening,
                           union == 0 ? 0 : Double(inter) / Double(union)) + perPhoto.joined(separator: ", "))
            }
        }
        if args.contains("hysteresis") {
            // Protocol E (models/DETECTOR.md): hysteresis settings, chosen on quay-wall site k1 (box recall and the share
            // of findings on a box), the validation crack photos and the training halves of the crack-free sets.
            struct Tile { var gray: PixelBuffer; var boxes: [BoundingBox] }
            let site = args.compactMap { $0.hasPrefix("site=") ? String($0.dropFirst(5)) : nil }.last ?? "k1"
            let folder = root + "/quaywall-crack-yolo/BOX/" + site
            let tiles: [Tile] = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                .filter { $0.lowercased().hasSuffix(".jpg") }.map { name in
                    let gray = try CrackDataset.gray(folder + "/" + name)
                    let text = (try? String(contentsOfFile: folder + "/" + (name as NSString).deletingPathExtension + ".txt", encoding: .utf8)) ?? ""
                    let boxes = text.split(whereSeparator: \.isNewline).compactMap { line -> BoundingBox? in
                        let v = line.split(separator: " ").compactMap { Double($0) }
                        guard v.count == 5 else { return nil }
                        let w = v[3] * Double(gray.width), h = v[4] * Double(gray.height)
                        return BoundingBox(x: Int(v[1] * Double(gray.width) - w / 2), y: Int(v[2] * Double(gray.height) - h / 2),
                                           width: Int(w.rounded()), height: Int(h.rounded()))
                    }
                    return Tile(gray: gray, boxes: boxes)
                }
            func overlaps(_ a: BoundingBox, _ b: BoundingBox) -> Bool {
                a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
            }
            let negs = try trainingHalfNegatives()
            let photos = sets.flatMap(\.1).filter { !$0.crackPixels.isEmpty }
            let gate = try TileGate(path: try CrackModel.locate(nil, name: TileGate.defaultFileName))
            struct Setting { var high: Double; var low: Double?; var confidence: Double }
            var grid: [Setting] = []
            for h in [0.6, 0.7] { for l in [nil, 0.5, 0.4, 0.3] as [Double?] { for c in [0.5, 0.6, 0.7, 0.8] {
                grid.append(Setting(high: h, low: l, confidence: c))
            } } }
            let detectors = grid.map { g in
                var c = DetectorConfiguration(threshold: g.high, minimumConfidence: g.confidence)
                c.lowThreshold = g.low
                return Detector(model: model, gate: gate, configuration: c)
            }
            func findings(_ d: Detector, _ gray: PixelBuffer, _ p: [Float]) -> [Finding] {
                d.regions(p, width: gray.width, height: gray.height, gray: gray, threads: 2)
            }
            var flagged = [Int](repeating: 0, count: grid.count), kept = flagged, boxesHit = flagged, onBox = flagged, total = flagged
            for n in negs {
                let p = CrackMap.probabilities(n.input(for: model), model: model, threads: 2)
                for (k, d) in detectors.enumerated() where !findings(d, n.gray, p).isEmpty { flagged[k] += 1 }
            }
            for v in photos {
                let p = CrackMap.probabilities(v.input(for: model), model: model, threads: 2)
                for (k, d) in detectors.enumerated() where !findings(d, v.gray, p).isEmpty { kept[k] += 1 }
            }
            for t in tiles {
                let p = CrackMap.probabilities(t.gray, model: model, threads: 2)
                for (k, d) in detectors.enumerated() {
                    let found = findings(d, t.gray, p).filter { $0.defectClass == .crack }.map(\.bbox)
                    boxesHit[k] += t.boxes.filter { b in found.contains { overlaps($0, b) } }.count
                    onBox[k] += found.filter { f in t.boxes.contains { overlaps(f, $0) } }.count
                    total[k] += found.count
                }
            }
            let boxCount = tiles.map(\.boxes.count).reduce(0, +)
            for (k, g) in grid.enumerated() {
                out(String(format: "high %.1f low %@ confidence %.1f: %d of %d training-half crack-free frames with a finding; %d of %d validation crack photos with a finding; %@ boxes with a finding %d of %d (%.3f), findings on a box %d of %d",
                           g.high, g.low.map { String(format: "%.1f", $0) } ?? "off", g.confidence, flagged[k], negs.count, kept[k], photos.count,
                           site, boxesHit[k], boxCount, Double(boxesHit[k]) / Double(max(1, boxCount)), onBox[k], total[k]))
            }
        }
        if args.contains("uavsettings") {
            // Protocol C (models/DETECTOR.md): the detector settings of a UAV75 model, chosen on the UAV75 carved
            // validation and the training halves of the crack-free sets.
            let negs = try trainingHalfNegatives()
            let crackPhotos = sets.first { $0.0 == "uav75-carved-val" }?.1 ?? []
            let gate = try TileGate(path: try CrackModel.locate(nil, name: TileGate.defaultFileName))
            struct Setting { var gate, threshold, elongation, length: Double }
            var grid: [Setting] = []
            for g in [0, 0.5, 0.9, 0.98] { for t in [0.5, 0.6, 0.7] { for e in [8.0, 12, 16] { for l in [30.0, 45] {
                grid.append(Setting(gate: g, threshold: t, elongation: e, length: l))
            } } } }
            let detectors = grid.map { g in
                var c = DetectorConfiguration(threshold: g.threshold, minimumLengthPx: g.length, minimumConfidence: g.threshold + 0.1,
                                              tileGate: g.gate > 0 ? g.gate : nil)
                c.minimumElongation = g.elongation
                return Detector(model: model, gate: gate, configuration: c)
            }
            var flagged = [Int](repeating: 0, count: grid.count)
            for n in negs {
                let p = CrackMap.probabilities(n.input(for: model), model: model, threads: 2)
                for (k, d) in detectors.enumerated()
                where !d.regions(p, width: n.gray.width, height: n.gray.height, gray: n.gray, threads: 2).isEmpty { flagged[k] += 1 }
            }
            // A finding is on a crack when at least half of its outline points have a labelled crack pixel within 3 px.
            func onCrack(_ f: Finding, _ truth: BinaryMask) -> Bool {
                let near = f.outline.filter { pt in
                    let x = Int(pt[0].rounded()), y = Int(pt[1].rounded())
                    for dy in -3...3 { for dx in -3...3 where truth[x + dx, y + dy] { return true } }
                    return false
                }.count
                return near * 2 >= f.outline.count
            }
            var photos = [Int](repeating: 0, count: grid.count), on = photos, off = photos
            for v in crackPhotos {
                let p = CrackMap.probabilities(v.input(for: model), model: model, threads: 2)
                for (k, d) in detectors.enumerated() {
                    let found = d.regions(p, width: v.gray.width, height: v.gray.height, gray: v.gray, threads: 2)
                    let good = found.filter { onCrack($0, v.truth) }.count
                    on[k] += good
                    off[k] += found.count - good
                    if good > 0 { photos[k] += 1 }
                }
            }
            for (k, g) in grid.enumerated() {
                out(String(format: "gate %.2f threshold %.1f elongation %.0f length %.0f: %d of %d training-half crack-free frames with a finding; %d of %d carved-validation photos with a finding on a crack; findings on / off cracks %d / %d",
                           g.gate, g.threshold, g.elongation, g.length, flagged[k], negs.count, photos[k], crackPhotos.count, on[k], off[k]))
            }
        }
        if args.contains("negatives") {
            let negs = try trainingHalfNegatives()
            let gate = try TileGate(path: try CrackModel.locate(nil, name: TileGate.defaultFileName))
            // (gate bar, least elongation, least length)
            let bars: [(Double, Double, Double)] = [(0, 0, 30), (0.9, 0, 30), (0.9, 12, 30), (0.9, 16, 45), (0.95, 12, 30),
                                                    (0.95, 16, 45), (0.95, 20, 45), (0.95, 16, 60), (0.97, 12, 30),
                                                    (0.97, 16, 45), (0.97, 20, 45), (0.97, 16, 60), (0.98, 16, 45),
                                                    (0.98, 20, 60), (0.99, 16, 45)]
            var flagged = [Int](repeating: 0, count: bars.count)
            var kept = [Int](repeating: 0, count: bars.count), cracked = 0
            func count(_ n: CrackImage, _ into: inout [Int]) {
                let p = CrackMap.probabilities(n.input(for: model), model: model, threads: 2)
                for (k, bar) in bars.enumerated() {
                    var c = DetectorConfiguration(minimumLengthPx: bar.2, tileGate: bar.0 > 0 ? bar.0 : nil)
                    c.minimumElongation = bar.1
                    let d = Detector(model: model, gate: gate, configuration: c)
                    if !d.regions(p, width: n.gray.width, height: n.gray.height, gray: n.gray, threads: 2).isEmpty { into[k] += 1 }
                }
            }
            for n in negs { count(n, &flagged) }
            // The price: validation frames with cracks that still get a finding.
            for v in sets.flatMap(\.1) where !v.crackPixels.isEmpty { cracked += 1; count(v, &kept) }
            for (k, bar) in bars.enumerated() {
                out(String(format: "gate %.2f elongation %.0f length %.0f: %d of %d training-half crack-free frames with a finding; %d of %d validation crack frames",
                           bar.0, bar.1, bar.2, flagged[k], negs.count, kept[k], cracked))
            }
        }
        return
    }

    /// Trains a per-pixel crack model and writes it with the splits it used.
    static func train(_ args: [String]) throws {
            let args = ["detector-train"] + args
        let root = args[1]
        var options = CrackTrainingOptions()
        if args.count > 2, let s = Int(args[2]) { options.steps = s }
        if args.count > 3, let t = Int(args[3]) { options.threads = t }
        if args.count > 4, let v = Int(args[4]) { options.validateEvery = v }
        var spec = CrackModel.Spec.v1_0
        var outPath = "models/crack-pixel-v1.1.nnw"
        // Patch shares of the groups (keys crackforest, deepcrack, pavement, ozgenel, uav75), overriding the defaults
        // below; share 0 leaves a group out. UAV75 is out unless given a share (see the licence note below).
        var shares: [String: Double] = [:]
        // Validation sets that choose the step (key select, comma-separated; default all three).
        var selected: Set<String>? = nil
        // UAV75 carved validation: every n-th sorted train_* photo (key uavval; default 10, DetectorSplits.carvedValidation).
        var uavEvery = 10
        // Scale augmentation (key factors, comma-separated): the CrackForest and DeepCrack training photos reduced by these
        // factors form the group `reduced` (key reduced: its share, default 0 = off), so that the model also sees cracks
        // one or two pixels wide, as a drone at 10-20 mm/px does.
        var reduceFactors = [2, 3]
        // Protocol G (key negval=1): train on the crack-free training halves minus a carved validation fifth
        // (DetectorSplits.negativesWithValidation), which `detector-train eval MODEL DATASETS negatives negval` scores.
        var carveNegatives = false
        // Fine-tuning (key init=MODEL): start from a trained model's weights (same hidden / dilations).
        var initPath: String? = nil
        for a in args.dropFirst(5) {
            let kv = a.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "hidden": spec.hidden = Int(kv[1]) ?? spec.hidden
            case "dilations": spec.dilations = kv[1].split(separator: ",").compactMap { Int($0) }
            case "lr": options.learningRate = Float(kv[1]) ?? options.learningRate
            case "pw": options.positiveWeight = Float(kv[1]) ?? options.positiveWeight
            case "batch": options.batch = Int(kv[1]) ?? options.batch
            case "patch": options.patch = Int(kv[1]) ?? options.patch
            case "out": outPath = kv[1]
            case "pavement": shares["pavement-negatives"] = Double(kv[1])
            case "ozgenel": shares["ozgenel-negatives"] = Double(kv[1])
            case "init": initPath = kv[1]
            case "scale":
                guard let rule = CrackFeatures.ScaleRule(rawValue: kv[1]) else { throw ValidationFailure("scale is std or mad") }
                options.contrastScale = rule
            case "crackforest", "deepcrack", "uav75", "paveseg", "reduced", "lines": shares[kv[0]] = Double(kv[1])
            case "factors": reduceFactors = kv[1].split(separator: ",").compactMap { Int($0) }
            case "negval": carveNegatives = kv[1] == "1"
            case "select": selected = Set(kv[1].split(separator: ",").map(String.init))
            case "uavval": uavEvery = max(2, Int(kv[1]) ?? uavEvery)
            default: FileHandle.standardError.write(Data("unknown option \(kv[0])\n".utf8)); throw ValidationFailure("bad argument: see pavewatch-train --help")
            }
        }
        func say(_ s: String) { FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
        // Checked before any data is read: a model of another shape fails at once, with what to give.
        if let initPath {
            let start = try CrackModel(path: initPath)
            let expected = CrackModel.makeNetwork(spec, height: 8, width: 8, seed: 0).flatWeights().count
            guard start.weights.count == expected else {
                throw ValidationFailure("\(initPath): \(start.weights.count) weights, but hidden=\(spec.hidden) dilations="
                    + spec.dilations.map(String.init).joined(separator: ",")
                    + " needs \(expected): give the hidden and dilations the model was trained with")
            }
            options.initialWeights = start.weights
            say("starting from \(initPath)")
        }

        do {
            let cfdStems = try CrackDataset.files(in: root + "/crackforest-cfd/mask_png").map(\.stem)
            let cfd = DetectorSplits.split(cfdStems, DetectorSplits.crackForest)
            let dcStems = try CrackDataset.files(in: root + "/deepcrack/train_lab").map(\.stem)
            let dc = DetectorSplits.split(dcStems, DetectorSplits.carvedValidation)
            let uavStems = try CrackDataset.files(in: root + "/uav75/train_lab").map(\.stem)
            let uav = uavEvery == 10 ? DetectorSplits.split(uavStems, DetectorSplits.carvedValidation)
                : DetectorSplits.split(uavStems) { $0 % uavEvery == 0 ? .validation : .train }
            let negativeRule = carveNegatives ? DetectorSplits.negativesWithValidation : DetectorSplits.negatives
            let pav = DetectorSplits.split(DetectorSplits.uniqueFiles(root + "/pavement-negatives/images"), negativeRule)
            let ozg = DetectorSplits.split(DetectorSplits.uniqueFiles(root + "/ozgenel-concrete-crack-cls/Negative"),
                                           negativeRule)
            func load(_ dir: String, _ masks: String, _ stems: [String]?, _ rule: MaskRule = MaskRule()) throws -> [CrackImage] {
                try CrackDataset.load(images: root + "/" + dir, masks: root + "/" + masks, rule: rule, only: stems.map(Set.init))
            }
            let uavRule = MaskRule(minimum: 255)
            let pavesegRule = MaskRule(crackValues: [30, 150])
            let pvs = DetectorSplits.split(try CrackDataset.files(in: root + "/paveseg-preview/masks").map(\.stem),
                                           DetectorSplits.paveseg)
            // UAV75 (GPL-3.0) is not trained on by default: the default weights derive from CrackForest and DeepCrack
            // (non-commercial only), a restriction GPL-3.0 does not allow on a derived work, and models/MODEL.md keeps it
            // out of training for the same reason. A separate model may train on UAV75 with the MIT negatives only
            // (uav75=SHARE crackforest=0 deepcrack=0 ozgenel=0), under GPL-3.0.
            // A group's images are read only when it has a share.
            func group(_ name: String, _ defaultShare: Double, _ images: () throws -> [CrackImage]) throws -> CrackTrainer.Group {
                let share = shares[name] ?? defaultShare
                return CrackTrainer.Group(name: name, images: share > 0 ? try images() : [], share: share)
            }
            let allGroups = [
                try group("crackforest", 0.4) { try load("crackforest-cfd/image", "crackforest-cfd/mask_png", cfd[.train]) },
                try group("deepcrack", 0.35) { try load("deepcrack/train_img", "deepcrack/train_lab", dc[.train]) },
                try group("pavement-negatives", 0.15) {
                    try CrackDataset.negatives(root + "/pavement-negatives/images", only: Set(pav[.train] ?? []).contains)
                },
                try group("ozgenel-negatives", 0.1) {
                    try CrackDataset.negatives(root + "/ozgenel-concrete-crack-cls/Negative", only: Set(ozg[.train] ?? []).contains)
                },
                try group("uav75", 0) { try load("uav75/train_img", "uav75/train_lab", uav[.train], uavRule) },
                // Survey-vehicle frames (Apache-2.0): crack and alligator crack (30, 150) are cracks; sealed cracks,
                // patches, covers, joints and potholes are look-alikes the model must learn to leave alone.
                try group("paveseg", 0) { try load("paveseg-preview/images", "paveseg-preview/masks", pvs[.train], pavesegRule) },
                try group("reduced", 0) {
                    let photos = try load("crackforest-cfd/image", "crackforest-cfd/mask_png", cfd[.train])
                        + load("deepcrack/train_img", "deepcrack/train_lab", dc[.train])
                    return reduceFactors.flatMap { f in photos.map { $0.reduced(by: f) } }
                },
                // Straight look-alikes (LookAlikeLines: planking, joints, paint) drawn on the crack-free training frames
                // and on the CrackForest / DeepCrack training photos (full size and reduced 2x), labels unchanged.
                try group("lines", 0) {
                    let photos = try load("crackforest-cfd/image", "crackforest-cfd/mask_png", cfd[.train])
                        + load("deepcrack/train_img", "deepcrack/train_lab", dc[.train])
                    let plain = try CrackDataset.negatives(root + "/pavement-negatives/images", only: Set(pav[.train] ?? []).contains)
                        + CrackDataset.negatives(root + "/ozgenel-concrete-crack-cls/Negative", only: Set(ozg[.train] ?? []).contains)
                    let all = plain + photos + photos.map { $0.reduced(by: 2) }
                    return all.enumerated().map { LookAlikeLines.drawn(on: $0.element, seed: 0x11_E5 &+ UInt64($0.offset)) }
                },
            ]
            let groups = allGroups.filter { $0.share > 0 }
            let validation = [
                ("crackforest", try load("crackforest-cfd/image", "crackforest-cfd/mask_png", cfd[.validation])),
                // Every second carved DeepCrack validation photo, to keep validation short.
                ("deepcrack", try load("deepcrack/train_img", "deepcrack/train_lab",
                                       (dc[.validation] ?? []).enumerated().filter { $0.offset % 2 == 0 }.map(\.element))),
                ("uav75", try load("uav75/train_img", "uav75/train_lab", uav[.validation], uavRule)),
                // Every UAV75 train_* photo: validation only, for models that do not train on UAV75 (select=...,uav75-train).
                ("uav75-train", try load("uav75/train_img", "uav75/train_lab", nil, uavRule)),
                ("paveseg", try load("paveseg-preview/images", "paveseg-preview/masks", pvs[.validation], pavesegRule)),
                // The CrackForest validation photos reduced 2x: thin cracks as from the air.
                ("crackforest-x2", try load("crackforest-cfd/image", "crackforest-cfd/mask_png", cfd[.validation]).map { $0.reduced(by: 2) }),
            ].filter { selected?.contains($0.0) ?? ($0.0 != "uav75-train") }
            let trained = Set(groups.map(\.name))
            let sourceLicences: [(String, String, String)] = [
                ("crackforest", "crackforest-cfd (train split)", "CrackForest: non-commercial research and education"),
                ("deepcrack", "deepcrack (train split minus validation)", "DeepCrack: non-commercial research and education"),
                ("pavement-negatives", "pavement-negatives (even)", "pavement-negatives: MIT"),
                ("ozgenel-negatives", "ozgenel Negative (even)", "Özgenel: not verified (see ozgenel-concrete-crack-cls/SOURCE.txt)"),
                ("uav75", "uav75 train_* minus carved validation", "UAV75: GPL-3.0"),
                ("paveseg", "paveseg-preview (index % 5 != 0)", "paveseg-preview: Apache-2.0"),
                ("reduced", "crackforest + deepcrack training photos reduced by \(reduceFactors)", "as CrackForest / DeepCrack"),
                ("lines", "drawn straight look-alikes on the crack-free training frames and the crackforest + deepcrack training photos",
                 "as CrackForest / DeepCrack"),
            ].filter { trained.contains($0.0) }
            if trained.contains("uav75") && (trained.contains("crackforest") || trained.contains("deepcrack")) {
                say("warning: UAV75 (GPL-3.0) mixed with non-commercial data: the weights cannot meet both licences")
            }
            for g in groups { say("\(g.name): \(g.images.count) training images") }
            say("validation: " + validation.map { "\($0.0) \($0.1.count)" }.joined(separator: ", ") + " images")
            let manifest: [String: Any] = [
                "rule": "sorted file stems; see Sources/Inspection/DetectorSplits.swift",
                "crackforest-cfd": ["test": cfd[.test] ?? [], "validation": cfd[.validation] ?? [], "train": cfd[.train] ?? []],
                "deepcrack": ["validation": dc[.validation] ?? [], "train": dc[.train] ?? []],
                "uav75": ["validation (from train_*)": uav[.validation] ?? [], "train (GPL-3.0: crack-pixel-v1.0 and the separate crack-pixel-uav75 model only; left out of the default models since v1.1)": uav[.train] ?? [],
                          "evaluation": "val_img / val_lab, all 10"],
                "pavement-negatives": ["heldOut": pav[.test] ?? [], "train": pav[.train] ?? [], "validation": pav[.validation] ?? []],
                "ozgenel-concrete-crack-cls/Negative": ["heldOut": ozg[.test] ?? [], "train": ozg[.train] ?? [],
                                                        "validation": ozg[.validation] ?? []],
                "paveseg-preview": ["validation": pvs[.validation] ?? [], "train": pvs[.train] ?? []],
            ]
            if uavEvery == 10 {
                try FileManager.default.createDirectory(atPath: "datasets", withIntermediateDirectories: true)
                try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
                    .write(to: URL(fileURLWithPath: "datasets/detector-splits.json"))
            } else {
                // Another UAV75 carved validation: listed in the log, the committed splits file stays as it is.
                say("uav75 carved validation (every \(uavEvery)th): " + (uav[.validation] ?? []).joined(separator: ", "))
            }
            if trained.contains("uav75") && selected?.contains("uav75-train") == true {
                throw ValidationFailure("uav75-train validates models that do not train on UAV75")
            }
            let started = Date()
            let net = CrackModel.makeNetwork(spec, height: options.patch, width: options.patch, seed: options.seed)
            try FileManager.default.createDirectory(atPath: "models", withIntermediateDirectories: true)
            func save(_ weights: [Float], _ score: PixelEvaluation.Score, _ step: Int) {
                let meta = ModelMetadata(
                    name: "crack-pixel", architecture: net.architecture, classNames: ["crack"],
                    trainingData: sourceLicences.map(\.1),
                    licences: sourceLicences.map(\.2),
                    metrics: ["validationODSF1": score.f1, "validationODSPrecision": score.precision,
                              "validationODSRecall": score.recall, "validationODSThreshold": score.threshold,
                              "bestStep": Double(step), "trainSeconds": Date().timeIntervalSince(started)],
                    seed: options.seed,
                    notes: ["hidden": "\(spec.hidden)", "uav75CarvedValidationEvery": "\(uavEvery)", "dilations": spec.dilations.map(String.init).joined(separator: ","),
                            "steps": "\(options.steps)", "batch": "\(options.batch)", "patch": "\(options.patch)",
                            "positiveWeight": "\(options.positiveWeight)", "learningRate": "\(options.learningRate)",
                            "contrastScale": options.contrastScale.rawValue])
                do { try ModelFile(metadata: meta, weights: weights).write(to: outPath) }
                catch { say("cannot write the model: \(error)") }
                say("saved step \(step)")
            }
            let best = CrackTrainer.train(groups: groups, validation: validation, spec: spec, options: options, log: say, improved: save)
            let seconds = Date().timeIntervalSince(started)
            say(String(format: "best step %d: validation ODS F %.3f (P %.3f R %.3f, threshold %.2f), %.0f s",
                       best.step, best.score.f1, best.score.precision, best.score.recall, best.score.threshold, seconds))
        } catch {
            throw error
        }

    }
}
