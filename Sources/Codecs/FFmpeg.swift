import Foundation

/// What ffprobe says about a video's first video stream.
public struct VideoProbe: Sendable, Equatable {
    /// Frame size as displayed (after the rotation), pixels.
    public var width: Int
    public var height: Int
    /// Rotation the player applies, degrees clockwise (0, 90, 180, 270); ffmpeg applies it when decoding.
    public var rotation: Int
    /// Average frame rate, frames per second.
    public var frameRate: Double
    /// Duration, seconds (the stream's, else the container's).
    public var duration: Double?
    /// Frame count the header announces, if it does.
    public var announcedFrames: Int?
    /// Recording start (`creation_time`), if written.
    public var creationTime: Date?
    /// Codec name, e.g. `h264`.
    public var codec: String
}

/// The `ffmpeg` and `ffprobe` executables, run as subprocesses (no demuxing or decoding of our own).
public struct FFmpeg: Sendable {
    /// Paths of the executables.
    public let ffmpeg: String
    public let ffprobe: String

    /// Finds ffmpeg and ffprobe on `PATH`.
    /// - Parameters: environment: where `PATH` is read.
    /// - Throws: ``VideoError`` `.ffmpegMissing` naming the Debian package to install.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FFmpeg {
        let dirs = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        func find(_ tool: String) throws -> String {
            for d in dirs where !d.isEmpty {
                let p = (d as NSString).appendingPathComponent(tool)
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
            throw VideoError.missing(tool)
        }
        return FFmpeg(ffmpeg: try find("ffmpeg"), ffprobe: try find("ffprobe"))
    }

    /// Runs a tool to its end: exit status, standard output, the last lines of standard error (kept in a file so
    /// that neither pipe can fill up and stall the tool).
    func capture(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: Data, errors: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("pavewatch-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data, Self.tail(of: errURL))
    }

    /// The last few lines of a log file, on one line.
    public static func tail(of url: URL, lines: Int = 4) -> String {
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline).suffix(lines).joined(separator: "; ")
    }

    struct ProbeJSON: Decodable {
        struct Stream: Decodable {
            struct SideData: Decodable { var rotation: Double? }
            var codec_name: String?
            var width: Int?
            var height: Int?
            var avg_frame_rate: String?
            var r_frame_rate: String?
            var duration: String?
            var nb_frames: String?
            var tags: [String: String]?
            var side_data_list: [SideData]?
        }
        struct Format: Decodable {
            var duration: String?
            var tags: [String: String]?
        }
        var streams: [Stream]?
        var format: Format?
    }

    /// Probes a video's first video stream.
    /// - Throws: ``VideoError`` `.unreadable` naming the file and ffprobe's reason.
    public func probe(_ path: String) throws -> VideoProbe {
        let r = try capture(ffprobe, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                                      "-select_streams", "v:0", path])
        func unreadable(_ why: String) -> VideoError {
            VideoError(code: .unreadable, message: "not a readable video: \(why)", file: path)
        }
        guard r.status == 0 else { throw unreadable(r.errors.isEmpty ? "ffprobe exit status \(r.status)" : r.errors) }
        guard let json = try? JSONDecoder().decode(ProbeJSON.self, from: r.output),
              let s = json.streams?.first, let w = s.width, let h = s.height, w > 0, h > 0
        else { throw unreadable(r.errors.isEmpty ? "no video stream" : "no video stream (\(r.errors))") }
        func rate(_ text: String?) -> Double? {
            guard let parts = text?.split(separator: "/"), parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]),
                  a > 0, b > 0 else { return nil }
            return a / b
        }
        guard let fps = rate(s.avg_frame_rate) ?? rate(s.r_frame_rate) else { throw unreadable("no frame rate") }
        // Rotation: the old `rotate` tag (clockwise) or the display matrix (counter-clockwise).
        var rotation = 0
        if let tag = s.tags?["rotate"], let r = Int(tag) {
            rotation = r
        } else if let r = s.side_data_list?.compactMap(\.rotation).first {
            rotation = -Int(r.rounded())
        }
        rotation = ((rotation % 360) + 360) % 360
        let swapped = rotation == 90 || rotation == 270
        let created = (s.tags?["creation_time"] ?? json.format?.tags?["creation_time"]).flatMap(Self.date)
        return VideoProbe(width: swapped ? h : w, height: swapped ? w : h, rotation: rotation, frameRate: fps,
                          duration: s.duration.flatMap(Double.init) ?? json.format?.duration.flatMap(Double.init),
                          announcedFrames: s.nb_frames.flatMap { Int($0) }, creationTime: created,
                          codec: s.codec_name ?? "?")
    }

    static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s) ?? ISO8601DateFormatter().date(from: s)
    }

    /// Presentation times of the video's frames, seconds from the first frame, in display order (from the
    /// packets, without decoding), and ffprobe's complaints (a truncated file reports them here).
    /// - Throws: ``VideoError`` `.unreadable` when ffprobe fails outright.
    public func frameTimes(_ path: String) throws -> (times: [Double], errors: String) {
        let r = try capture(ffprobe, ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                                      "-of", "csv=p=0", path])
        guard r.status == 0 else {
            throw VideoError(code: .unreadable, message: "not a readable video: \(r.errors)", file: path)
        }
        let times = String(decoding: r.output, as: UTF8.self).split(whereSeparator: \.isNewline)
            .compactMap { Double($0.split(separator: ",").first ?? "") }.sorted()
        guard let first = times.first else { return ([], r.errors) }
        return (times.map { $0 - first }, r.errors)
    }

    /// An ffmpeg `select` expression true for the frame numbers `n` in `indices` (sorted): a balanced tree of
    /// `if(lt(n,k),…,…)`, so each frame costs O(log count) comparisons however many frames are taken.
    static func selectExpression(_ indices: [Int]) -> String {
        func build(_ lo: Int, _ hi: Int) -> String {
            if hi - lo <= 4 { return indices[lo..<hi].map { "eq(n,\($0))" }.joined(separator: "+") }
            let mid = (lo + hi) / 2
            return "if(lt(n,\(indices[mid])),\(build(lo, mid)),\(build(mid, hi)))"
        }
        return indices.isEmpty ? "0" : build(0, indices.count)
    }

    /// Starts ffmpeg decoding the frames numbered `indices` (display order, from 0) of a video and writing them as
    /// concatenated JPEGs to its standard output (`-f image2pipe -c:v mjpeg`), upright (ffmpeg applies the
    /// rotation). The filter goes through a script file, so any number of frames fits.
    /// - Returns: the running process, the pipe to read, and the file its standard error goes to.
    /// - Throws: launch errors.
    public func startDecoding(_ path: String, indices: [Int], quality: Int = 2) throws
        -> (process: Process, output: Pipe, errorLog: URL)
    {
        let tmp = FileManager.default.temporaryDirectory
        let script = tmp.appendingPathComponent("pavewatch-select-\(UUID().uuidString).txt")
        try Data("select='\(Self.selectExpression(indices))'".utf8).write(to: script)
        let errURL = tmp.appendingPathComponent("pavewatch-ffmpeg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ffmpeg)
        p.arguments = ["-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-an", "-sn", "-dn",
                       "-filter_script:v", script.path, "-fps_mode", "passthrough",
                       "-f", "image2pipe", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "\(quality)", "-"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: errURL)
        p.terminationHandler = { _ in try? FileManager.default.removeItem(at: script) }
        try p.run()
        return (p, out, errURL)
    }
}
