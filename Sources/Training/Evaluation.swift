import Codecs
import Foundation
import NeuralNet

/// Loads labelled evaluation tiles for `pavewatch evaluate`.
public enum Evaluation {
    /// Tiles from `dir/CLASS/…` folders (`crack`, `leak`, `background`; `Positive` / `Negative` read as crack /
    /// background), or every image under `dir` when `label` is given. Tiles of another size are resized
    /// (area average) to `size × size`.
    /// - Throws: ``ValidationFailure`` for a folder that names no class; codec errors for unreadable images.
    public static func tiles(directory dir: String, label: TileClass?, size: Int) throws -> [TileSample] {
        let fm = FileManager.default
        var out: [TileSample] = []
        func load(_ folder: String, _ cls: TileClass) throws {
            guard let e = fm.enumerator(atPath: folder) else { return }
            var names: [String] = []
            while let n = e.nextObject() as? String {
                if [".jpg", ".jpeg", ".png"].contains(where: { n.lowercased().hasSuffix($0) }) { names.append(n) }
            }
            for n in names.sorted() {
                let g = try GrayImage(path: "\(folder)/\(n)").resized(width: size, height: size)
                out.append(TileSample(pixels: g.pixels, size: size, label: cls, source: n))
            }
        }
        if let label {
            try load(dir, label)
            return out
        }
        let subdirs = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted().filter {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: "\(dir)/\($0)", isDirectory: &isDir) && isDir.boolValue
        }
        guard !subdirs.isEmpty else { throw ValidationFailure("\(dir) has no class folders (crack, leak, background)") }
        for sub in subdirs {
            guard let cls = TileClass(folderName: sub) else {
                throw ValidationFailure("folder \(dir)/\(sub) names no class (crack, leak, background, Positive, Negative); use --label")
            }
            try load("\(dir)/\(sub)", cls)
        }
        return out
    }

    /// Non-overlapping tiles of each image in `images` that has a mask with the same file stem in `masks`,
    /// labelled by ``TileLabeling`` (mask value ≥ `maskMinimum` = crack; ambiguous tiles skipped).
    /// - Throws: ``ValidationFailure`` when no image has a mask; codec errors.
    public static func tiles(images: String, masks: String, size: Int, labeling: TileLabeling = TileLabeling(),
                             maskMinimum: UInt8 = 1) throws -> [TileSample] {
        let fm = FileManager.default
        let maskNames = ((try? fm.contentsOfDirectory(atPath: masks)) ?? []).sorted()
        var byStem: [String: String] = [:]
        for m in maskNames { byStem[(m as NSString).deletingPathExtension] = m }
        var out: [TileSample] = []
        for n in ((try? fm.contentsOfDirectory(atPath: images)) ?? []).sorted() {
            let stem = (n as NSString).deletingPathExtension
            guard [".jpg", ".jpeg", ".png"].contains(where: { n.lowercased().hasSuffix($0) }), let m = byStem[stem] else { continue }
            let image = try GrayImage(path: "\(images)/\(n)"), mask = try GrayImage(path: "\(masks)/\(m)")
            guard image.width == mask.width, image.height == mask.height else {
                throw ValidationFailure("mask \(m) is \(mask.width)x\(mask.height), image \(n) is \(image.width)x\(image.height)")
            }
            out += labeling.tiles(image: image, mask: mask, size: size, stride: size, source: stem) { $0 >= maskMinimum ? .crack : .background }
        }
        guard !out.isEmpty else { throw ValidationFailure("no image in \(images) has a mask in \(masks)") }
        return out
    }

    /// The `--json` object: top-level `precision`, `recall`, `f1` of the crack class, `perClass`, the
    /// confusion matrix and, when background tiles exist, the background false-positive rate.
    public static func report(_ cm: ConfusionMatrix) -> [String: Any] {
        var per: [String: Any] = [:]
        for (i, n) in cm.classNames.enumerated() {
            per[n] = ["precision": cm.precision(i), "recall": cm.recall(i), "f1": cm.f1(i), "support": cm.support(i)]
        }
        var out: [String: Any] = [
            "precision": cm.precision(0), "recall": cm.recall(0), "f1": cm.f1(0), "perClass": per,
            "classes": cm.classNames, "confusion": cm.counts, "tiles": cm.total, "accuracy": cm.accuracy,
        ]
        let bg = TileClass.background.rawValue
        if cm.support(bg) > 0 {
            out["backgroundFalsePositiveRate"] = 1 - cm.recall(bg)
        }
        return out
    }

    /// A text table: per-class precision / recall / F1 / support, then the confusion matrix.
    public static func table(_ cm: ConfusionMatrix) -> String {
        var s = "class        precision  recall      f1  support\n"
        for (i, n) in cm.classNames.enumerated() {
            s += n.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "%10.4f%8.4f%8.4f%9d\n", cm.precision(i), cm.recall(i), cm.f1(i), cm.support(i))
        }
        s += "\nconfusion (rows: truth, columns: predicted)\n" + "".padding(toLength: 12, withPad: " ", startingAt: 0)
        s += cm.classNames.map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined() + "\n"
        for (i, n) in cm.classNames.enumerated() {
            s += n.padding(toLength: 12, withPad: " ", startingAt: 0)
                + cm.counts[i].map { String($0).padding(toLength: 11, withPad: " ", startingAt: 0) }.joined() + "\n"
        }
        let bg = TileClass.background.rawValue
        if cm.support(bg) > 0 { s += String(format: "\nbackground false-positive rate: %.4f\n", 1 - cm.recall(bg)) }
        return s
    }
}
