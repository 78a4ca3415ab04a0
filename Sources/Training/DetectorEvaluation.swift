import Foundation
import ImagingCore
import Inspection

/// Scores the whole detector on labelled frames: pixel P/R/F1 of the crack probability map with a tolerance (2 px
/// by default) at ODS and OIS, leak IoU where masks mark leaks, and speed.
public struct DetectorEvaluation: Sendable {
    /// The pixel scores.
    public private(set) var pixels: PixelEvaluation
    /// Frames whose masks mark leaks.
    public private(set) var leakFrames = 0
    private var leakIntersection = 0, leakUnion = 0
    /// Pixels processed and seconds spent in the detector.
    public private(set) var megapixels = 0.0, seconds = 0.0
    /// Frames with at least one crack finding at the detector's threshold, and frames without any crack pixel
    /// in their mask that nonetheless got one.
    public private(set) var framesWithFindings = 0, falseFindingFrames = 0, crackFreeFrames = 0
    /// Frames with a leak finding, and those of them whose masks mark no leak (every frame when the masks
    /// do not mark leaks at all, e.g. the crack-free sets).
    public private(set) var framesWithLeakFindings = 0, falseLeakFrames = 0

    /// Creates an empty evaluation.
    /// - Parameters: tolerance: pixels a predicted crack pixel may lie from a labelled one and still count (2, the
    ///   crack-detection literature's usual protocol; 0 for exact-pixel matching).
    public init(tolerance: Int = 2) { pixels = PixelEvaluation(tolerance: max(0, tolerance)) }

    /// Runs the detector on one labelled frame and adds it.
    public mutating func add(_ image: CrackImage, detector: Detector, threads: Int) {
        let start = Date()
        // A segmenter reads the colour frame when it was loaded (``CrackDataset/load(images:masks:rule:only:colour:)``).
        let prob = detector.probabilityMap(image.input(for: detector.model), threads: threads)
        let findings = detector.regions(prob, width: image.gray.width, height: image.gray.height, gray: image.gray,
                                        threads: threads)
        let leakMap = detector.leakFinder?.cellMap(image.gray, threads: threads)
        seconds += Date().timeIntervalSince(start)
        megapixels += Double(image.gray.width * image.gray.height) / 1e6
        pixels.add(probability: prob, truth: image.truth)
        if !findings.isEmpty { framesWithFindings += 1 }
        if image.crackPixels.isEmpty {
            crackFreeFrames += 1
            if !findings.isEmpty { falseFindingFrames += 1 }
        }
        let predicted = leakMap.flatMap { map in detector.leakFinder?.mask(map, width: image.gray.width, height: image.gray.height) }
        let truthLeaks = image.leak?.count ?? 0
        if let predicted, predicted.count > 0 {
            framesWithLeakFindings += 1
            if truthLeaks == 0 { falseLeakFrames += 1 }
        }
        if let leak = image.leak {
            if truthLeaks > 0 { leakFrames += 1 }
            for i in leak.bits.indices {
                let p = predicted?.bits[i] ?? 0
                if leak.bits[i] != 0 && p != 0 { leakIntersection += 1 }
                if leak.bits[i] != 0 || p != 0 { leakUnion += 1 }
            }
        }
    }

    /// Leak intersection over union pooled over the frames whose masks can mark leaks (false leak pixels on
    /// frames without leaks count too); nil when no mask marks a leak.
    public var leakIoU: Double? { leakFrames == 0 || leakUnion == 0 ? nil : Double(leakIntersection) / Double(leakUnion) }

    /// Milliseconds per megapixel (probability map, regions and leak cells).
    public var msPerMegapixel: Double { megapixels > 0 ? seconds * 1000 / megapixels : 0 }

    /// The `--json` object: top-level precision, recall, f1 (at ODS), ods, ois, and the rest.
    public func report(threshold: Double) -> [String: Any] {
        let o = pixels.ods, i = pixels.ois, fixed = pixels.at(threshold: threshold)
        func r(_ x: Double) -> Double { (x * 10000).rounded() / 10000 }
        var out: [String: Any] = [
            "images": pixels.images, "tolerancePx": pixels.tolerance,
            "precision": r(o.precision), "recall": r(o.recall), "f1": r(o.f1), "ods": r(o.f1),
            "odsThreshold": o.threshold, "ois": r(i.f1), "oisPrecision": r(i.precision), "oisRecall": r(i.recall),
            "atDefaultThreshold": ["threshold": threshold, "precision": r(fixed.precision), "recall": r(fixed.recall),
                                   "f1": r(fixed.f1)],
            "msPerMegapixel": (msPerMegapixel * 10).rounded() / 10,
            "framesWithFindings": framesWithFindings, "crackFreeFrames": crackFreeFrames,
            "falseFindingFrames": falseFindingFrames,
            "framesWithLeakFindings": framesWithLeakFindings, "falseLeakFrames": falseLeakFrames,
        ]
        if let iou = leakIoU { out["leakIoU"] = r(iou); out["leakFrames"] = leakFrames }
        return out
    }
}
