import Foundation
import NeuralNet
import Testing
@testable import Inspection

/// A model file's own detector settings (`detector.*` notes): read, checked, and applied before the user's options.
struct DetectorSettingsTests {
    @Test("notes set the threshold, confidence, elongation, length and gate; other notes are ignored")
    func notesApply() throws {
        var c = DetectorConfiguration()
        try c.apply(notes: ["detector.threshold": "0.55", "detector.minimumConfidence": "0.65",
                            "detector.minimumElongation": "8", "detector.minimumLengthPx": "30",
                            "detector.tileGate": "0.9", "hidden": "16"], source: "m.nnw")
        #expect(c.threshold == 0.55 && c.minimumConfidence == 0.65 && c.minimumElongation == 8)
        #expect(c.minimumLengthPx == 30 && c.tileGate == 0.9)
        try c.apply(notes: ["detector.tileGate": "off"], source: "m.nnw")
        #expect(c.tileGate == nil && c.threshold == 0.55)
        var d = DetectorConfiguration()
        try d.apply(notes: ["detector.tileGate": "0"], source: "m.nnw")
        #expect(d.tileGate == nil)
    }

    @Test("a note out of range or not a number is an error naming the file and the note",
          arguments: [("detector.threshold", "1.5"), ("detector.tileGate", "high"), ("detector.minimumLengthPx", "-3")])
    func badNotes(key: String, value: String) {
        var c = DetectorConfiguration()
        #expect {
            try c.apply(notes: [key: value], source: "bad.nnw")
        } throws: { error in
            "\(error)".contains("bad.nnw") && "\(error)".contains(key)
        }
    }

    @Test("the committed models: the default keeps the tuned defaults, the UAV75 model turns the tile gate off")
    func committedModels() throws {
        let models = repositoryRoot.appendingPathComponent("models")
        let standard = try DetectorConfiguration.forModel(at: models.appendingPathComponent(CrackModel.defaultFileName).path)
        #expect(standard.tileGate == DetectorConfiguration().tileGate && standard.threshold == DetectorConfiguration().threshold)
        let uav = try DetectorConfiguration.forModel(at: models.appendingPathComponent("crack-pixel-uav75-v1.nnw").path)
        #expect(uav.tileGate == nil && uav.threshold == 0.7 && uav.minimumLengthPx == 45)
        #expect(uav.modelPath?.hasSuffix("crack-pixel-uav75-v1.nnw") == true)
    }

    @Test("settings survive a model file's write and read")
    func roundTrip() throws {
        let models = repositoryRoot.appendingPathComponent("models")
        var file = try ModelFile(path: models.appendingPathComponent(CrackModel.defaultFileName).path)
        file.metadata.notes["detector.minimumLengthPx"] = "60"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("settings-\(UUID().uuidString).nnw").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let c = try DetectorConfiguration.forModel(at: path)
        #expect(c.minimumLengthPx == 60 && c.tileGate == DetectorConfiguration().tileGate)
    }
}
