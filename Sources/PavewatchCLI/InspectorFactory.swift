import ArgumentParser
import Pipeline

/// The detectors `pavewatch watch` (and later `survey`) can run.
enum InspectorKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The trained detector (module Inspection).
    case detector
    /// ``DarkRegionInspector``: dark regions as findings; for trying and testing the pipeline without a model.
    case darkRegions = "dark-regions"
}

/// The one place where the CLI builds its frame inspector.
///
/// `detector` is the real detector (`Inspection.Detector`); it is not part of this build yet, so asking for it
/// throws until the detector lands and this function constructs it.
/// - Parameters: kind: which inspector.
/// - Throws: `ValidationError` when the requested inspector is not available in this build.
func makeInspector(_ kind: InspectorKind = .detector) throws -> any FrameInspector {
    switch kind {
    case .detector:
        throw ValidationError("the detector is not available in this build (use --inspector dark-regions to try the pipeline)")
    case .darkRegions:
        return DarkRegionInspector()
    }
}
