/// Counts of (true class, predicted class) pairs, and the per-class scores derived from them.
public struct ConfusionMatrix: Sendable, Hashable, Codable {
    /// Class names, index order.
    public let classNames: [String]
    /// `counts[truth][predicted]`.
    public private(set) var counts: [[Int]]

    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    /// Records one decision.
    public mutating func add(truth: Int, predicted: Int) { counts[truth][predicted] += 1 }

    /// Samples recorded.
    public var total: Int { counts.joined().reduce(0, +) }
    /// Fraction of correct decisions.
    public var accuracy: Double { total == 0 ? 0 : Double((0..<classNames.count).reduce(0) { $0 + counts[$1][$1] }) / Double(total) }

    /// Precision of class `c` (0 when nothing was predicted as `c`).
    public func precision(_ c: Int) -> Double {
        let predicted = counts.reduce(0) { $0 + $1[c] }
        return predicted == 0 ? 0 : Double(counts[c][c]) / Double(predicted)
    }

    /// Recall of class `c` (0 when the class has no samples).
    public func recall(_ c: Int) -> Double {
        let actual = counts[c].reduce(0, +)
        return actual == 0 ? 0 : Double(counts[c][c]) / Double(actual)
    }

    /// F1 of class `c`.
    public func f1(_ c: Int) -> Double {
        let p = precision(c), r = recall(c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// Samples whose true class is `c`.
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }
}
