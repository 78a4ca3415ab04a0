import ArgumentParser
import Foundation
import Geo
import Inspection
import Pipeline

/// The detector used by `survey` and `watch`: the one place the CLI constructs it.
/// - Parameters: modelDirectory: a model file or a folder holding `CrackModel.defaultFileName` (default: `models/`,
///   searched from the current folder and next to the executable).
///   camera: overrides of what the frames' metadata say about the camera (flags, a survey's settings file).
/// - Throws: `DetectorError` naming the places searched when the model is missing or damaged.
func makeInspector(modelDirectory: String? = nil, camera: CameraOverrides = CameraOverrides()) throws
    -> any FrameInspector {
    var path = modelDirectory
    if let dir = modelDirectory {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue {
            path = (dir as NSString).appendingPathComponent(CrackModel.defaultFileName)
        }
    }
    var configuration = try DetectorConfiguration.forModel(at: path)
    configuration.cameraOverrides = camera
    return try Detector(configuration: configuration)
}

/// The inspectors `--inspector` can pick.
enum InspectorKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The trained detector: ``makeInspector(modelDirectory:)``.
    case detector
    /// ``DarkRegionInspector``: dark regions as findings; for trying and testing the pipeline without a model.
    case darkRegions = "dark-regions"
}

/// The inspector of a kind.
/// - Parameters: kind: which one; modelDirectory, camera: for the detector.
/// - Throws: ``InspectorUnavailable`` for the detector while it is not part of the build.
func makeInspector(_ kind: InspectorKind, modelDirectory: String? = nil, camera: CameraOverrides = CameraOverrides())
    throws -> any FrameInspector {
    switch kind {
    case .detector: try makeInspector(modelDirectory: modelDirectory, camera: camera)
    case .darkRegions: DarkRegionInspector()
    }
}
