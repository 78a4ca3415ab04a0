import ArgumentParser
import Foundation
import Inspection
import NeuralNet
import Training

/// `pavewatch evaluate --model FILE (--tiles DIR | --images DIR --masks DIR) [--json]` (tile classifier), or
/// `pavewatch evaluate --images DIR --masks DIR [--json]` without `--model` (the whole detector, pixel level),
/// or `pavewatch evaluate --crack-free DIR [--json]` (the detector's false findings on crack-free photos).
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score the tile classifier (tile P / R / F1) or the whole detector (pixel F1, false findings, leak IoU).",
        discussion: """
        --tiles DIR reads DIR/crack, DIR/leak, DIR/background (Positive / Negative read as crack / background);
        tiles of any size are resized to the model's input. --images/--masks cuts non-overlapping tiles and labels
        them by crack-pixel fraction (tiles between the background and crack fractions are skipped).
        Without --model, --images/--masks runs the whole detector: pixel precision, recall and F1 of the crack
        map with a 2-px tolerance at the best fixed threshold (ODS) and per image (OIS), leak IoU where masks mark
        leaks (--leak-values), ms per megapixel, and frames with false findings (masks without crack pixels).
        --crack-free DIR runs the detector on every photo under DIR and counts the frames with a crack finding.
        """)

    @Option(help: "Tile classifier model file (.nnw); without it --images/--masks evaluates the detector.")
    var model: String?

    @Option(help: "Detector mode: the detector's model file (default: models/crack-pixel-v2.1.nnw).")
    var detectorModel: String?

    @Option(help: "Detector mode: only the image stems listed in this file (one per line, or a JSON array).")
    var split: String?

    @Option(help: "Detector mode: mask values that mean crack, comma-separated (default: every value ≥ --mask-minimum).")
    var crackValues: String?

    @Option(help: "Detector mode: mask values that mean leak, comma-separated (e.g. 2,3,4 for the tunnel masks).")
    var leakValues: String?

    @Option(help: "Detector mode: the detector's threshold for findings (default: the model's; 0.7 for the default model).")
    var threshold: Double?

    @Option(help: "Detector mode: least leak probability of a cell for a leak finding (default \(LeakConfiguration().threshold); 0 turns leak detection off).")
    var leakThreshold: Double?

    @Option(help: "Detector mode: gray levels below the dry surface at which a pixel of a leak finding's cells is wet (default \(LeakConfiguration().pixelDarkening ?? 0); 0: findings cover whole cells).")
    var leakPixelDarkening: Double?

    @Flag(help: "Detector mode: score the network's crack map as it comes, without capping specks (pores, stains) off it.")
    var keepSpecks = false

    @Option(help: "Detector mode: least tile-classifier crack probability for a crack finding (default: the model's; \(DetectorConfiguration().tileGate ?? 0) for the default model; 0 turns the gate off).")
    var tileGate: Double?

    @Option(help: "Folder of class folders of tiles.")
    var tiles: String?

    @Option(help: "With --tiles: every image under the folder has this class (crack, leak, background).")
    var label: String?

    @Option(help: "Folder of photos (with --masks).")
    var images: String?

    @Option(help: "Folder of crack masks, same file stems as --images.")
    var masks: String?

    @Option(help: "Detector mode: a folder of crack-free photos (searched recursively, no masks); reports the frames with a false crack finding. --split then lists paths relative to the folder.")
    var crackFree: String?

    @Option(help: "Smallest mask value that counts as crack (255 for UAV75, whose grey 204 is not crack).")
    var maskMinimum: UInt8 = 1

    @Option(help: "Detector mode: pixels a predicted crack pixel may lie from a labelled one and still count (0: exact-pixel matching, as some papers report).")
    var tolerance = 2

    @Option(help: "Threads.")
    var threads = 1

    @Option(help: "Classifier: test-time views averaged per tile, 1, 2, 4 or 8 flips / rotations (default: the model's).")
    var views: Int?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        let modes = [tiles != nil, images != nil || masks != nil, crackFree != nil].filter { $0 }.count
        if modes != 1 {
            throw ValidationError("give one of --tiles DIR, --images DIR --masks DIR, --crack-free DIR")
        }
        if !(0...16).contains(tolerance) { throw ValidationError("--tolerance must be within 0...16 pixels") }
        if crackFree == nil && tiles == nil && (images == nil || masks == nil) {
            throw ValidationError("--images and --masks go together")
        }
        if crackFree != nil && model != nil { throw ValidationError("--crack-free evaluates the detector: drop --model") }
        if let l = label, TileClass(folderName: l) == nil { throw ValidationError("unknown class \(l)") }
        if tiles != nil && model == nil { throw ValidationError("--tiles needs --model") }
        if let v = views, ![1, 2, 4, 8].contains(v) { throw ValidationError("--views must be 1, 2, 4 or 8") }
    }

    func run() async throws {
        guard let model else { return try runDetector() }
        let file: ModelFile
        do { file = try ModelFile(path: model) } catch { throw CommandFailure("\(model): \(error)") }
        guard (try? Sequential(architecture: file.metadata.architecture, seed: 0)) != nil,
              file.metadata.architecture.layers.contains(where: { $0.type == "dense" }) else {
            throw CommandFailure("\(model) is not a tile classifier: a crack model (per-pixel or segmenter) goes with --detector-model")
        }
        let net = file.makeNetwork()
        let size = net.input.width
        let samples: [TileSample]
        if let tiles {
            samples = try Evaluation.tiles(directory: tiles, label: label.flatMap(TileClass.init(folderName:)), size: size)
        } else {
            samples = try Evaluation.tiles(images: images ?? "", masks: masks ?? "", size: size, maskMinimum: maskMinimum)
        }
        let classifier = TileClassifier(network: net, normalization: file.metadata.normalization, threads: threads,
                                        views: views ?? TileClassifier.views(of: file.metadata))
        let cm = classifier.confusion(samples)
        if json {
            let data = try JSONSerialization.data(withJSONObject: Evaluation.report(cm), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(cm.total) tiles, model \(file.metadata.name)\n")
            print(Evaluation.table(cm), terminator: "")
        }
    }
}

extension EvaluateCommand {
    /// Comma-separated byte values.
    static func values(_ s: String?) throws -> Set<UInt8>? {
        guard let s else { return nil }
        var out = Set<UInt8>()
        for part in s.split(separator: ",") {
            guard let v = UInt8(part.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("bad mask value \(part)") }
            out.insert(v)
        }
        return out
    }

    /// Stems from a split file: a JSON array of strings, or one stem per line.
    static func stems(_ path: String) throws -> Set<String> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        if let data = text.data(using: .utf8), let list = try? JSONSerialization.jsonObject(with: data) as? [String] {
            return Set(list)
        }
        return Set(text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func runDetector() throws {
        var config: DetectorConfiguration
        do { config = try DetectorConfiguration.forModel(at: detectorModel) } catch { throw CommandFailure("\(error)") }
        if let threshold { config.threshold = threshold }
        if let tileGate { config.tileGate = tileGate > 0 ? tileGate : nil }
        if let leakThreshold {
            if leakThreshold > 0 {
                var leaks = config.leaks ?? LeakConfiguration()
                leaks.threshold = leakThreshold
                config.leaks = leaks
            } else {
                config.leaks = nil
            }
        }
        if keepSpecks { config.specks = nil }
        if let leakPixelDarkening, var leaks = config.leaks {
            leaks.pixelDarkening = leakPixelDarkening > 0 ? leakPixelDarkening : nil
            config.leaks = leaks
        }
        let detector: Detector
        do { detector = try Detector(configuration: config) } catch { throw CommandFailure("\(error)") }
        let rule = MaskRule(crackValues: try Self.values(crackValues), minimum: maskMinimum,
                            leakValues: try Self.values(leakValues) ?? [])
        let frames: [CrackImage]
        // A segmenter model reads colour.
        let colour = detector.model.kind != .pixel
        if let crackFree {
            let keep = try split.map(Self.stems)
            frames = try CrackDataset.negatives(crackFree, only: { keep?.contains($0) ?? true }, colour: colour)
            if frames.isEmpty { throw CommandFailure("no image under \(crackFree)") }
        } else {
            frames = try CrackDataset.load(images: images ?? "", masks: masks ?? "", rule: rule,
                                           only: try split.map(Self.stems), colour: colour)
            if frames.isEmpty { throw CommandFailure("no image in \(images ?? "") has a mask in \(masks ?? "")") }
        }
        var ev = DetectorEvaluation(tolerance: tolerance)
        for f in frames { ev.add(f, detector: detector, threads: max(1, threads)) }
        let report = ev.report(threshold: config.threshold)
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let o = ev.pixels.ods, i = ev.pixels.ois
        print("\(frames.count) images, detector model \(detector.model.metadata.name), \(ev.pixels.tolerance)-px tolerance")
        print(String(format: "ODS  P %.4f  R %.4f  F %.4f  (threshold %.2f)", o.precision, o.recall, o.f1, o.threshold))
        print(String(format: "OIS  P %.4f  R %.4f  F %.4f", i.precision, i.recall, i.f1))
        if let iou = ev.leakIoU { print(String(format: "leak IoU %.4f over %d frames", iou, ev.leakFrames)) }
        print("frames with findings: \(ev.framesWithFindings); crack-free frames with a false finding: "
              + "\(ev.falseFindingFrames) of \(ev.crackFreeFrames)")
        print("frames with a leak finding: \(ev.framesWithLeakFindings), of them without a leak in the mask: \(ev.falseLeakFrames)")
        print(String(format: "%.1f ms per megapixel", ev.msPerMegapixel))
    }
}
