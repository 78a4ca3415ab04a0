import ArgumentParser
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

/// The inspectors `--inspector` can pick.
enum InspectorKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The trained detector: ``makeInspector(modelDirectory:)``.
    case detector
    /// ``DarkRegionInspector``: dark regions as findings; for trying and testing the pipeline without a model.
    case darkRegions = "dark-regions"
}

/// The inspector of a kind.
/// - Parameters: kind: which one; modelDirectory: for the detector.
/// - Throws: ``InspectorUnavailable`` for the detector while it is not part of the build.
func makeInspector(_ kind: InspectorKind, modelDirectory: String? = nil) throws -> any FrameInspector {
    switch kind {
    case .detector: try makeInspector(modelDirectory: modelDirectory)
    case .darkRegions: DarkRegionInspector()
    }
}
