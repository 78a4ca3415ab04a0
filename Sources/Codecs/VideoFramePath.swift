import Foundation

/// How a video frame is named where a still's path would be (frame records, reports): `VIDEO#frame=N`, N the frame's
/// number in display order from 0.
public enum VideoFramePath {
    /// The name of frame `index` of `video`.
    public static func make(video: String, index: Int) -> String { "\(video)#frame=\(index)" }

    /// The video and frame number of a name made by ``make(video:index:)``, nil for any other path.
    public static func parse(_ path: String) -> (video: String, index: Int)? {
        guard let r = path.range(of: "#frame=", options: .backwards), let index = Int(path[r.upperBound...]), index >= 0
        else { return nil }
        return (String(path[..<r.lowerBound]), index)
    }
}

extension FFmpeg {
    /// Frames of a video as JPEGs, in one decoding pass (for overlays of video findings).
    /// - Parameters: path: the video; indices: frame numbers in display order.
    /// - Returns: the JPEG of each frame ffmpeg delivered, by frame number.
    /// - Throws: launch errors.
    public func frames(_ path: String, indices: Set<Int>) throws -> [Int: [UInt8]] {
        let wanted = indices.sorted()
        guard !wanted.isEmpty else { return [:] }
        let d = try startDecoding(path, indices: wanted)
        defer { try? FileManager.default.removeItem(at: d.errorLog) }
        var splitter = JPEGStreamSplitter()
        splitter.append(d.output.fileHandleForReading.readDataToEndOfFile())
        d.process.waitUntilExit()
        var out: [Int: [UInt8]] = [:]
        for index in wanted {
            guard let jpeg = splitter.next() else { break }
            out[index] = jpeg
        }
        return out
    }
}
