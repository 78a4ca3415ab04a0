import Inspection
/// Pixel-level precision, recall and F1 of crack probability maps against ground-truth masks with a
/// distance tolerance (the crack-detection protocol: a predicted pixel is correct when a ground-truth pixel
/// lies within `tolerance` px, a ground-truth pixel is found when a predicted one lies within `tolerance`),
/// over 99 thresholds 0.01...0.99 at once: ODS (best fixed threshold over the set) and OIS (best threshold
/// per image).
public struct PixelEvaluation: Sendable {
    /// Thresholds evaluated: 0.01, 0.02, ..., 0.99.
    public static let thresholds: [Double] = (1...99).map { Double($0) / 100 }
    /// Tolerance radius in pixels (Euclidean).
    public let tolerance: Int
    private var predicted = [Int](repeating: 0, count: 99)
    private var correct = [Int](repeating: 0, count: 99)
    private var found = [Int](repeating: 0, count: 99)
    private var truthTotal = 0
    private var oisCounts = (predicted: 0, correct: 0, found: 0, truth: 0)
    /// Images added.
    public private(set) var images = 0

    /// A score at one threshold.
    public struct Score: Sendable, Equatable {
        public var threshold: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
    }

    /// - Parameters: tolerance: ≥ 0 pixels.
    public init(tolerance: Int = 2) { self.tolerance = tolerance }

    static func score(_ t: Double, predicted: Int, correct: Int, found: Int, truth: Int) -> Score {
        let p = predicted == 0 ? (truth == 0 ? 1 : 0) : Double(correct) / Double(predicted)
        let r = truth == 0 ? 1 : Double(found) / Double(truth)
        return Score(threshold: t, precision: p, recall: r, f1: p + r > 0 ? 2 * p * r / (p + r) : 0)
    }

    /// Adds one image.
    /// - Parameters: probability: `H × W` in 0...1; truth: the (H, W) ground-truth crack mask.
    public mutating func add(probability: [Float], truth: BinaryMask) {
        let w = truth.width, h = truth.height
        precondition(probability.count == w * h, "probability map and mask differ in size")
        var offsets: [(Int, Int)] = []
        for dy in -tolerance...tolerance { for dx in -tolerance...tolerance where dx * dx + dy * dy <= tolerance * tolerance {
            offsets.append((dx, dy))
        } }
        func bin(_ p: Float) -> Int { min(98, Int(p * 100)) - 1 }  // p ≥ t_k for every k ≤ bin
        var histAll = [Int](repeating: 0, count: 99), histNear = [Int](repeating: 0, count: 99)
        var histFound = [Int](repeating: 0, count: 99)
        var truthCount = 0
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                var nearTruth = false, best: Float = 0
                for (dx, dy) in offsets {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0 && ny >= 0 && nx < w && ny < h else { continue }
                    if truth.bits[ny * w + nx] != 0 { nearTruth = true }
                    if truth.bits[i] != 0 { best = max(best, probability[ny * w + nx]) }
                }
                let b = bin(probability[i])
                if b >= 0 {
                    histAll[b] += 1
                    if nearTruth { histNear[b] += 1 }
                }
                if truth.bits[i] != 0 {
                    truthCount += 1
                    let fb = bin(best)
                    if fb >= 0 { histFound[fb] += 1 }
                }
            }
        }
        var pa = 0, pc = 0, pf = 0
        var bestImage: (f: Double, p: Int, c: Int, fd: Int) = (-1, 0, 0, 0)
        for k in stride(from: 98, through: 0, by: -1) {
            pa += histAll[k]; pc += histNear[k]; pf += histFound[k]
            predicted[k] += pa; correct[k] += pc; found[k] += pf
            let s = Self.score(Self.thresholds[k], predicted: pa, correct: pc, found: pf, truth: truthCount)
            if s.f1 > bestImage.f { bestImage = (s.f1, pa, pc, pf) }
        }
        truthTotal += truthCount
        oisCounts.predicted += bestImage.p; oisCounts.correct += bestImage.c
        oisCounts.found += bestImage.fd; oisCounts.truth += truthCount
        images += 1
    }

    /// Score at every threshold over all images.
    public var curve: [Score] {
        (0..<99).map { Self.score(Self.thresholds[$0], predicted: predicted[$0], correct: correct[$0],
                                  found: found[$0], truth: truthTotal) }
    }

    /// Optimal dataset scale: the threshold with the best F1 over the whole set.
    public var ods: Score { curve.max { $0.f1 < $1.f1 } ?? Score(threshold: 0.5, precision: 0, recall: 0, f1: 0) }

    /// Score at a fixed threshold (the nearest evaluated one).
    public func at(threshold: Double) -> Score {
        curve[min(98, max(0, Int((threshold * 100).rounded()) - 1))]
    }

    /// Optimal image scale: counts pooled at each image's own best threshold.
    public var ois: Score {
        Self.score(0, predicted: oisCounts.predicted, correct: oisCounts.correct, found: oisCounts.found,
                   truth: oisCounts.truth)
    }
}
