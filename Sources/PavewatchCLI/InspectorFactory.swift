import Pipeline

/// Errors of setting up the detector.
struct InspectorUnavailable: Error, CustomStringConvertible {
    var description: String {
        "the crack / leak detector is not part of this build yet (module Inspection); survey and watch need it"
    }
}

/// The detector used by `survey` and `watch`: the one place the CLI constructs it.
/// - Parameters: modelDirectory: where the trained models live (default `models/`).
func makeInspector(modelDirectory: String? = nil) throws -> any FrameInspector {
    throw InspectorUnavailable()
}
