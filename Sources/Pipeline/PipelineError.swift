/// Errors of the survey and watch pipeline that stop a whole run (per-frame problems are reported, not thrown).
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The survey path is missing or is not a folder.
    case notAFolder(String)
    /// The folder holds no JPEG or PNG files.
    case noFrames(String)

    public var description: String {
        switch self {
        case .notAFolder(let p): "\(p) is not a folder (give the folder that holds the survey's frames)"
        case .noFrames(let p): "no JPEG or PNG files found below \(p)"
        }
    }
}
