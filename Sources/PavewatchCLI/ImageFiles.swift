import Foundation
import Pipeline

/// Finding image files named on the command line.
enum ImageFiles {
    /// Expands arguments: files are kept as given (whatever their extension, so a mislabelled file is
    /// still reported), folders are searched recursively for JPEG/PNG files as a survey searches them
    /// (``FrameDiscovery/entries(in:)``: hidden files skipped, symbolic links followed, loops ended), each
    /// named below the folder as given, sorted by path.
    static func expand(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for arg in arguments {
            guard let found = try? FrameDiscovery.entries(in: arg) else {
                out.append(arg)
                continue
            }
            let folder = arg.hasSuffix("/") ? String(arg.dropLast()) : arg
            out.append(contentsOf: found.map { folder + "/" + $0.relative })
        }
        return out
    }
}
