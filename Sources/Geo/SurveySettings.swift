import Foundation
import Yams

/// Errors of reading a survey folder's settings file.
public struct SurveySettingsError: Error, Sendable, CustomStringConvertible {
    /// The file and what is wrong with it.
    public var message: String
    public var description: String { message }
}

/// A survey folder's optional settings file, `pavewatch.yaml` at the top of the folder: what the frames' metadata
/// lack, for instance the height above ground of a camera whose EXIF gives only the altitude above sea level.
///
/// ```yaml
/// camera:
///   heightAboveGround: 120   # metres
///   focalLength: 4.88        # millimetres (overrides EXIF)
///   sensorWidth: 4.8         # millimetres (overrides the camera database)
/// ```
/// Flags on the command line take precedence over the file.
public struct SurveySettings: Sendable, Equatable, Codable {
    /// The file's name inside a survey folder.
    public static let fileName = "pavewatch.yaml"
    /// Camera overrides for every frame of the survey.
    public var camera: CameraOverrides?

    /// Creates settings.
    public init(camera: CameraOverrides? = nil) { self.camera = camera }

    /// Parses a settings file's text.
    /// - Throws: ``SurveySettingsError`` for YAML that is not a settings file, or impossible values.
    public static func parse(yaml: String, file: String = fileName) throws(SurveySettingsError) -> SurveySettings {
        let s: SurveySettings
        do { s = try YAMLDecoder().decode(SurveySettings.self, from: yaml) } catch {
            throw SurveySettingsError(message: "\(file): not a survey settings file (\(error))")
        }
        if let c = s.camera {
            for (name, v) in [("heightAboveGround", c.heightAboveGround), ("focalLength", c.focalLength),
                              ("sensorWidth", c.sensorWidth)] {
                if let v, !(v > 0 && v < 100_000) {
                    throw SurveySettingsError(message: "\(file): camera.\(name) must be a positive number, not \(v)")
                }
            }
        }
        return s
    }

    /// The settings of a survey folder: its `pavewatch.yaml`, or empty settings when it has none (or the path is a
    /// file, not a folder).
    /// - Throws: ``SurveySettingsError`` when the file exists but cannot be read or parsed.
    public static func load(folder: String) throws(SurveySettingsError) -> SurveySettings {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: path) else { return SurveySettings() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SurveySettingsError(message: "\(path): cannot be read")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: path)
    }
}

extension CameraOverrides {
    /// These overrides where set, else `fallback`'s (flags over a settings file).
    public func merged(over fallback: CameraOverrides?) -> CameraOverrides {
        CameraOverrides(focalLength: focalLength ?? fallback?.focalLength,
                        sensorWidth: sensorWidth ?? fallback?.sensorWidth,
                        heightAboveGround: heightAboveGround ?? fallback?.heightAboveGround)
    }
}
