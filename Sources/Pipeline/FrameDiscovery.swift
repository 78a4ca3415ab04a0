import Foundation

/// Finds the frames of a survey folder.
public enum FrameDiscovery {
    /// Extensions read as frames, compared case-insensitively.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Every JPEG / PNG file below `root`, recursively, sorted by relative path.
    ///
    /// Hidden files and folders are skipped. Symbolic links are followed only when their target lies inside
    /// `root` (a link pointing out of the survey folder is ignored), and each real file is listed once.
    /// - Parameters: root: the survey folder.
    /// - Returns: absolute, standardized paths.
    /// - Throws: ``PipelineError/notAFolder(_:)`` when `root` is missing or not a folder.
    public static func frames(in root: String) throws(PipelineError) -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else { throw .notAFolder(root) }
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath()
        let rootPath = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        var seen = Set<String>()
        var out: [String] = []
        guard let walker = fm.enumerator(at: rootURL, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                         options: [.skipsHiddenFiles]) else { return [] }
        for case let url as URL in walker {
            guard imageExtensions.contains(url.pathExtension.lowercased()) else { continue }
            let real = url.resolvingSymlinksInPath().path
            guard real.hasPrefix(rootPath) else { continue }  // a link out of the folder
            var dir: ObjCBool = false
            guard fm.fileExists(atPath: real, isDirectory: &dir), !dir.boolValue else { continue }
            if seen.insert(real).inserted { out.append(real) }
        }
        return out.sorted()
    }

    /// The frames of ``frames(in:)`` as paths relative to `root` (as a distributed survey stores them, so
    /// that each worker can map the root to its own mount point).
    /// - Throws: ``PipelineError/notAFolder(_:)`` when `root` is missing or not a folder.
    public static func relativeFrames(in root: String) throws(PipelineError) -> [String] {
        let all = try frames(in: root)
        let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return all.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
    }
}
