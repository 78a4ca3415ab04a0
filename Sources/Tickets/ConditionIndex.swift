import Findings
import Foundation

/// A pavement condition index 0–100 in the manner of ASTM D6433 (PCI), from distress type, severity and density
/// over the surveyed surface. See `docs/CONDITION.md` for the formula and for what is simplified: the deduct and
/// corrected-deduct curves here are piecewise-linear approximations of the shapes of the published asphalt curves,
/// not the standard's values.
public enum ConditionIndex {
    /// The distress types Pavewatch rates (ASTM D6433 asphalt numbers where there is one).
    public enum Distress: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
        /// 1 Alligator (fatigue) cracking, square metres.
        case alligator
        /// 3 Block cracking, square metres.
        case block
        /// 10 Longitudinal and transverse cracking (and cracks of unknown subtype), metres.
        case longitudinalTransverse = "longitudinal-transverse"
        /// Wet patches and leaks (no ASTM type; rated like a patch defect), square metres.
        case wetPatch = "wet-patch"

        /// Whether the quantity is an area (m²) rather than a length (m).
        public var isArea: Bool { self != .longitudinalTransverse }

        /// The distress of a defect of this class and subtype.
        public static func of(_ cls: DefectClass, subtype: String?) -> Distress {
            switch (cls, subtype) {
            case (.leak, _): .wetPatch
            case (.crack, "alligator"): .alligator
            case (.crack, "block"): .block
            case (.crack, _): .longitudinalTransverse
            }
        }

        public static func < (a: Distress, b: Distress) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// Deduct values at densities 0.1 %, 1 %, 10 % and 100 %, per distress and severity (low, medium, high).
    /// Between anchors the deduct is linear in log10(density); below 0.1 % linear down to 0 at 0 %.
    static let anchors: [Distress: [[Double]]] = [
        .alligator: [[4, 13, 35, 60], [8, 22, 46, 73], [11, 30, 57, 84]],
        .block: [[1, 4, 12, 32], [3, 8, 22, 48], [6, 14, 32, 65]],
        .longitudinalTransverse: [[0.5, 3, 12, 27], [2, 9, 24, 45], [5, 17, 40, 70]],
        .wetPatch: [[1, 5, 15, 35], [3, 10, 26, 50], [6, 18, 40, 70]],
    ]

    /// The deduct value of one distress at one severity (unknown rates as low) and density in percent (clamped
    /// to 0...100).
    public static func deduct(_ d: Distress, _ severity: Severity, densityPercent: Double) -> Double {
        let row: Int = switch severity {
        case .unknown, .low: 0
        case .medium: 1
        case .high: 2
        }
        let a = anchors[d]![row]
        let density = min(max(densityPercent, 0), 100)
        guard density > 0 else { return 0 }
        if density <= 0.1 { return a[0] * density / 0.1 }
        let x = log10(density) + 1  // 0.1 % → 0, 1 % → 1, 10 % → 2, 100 % → 3
        let i = min(Int(x), 2)
        return a[i] + (a[i + 1] - a[i]) * (x - Double(i))
    }

    /// Corrected deduct value for a total deduct `total` of `q` deducts above 2: the total times a factor that falls
    /// with q (1, 0.76, 0.66, 0.59, 0.55, 0.52, then 0.50), at most 100.
    public static func corrected(total: Double, q: Int) -> Double {
        let factors = [1.0, 0.76, 0.66, 0.59, 0.55, 0.52, 0.50]
        return min(100, total * factors[min(max(q, 1), factors.count) - 1])
    }

    /// The index from a unit's deduct values, by the ASTM D6433 procedure: keep the m = 1 + 9/98 (100 − HDV)
    /// largest deducts (m ≤ 10; the last one scaled by m's fraction), then repeatedly take the corrected deduct of
    /// their total with q = the number above 2 and lower the smallest above 2 to 2, until q = 1; the index is 100
    /// minus the largest corrected deduct. One deduct above 2 or none: 100 minus their sum.
    public static func index(deducts: [Double]) -> Double {
        var dv = deducts.filter { $0 > 0 }.sorted(by: >)
        guard dv.filter({ $0 > 2 }).count > 1 else { return max(0, 100 - dv.reduce(0, +)) }
        let m = min(10, 1 + 9.0 / 98.0 * (100 - dv[0]))
        let whole = Int(m)
        if dv.count > whole {
            let fraction = m - Double(whole)
            dv = Array(dv.prefix(whole)) + (fraction > 0 ? [dv[whole] * fraction] : [])
        }
        var best = 0.0
        while true {
            let q = dv.filter { $0 > 2 }.count
            best = max(best, corrected(total: dv.reduce(0, +), q: q))
            guard q > 1, let i = dv.lastIndex(where: { $0 > 2 }) else { break }
            dv[i] = 2
        }
        return max(0, min(100, 100 - best))
    }

    /// The ASTM D6433 rating of an index: good (86–100), satisfactory (71–85), fair (56–70), poor (41–55),
    /// very poor (26–40), serious (11–25), failed (0–10).
    public static func rating(_ index: Double) -> String {
        switch index {
        case 85.5...: "good"
        case 70.5..<85.5: "satisfactory"
        case 55.5..<70.5: "fair"
        case 40.5..<55.5: "poor"
        case 25.5..<40.5: "very poor"
        case 10.5..<25.5: "serious"
        default: "failed"
        }
    }
}
