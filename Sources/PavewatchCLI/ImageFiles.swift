import Foundation

/// Finding image files named on the command line.
enum ImageFiles {
    /// File extensions read as images (compared case-insensitively).
    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Expands arguments: files are kept as given (whatever their extension, so a mislabelled file is
    /// still reported), folders are searched recursively for JPEG/PNG files, sorted by path. Symbolic
    /// links to folders are not followed.
    static func expand(_ arguments: [String]) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for arg in arguments {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: arg, isDirectory: &isDir), isDir.boolValue else {
                out.append(arg)
                continue
            }
            var found: [String] = []
            if let walker = fm.enumerator(at: URL(fileURLWithPath: arg), includingPropertiesForKeys: [.isRegularFileKey],
                                          options: [.skipsHiddenFiles]) {
                for case let url as URL in walker where extensions.contains(url.pathExtension.lowercased()) {
                    if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
                        found.append(url.path)
                    }
                }
            }
            out.append(contentsOf: found.sorted())
        }
        return out
    }
}
