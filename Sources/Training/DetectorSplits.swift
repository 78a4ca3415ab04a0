import Foundation
import Inspection

/// The fixed data splits of the crack detector, by rule on the sorted file stems (so anyone can rebuild
/// them; `datasets/detector-splits.json` lists them too).
///
/// - CrackForest (118 labelled): sorted index % 4 == 3 is the **test** split (never trained or tuned on),
///   index % 8 == 1 validation, the rest training.
/// - DeepCrack (its 300-image training split only): index % 10 == 0 validation, the rest training.
/// - UAV75: `val_*` is evaluation only; of `train_*`, index % 10 == 0 validation, the rest training.
/// - paveseg-preview (100 survey-vehicle frames): index % 5 == 0 validation, the rest training.
/// - Crack-free sets (pavement-negatives, Özgenel negatives, byte-identical duplicates dropped): even index
///   training, odd index held out to measure false findings.
public enum DetectorSplits {
    /// Which split an item falls in.
    public enum Part: String, Sendable, Codable { case train, validation, test }

    /// CrackForest split of the item at `index` of the sorted labelled stems.
    public static func crackForest(_ index: Int) -> Part {
        index % 4 == 3 ? .test : (index % 8 == 1 ? .validation : .train)
    }

    /// DeepCrack / UAV75-train split of the item at `index`.
    public static func carvedValidation(_ index: Int) -> Part { index % 10 == 0 ? .validation : .train }

    /// paveseg-preview (survey-vehicle frames): index % 5 == 0 validation, the rest training (other survey-vehicle
    /// sources are the held-out test).
    public static func paveseg(_ index: Int) -> Part { index % 5 == 0 ? .validation : .train }

    /// Crack-free sets: even index trains, odd index is held out.
    public static func negatives(_ index: Int) -> Part { index % 2 == 0 ? .train : .test }

    /// Crack-free sets with a validation part carved from the training half (protocol G): odd index held out as
    /// before; of the even indices every fifth (index / 2 % 5 == 0) validation, the rest training.
    public static func negativesWithValidation(_ index: Int) -> Part {
        index % 2 == 1 ? .test : ((index / 2) % 5 == 0 ? .validation : .train)
    }

    /// Splits stems by a rule on their sorted index.
    public static func split(_ stems: [String], _ rule: (Int) -> Part) -> [Part: [String]] {
        var out: [Part: [String]] = [:]
        for (i, s) in stems.sorted().enumerated() { out[rule(i), default: []].append(s) }
        return out
    }

    /// Files under `directory` (recursive, relative paths, sorted) without byte-identical repeats.
    public static func uniqueFiles(_ directory: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return [] }
        var rel: [String] = []
        while let p = e.nextObject() as? String {
            if CrackDataset.extensions.contains((p as NSString).pathExtension.lowercased()) { rel.append(p) }
        }
        var seen = Set<Data>()
        return rel.sorted().filter { p in
            guard let d = FileManager.default.contents(atPath: directory + "/" + p) else { return false }
            return seen.insert(d).inserted
        }
    }
}
