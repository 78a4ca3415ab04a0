import Foundation
import NeuralNet

extension DetectorConfiguration {
    /// The model-file notes that carry a model's own detector settings, and the setting each one sets:
    /// `detector.threshold`, `detector.minimumConfidence`, `detector.minimumElongation`, `detector.minimumLengthPx`
    /// (numbers) and `detector.tileGate` (a number, or `off`). A model trained for another kind of imagery (the
    /// UAV75 model) needs other post-processing than the default one (models/DETECTOR.md, protocol C).
    public static let settingNotes = ["detector.threshold", "detector.minimumConfidence", "detector.minimumElongation",
                                      "detector.minimumLengthPx", "detector.tileGate"]

    /// The default configuration for a model file, with the settings its notes carry (``settingNotes``).
    /// Options a user gives are applied to the result afterwards, so they override the model's settings.
    /// - Parameters: modelPath: the model file (nil: the default model, searched as ``CrackModel/locate(_:name:)``).
    /// - Throws: ``DetectorError`` when the file is missing or damaged, or a note holds a value out of range.
    public static func forModel(at modelPath: String?) throws -> DetectorConfiguration {
        let model = try CrackModel(path: try CrackModel.locate(modelPath))
        var c = DetectorConfiguration(modelPath: modelPath)
        try c.apply(notes: model.metadata.notes, source: modelPath ?? CrackModel.defaultFileName)
        return c
    }

    /// Sets what the `detector.*` notes say; other notes are ignored.
    /// - Throws: ``DetectorError`` naming `source` and the note when a value is not a number in its range.
    public mutating func apply(notes: [String: String], source: String) throws {
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let text = notes[key] else { return nil }
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), range.contains(v) else {
                throw DetectorError("\(source): model note \(key) = \(text) is not a number within \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }
        if let v = try number("detector.threshold", 0...1) { threshold = v }
        if let v = try number("detector.minimumConfidence", 0...1) { minimumConfidence = v }
        if let v = try number("detector.minimumElongation", 0...1000) { minimumElongation = v }
        if let v = try number("detector.minimumLengthPx", 0...100_000) { minimumLengthPx = v }
        if let text = notes["detector.tileGate"] {
            if text.lowercased() == "off" {
                tileGate = nil
            } else {
                tileGate = try number("detector.tileGate", 0...1).flatMap { $0 > 0 ? $0 : nil }
            }
        }
    }
}
