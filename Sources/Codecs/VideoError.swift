/// Why a video could not be read or decoded. Extensible: new problems get a new ``Code``. (A video that ends early is
/// not an error but a failure in the survey's summary, after the frames before the damage are stored.)
public struct VideoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// `ffmpeg` / `ffprobe` are not installed.
        public static let ffmpegMissing = Code(name: "ffmpegMissing")
        /// ffprobe could not read the file as a video (not a video, no video stream, unreadable header).
        public static let unreadable = Code(name: "unreadable")
        /// ffmpeg stopped with an error while decoding.
        public static let decodeFailed = Code(name: "decodeFailed")
        public var description: String { name }
    }

    public var code: Code
    /// What happened, for people.
    public var message: String
    /// The video (or tool) concerned.
    public var file: String?
    /// The error underneath (a telemetry parse error, a launch error), if any.
    public var underlying: String?

    public init(code: Code, message: String, file: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.underlying = underlying
    }

    public var description: String {
        var s = file.map { "\($0): \(message)" } ?? message
        if let underlying { s += " (\(underlying))" }
        return s
    }

    /// The error for a machine without ffmpeg.
    static func missing(_ tool: String) -> VideoError {
        VideoError(code: .ffmpegMissing,
                   message: "\(tool) was not found on PATH; video surveys need ffmpeg and ffprobe: install the Debian "
                       + "package ffmpeg (sudo apt-get install ffmpeg)")
    }
}
