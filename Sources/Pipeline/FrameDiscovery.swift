import Foundation

/// Finds the frames of a survey folder.
public enum FrameDiscovery {
    /// Extensions read as frames, compared case-insensitively.
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]
    /// Extensions read as videos (decoded by ffmpeg), compared case-insensitively.
    public static let videoExtensions: Set<String> = ["mp4", "mov", "mkv", "m4v", "avi"]

    /// Whether a folder is at `path` (symbolic links followed).
    public static func isFolder(_ path: String) -> Bool {
        kind(URL(fileURLWithPath: path).resolvingSymlinksInPath().path, FileManager.default) == .typeDirectory
    }

    /// Whether a path names a video by its extension.
    public static func isVideo(_ path: String) -> Bool {
        videoExtensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased())
    }

    /// One frame found below a survey folder.
    public struct Entry: Sendable, Equatable {
        /// The path below the folder by which it was found (through links as named, `/`-separated).
        public var relative: String
        /// The file itself: absolute, standardized, every symbolic link resolved.
        public var real: String
    }

    /// Every JPEG / PNG file below `root`, recursively, sorted by relative path.
    ///
    /// Hidden files and folders are skipped. Symbolic links are followed wherever they point, to files and to
    /// folders, so a folder of links to frames kept elsewhere is a survey like any other. Each real folder is
    /// walked once, which ends link loops (a link back to a folder above it) and links into a folder already
    /// walked; each real file is listed once, under the first relative path that reaches it. Broken links
    /// and unreadable folders are passed over.
    /// - Parameters: root: the survey folder (may itself be a link); extensions: the files listed (default: stills).
    /// - Returns: the frames in order of ``Entry/relative``.
    /// - Throws: ``PipelineError/notAFolder(_:)`` when `root` is missing or not a folder.
    public static func entries(in root: String, extensions: Set<String> = imageExtensions) throws(PipelineError) -> [Entry] {
        let fm = FileManager.default
        let rootReal = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        guard kind(rootReal, fm) == .typeDirectory else { throw .notAFolder(root) }
        var walked: Set<String> = [rootReal]
        var listed = Set<String>()
        var out: [Entry] = []
        // Depth first, in name order, so "first path that reaches a file" does not depend on the file system.
        var pending: [(relative: String, real: String)] = [("", rootReal)]
        while let (relativeDir, realDir) = pending.popLast() {
            guard let names = try? fm.contentsOfDirectory(atPath: realDir) else { continue }
            var folders: [(String, String)] = []
            for name in names.sorted() where !name.hasPrefix(".") {
                let relative = relativeDir.isEmpty ? name : relativeDir + "/" + name
                let real = URL(fileURLWithPath: realDir).appendingPathComponent(name).resolvingSymlinksInPath().path
                // Links are resolved: a link left over here is broken (or a loop of links) and passed over.
                let type = kind(real, fm)
                if type == .typeDirectory {
                    if walked.insert(real).inserted { folders.append((relative, real)) }
                } else if type == .typeRegular,
                          extensions.contains(URL(fileURLWithPath: name).pathExtension.lowercased()),
                          listed.insert(real).inserted {
                    out.append(Entry(relative: relative, real: real))
                }
            }
            pending.append(contentsOf: folders.reversed())
        }
        return out.sorted { $0.relative < $1.relative }
    }

    /// What is at `path` itself (a link is not followed); `nil` when nothing is.
    static func kind(_ path: String, _ fm: FileManager) -> FileAttributeType? {
        (try? fm.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }

    /// The real paths of ``entries(in:)``: every JPEG / PNG file below `root`, symbolic links followed.
    /// - Parameters: root: the survey folder.
    /// - Returns: absolute, standardized paths with links resolved, sorted.
    /// - Throws: ``PipelineError/notAFolder(_:)`` when `root` is missing or not a folder.
    public static func frames(in root: String) throws(PipelineError) -> [String] {
        try entries(in: root).map(\.real).sorted()
    }

    /// The videos below `root` (MP4, MOV, MKV, ...), found like ``frames(in:)``.
    /// - Returns: absolute paths with links resolved, sorted.
    /// - Throws: ``PipelineError/notAFolder(_:)`` when `root` is missing or not a folder.
    public static func videos(in root: String) throws(PipelineError) -> [String] {
        try entries(in: root, extensions: videoExtensions).map(\.real).sorted()
    }

    /// The frames of ``entries(in:)`` as paths relative to `root` (as a distributed survey stores them, so
    /// that each worker can map the root to its own mount point, and the links below it resolve there).
    /// - Throws: ``PipelineError/notAFolder(_:)`` when `root` is missing or not a folder.
    public static func relativeFrames(in root: String) throws(PipelineError) -> [String] {
        try entries(in: root).map(\.relative)
    }
}
