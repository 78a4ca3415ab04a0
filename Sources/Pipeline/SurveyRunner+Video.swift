import Codecs
import Findings
import Foundation
import Geo
import Inspection
import Logging
import Metadata
import Reports
import Tickets

/// Settings of the videos of a survey.
public struct VideoSurveyOptions: Sendable {
    /// How frames are taken.
    public var sampling: FrameSampling
    /// The telemetry file (nil: the video's sidecar with the same stem).
    public var telemetry: String?
    /// Seconds added to a frame's video time before the telemetry is read at it (a clock offset).
    public var telemetryOffset: Double
    /// The camera file (intrinsics; mounting of a vehicle camera).
    public var camera: VideoCamera?
    /// Focal length, sensor width, height above ground (flags, the folder's pavewatch.yaml).
    public var overrides: CameraOverrides

    public init(sampling: FrameSampling = .standard, telemetry: String? = nil, telemetryOffset: Double = 0,
                camera: VideoCamera? = nil, overrides: CameraOverrides = CameraOverrides())
    {
        self.sampling = sampling
        self.telemetry = telemetry
        self.telemetryOffset = telemetryOffset
        self.camera = camera
        self.overrides = overrides
    }
}

extension SurveyRunner {
    /// Surveys a video file, or a folder of stills and videos.
    /// - Parameters: path: a video, or a folder (its stills as ``run(folder:progress:)``, then each video below it);
    ///   video: settings of the videos; progress: where progress goes.
    /// - Throws: ``VideoError`` `.ffmpegMissing` when a video is found and ffmpeg is not installed; ``PipelineError``
    ///   for an unusable path; errors of the store. A video that is unreadable, truncated or corrupt is a failure
    ///   in the summary (what it gave before is stored), not an error.
    public func run(path: String, video: VideoSurveyOptions, progress: ((SurveyProgressEvent) -> Void)? = nil)
        async throws -> SurveySummary
    {
        let started = Date()
        var summary: SurveySummary
        let videos: [String]
        if FrameDiscovery.isVideo(path), !FrameDiscovery.isFolder(path) {
            summary = SurveySummary(surveyName: options.surveyName)
            guard FileManager.default.fileExists(atPath: path) else {
                throw VideoError(code: .unreadable, message: "no such file", file: path)
            }
            videos = [path]
        } else {
            videos = try FrameDiscovery.videos(in: path)
            summary = try await run(folder: path, progress: progress)
        }
        if !videos.isEmpty {
            let tools = try FFmpeg.locate()
            for v in videos {
                try await survey(video: v, tools: tools, settings: video, into: &summary, progress: progress)
            }
        }
        summary.elapsedSeconds = Date().timeIntervalSince(started)
        return summary
    }

    /// A video frame on its way through the pipeline.
    struct VideoFrame: Sendable {
        var index: Int
        var time: Double
        var bytes: [UInt8]
    }

    /// Surveys one video into `summary`: frames chosen from the telemetry, decoded by ffmpeg, analysed on all cores,
    /// stored one at a time under the key ``videoFrameKey(videoHash:index:)``.
    func survey(video path: String, tools: FFmpeg, settings: VideoSurveyOptions, into summary: inout SurveySummary,
                progress: ((SurveyProgressEvent) -> Void)?) async throws
    {
        summary.videos += 1
        func fail(_ reason: String) async throws {
            try await record(.failed(reason), file: path, in: &summary, progress: progress)
        }
        let probe: VideoProbe
        let times: [Double]
        var truncation: String?
        let hash: String
        do {
            probe = try tools.probe(path)
            let listed = try tools.frameTimes(path)
            times = listed.times
            truncation = Self.truncation(probe, times: times, errors: listed.errors)
            guard !times.isEmpty else {
                throw VideoError(code: .unreadable, message: "no video frames" + (truncation.map { ": \($0)" } ?? ""),
                                 file: path)
            }
            hash = try ContentHash.sha256Hex(fileAt: path)
        } catch let e as VideoError {
            return try await fail(e.message + (e.underlying.map { " (\($0))" } ?? ""))
        } catch {
            // Unreadable file, ffprobe that cannot be started: this video fails, the survey goes on.
            return try await fail("cannot be read: \(error)")
        }
        let track = loadTrack(for: path, settings: settings, into: &summary)
        if let (t, format) = track, !format.isVideoRelative, probe.creationTime == nil, t.samples.contains(where: { $0.date != nil }) {
            summary.warnings.append("\(path): no recording time (creation_time) in the video: its track is matched from "
                                    + "the track's first record (shift with --telemetry-offset)")
        }
        let geo = VideoGeo(camera: settings.camera, overrides: settings.overrides, track: track,
                           offset: settings.telemetryOffset, creationTime: probe.creationTime)
        if track != nil, settings.camera == nil, settings.overrides.focalLength == nil || settings.overrides.sensorWidth == nil {
            summary.warnings.append("\(path): video frames carry no camera data; give --camera FILE (horizontal_fov) "
                                    + "or --focal-length and --sensor-width, else frames have no location")
        }
        // Choose the frames from the telemetry.
        var heading: Double?
        let candidates = times.map { t in
            let c = geo.candidate(time: t, lastHeading: heading)
            if settings.camera?.isVehicle == true, let h = c.yaw { heading = h }
            return c
        }
        let sampler = FrameSampler(sampling: settings.sampling)
        let planned = sampler.choose(count: times.count, candidate: { candidates[$0] }, footprint: { i in
            guard let g = geo.geometry(candidates[i], width: probe.width, height: probe.height) else { return nil }
            return (g.footprintENU(), geo.detectionLimit.flatMap { g.range(whereGSDReaches: $0) })
        })
        let known = Set(try await store.frames().map(\.contentHash))
        let todo = planned.filter { !known.contains(Self.videoFrameKey(videoHash: hash, index: $0)) }
        summary.framesTotal += planned.count
        logger.info("video survey", metadata: ["video.file": "\(path)", "video.frames": "\(times.count)",
                                               "video.taken": "\(planned.count)", "video.stored": "\(planned.count - todo.count)",
                                               "video.sampling": "\(settings.sampling)"])
        let duration = probe.duration ?? times.last ?? 0
        progress?(.videoStarted(file: path, frames: planned.count, duration: duration))
        for _ in 0..<(planned.count - todo.count) {
            summary.framesSkipped += 1
            progress?(.frameDone(file: path, findings: 0, failed: false, skipped: true))
        }
        guard !todo.isEmpty else {
            if let truncation { try await fail(truncation) }
            return
        }
        let decoder: (process: Process, output: Pipe, errorLog: URL)
        do { decoder = try tools.startDecoding(path, indices: todo) } catch {
            return try await fail("ffmpeg could not be started: \(error)")
        }
        defer {
            if decoder.process.isRunning { decoder.process.terminate() }
            try? FileManager.default.removeItem(at: decoder.errorLog)
        }
        let source = FileDescriptorFrameSource(fileDescriptor: decoder.output.fileHandleForReading.fileDescriptor,
                                               name: path, logger: logger)
        var frames = source.makeAsyncIterator()
        var received = 0
        var reached = 0.0
        let analysis = FrameAnalysis(inspector: inspector, decode: options.decode)
        let inspector = self.inspector
        let threads = options.concurrency
        try await BoundedWork.run(next: { () async throws -> VideoFrame? in
            guard received < todo.count, let f = try await frames.next() else { return nil }
            defer { received += 1 }
            let i = todo[received]
            return VideoFrame(index: i, time: times[i], bytes: f.bytes)
        }, width: options.concurrency, work: { frame -> FrameOutcome in
            do {
                var image = try ImageDecoder.decode(frame.bytes, options: analysis.decode)
                let c = candidates[frame.index]
                image.metadata = geo.metadata(c, width: image.pixels.width, height: image.pixels.height)
                var report = try inspector.inspect(image, file: VideoFramePath.make(video: path, index: frame.index),
                                                   threads: todo.count == 1 ? threads : 1)
                geo.place(&report, candidate: c, metadata: image.metadata)
                return .analysed(report, hash: Self.videoFrameKey(videoHash: hash, index: frame.index))
            } catch {
                return .failed("frame \(frame.index) (t=\(String(format: "%.2f", frame.time)) s): \(error)")
            }
        }, consume: { frame, outcome in
            // Frames finish out of order: the bar shows the furthest time reached.
            reached = max(reached, frame.time)
            progress?(.videoTime(reached))
            let file = VideoFramePath.make(video: path, index: frame.index)
            try await record(outcome, file: file, in: &summary, progress: progress)
        })
        try? decoder.output.fileHandleForReading.close()
        decoder.process.waitUntilExit()
        let status = decoder.process.terminationStatus
        let errors = FFmpeg.tail(of: decoder.errorLog)
        // Stopped from outside (the frames stored so far are kept): not a fault of the video.
        if Task.isCancelled { return }
        if let truncation {
            try await fail(truncation + (errors.isEmpty ? "" : " (ffmpeg: \(errors))"))
        } else if received < todo.count || status != 0 {
            let at = received < todo.count ? String(format: " at %.2f s", times[todo[received]]) : ""
            try await fail("truncated or corrupt: decoding stopped\(at) after \(received) of \(todo.count) frames "
                           + "(ffmpeg exit status \(status)\(errors.isEmpty ? "" : ": \(errors)"))")
        } else if !errors.isEmpty {
            // Frames are numbered as they leave the decoder: one it dropped shifts the numbers after it by one frame.
            summary.warnings.append("\(path): ffmpeg reported damage while decoding (\(errors)); frames after a dropped "
                                    + "frame may be placed a frame late")
        }
    }

    /// Why a video's frames end early, or nil: fewer frames than the header announces (MP4, MOV), or, where it
    /// announces none (MKV, variable frame rate), the last frame more than a second (or 2 %) before the duration.
    static func truncation(_ probe: VideoProbe, times: [Double], errors: String) -> String? {
        let end = times.last ?? 0
        let length = probe.duration.map { String(format: "%.2f", $0) } ?? "?"
        let frames: String
        if let announced = probe.announcedFrames {
            guard times.count < announced - max(2, announced / 100) else { return nil }
            frames = "\(times.count) of \(announced) frames"
        } else if let duration = probe.duration {
            guard end < duration - max(1, 2 / probe.frameRate, duration / 50) else { return nil }
            frames = "\(times.count) frames"
        } else {
            return nil
        }
        return "truncated or corrupt: the video's frames end at \(String(format: "%.2f", end)) s (\(frames), the header "
            + "says \(length) s)" + (errors.isEmpty ? "" : " (ffprobe: \(errors))")
    }

    /// The store key of a video frame: the SHA-256 of the video's hash and the frame's index, so a rerun finds it
    /// whatever the file is called.
    public static func videoFrameKey(videoHash: String, index: Int) -> String {
        ContentHash.sha256Hex(Array("video:\(videoHash):frame:\(index)".utf8))
    }

    /// The video's telemetry: `--telemetry`, else the sidecar; a file broken part way gives the records before the
    /// break (with a warning naming file and line).
    func loadTrack(for video: String, settings: VideoSurveyOptions, into summary: inout SurveySummary)
        -> (track: TelemetryTrack, format: TelemetryFormat)?
    {
        guard let file = settings.telemetry ?? TelemetryTrack.sidecar(for: video) else {
            summary.warnings.append("\(video): no telemetry (no sidecar .SRT/.gpx/.nmea/.log/.csv with its name, no "
                                    + "--telemetry): its frames have no location")
            return nil
        }
        guard let format = TelemetryFormat(path: file) else {
            summary.warnings.append("\(file): unknown telemetry format (use .srt, .gpx, .nmea, .log or .csv)")
            return nil
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            summary.warnings.append("\(file): cannot be read; the frames of \(video) have no location")
            return nil
        }
        var samples: [TelemetrySample]
        do throws(TelemetryParseError) {
            samples = try TelemetryTrack.parse(Array(data), file: file, format: format)
        } catch {
            summary.warnings.append("\(error); frames after it have no location")
            samples = error.samples
        }
        let track = TelemetryTrack(samples)
        guard !track.samples.isEmpty else {
            summary.warnings.append("\(file): no positions; the frames of \(video) have no location")
            return nil
        }
        return (track, format)
    }
}

/// Where a video frame was: the telemetry at its time and the camera that took it.
struct VideoGeo: Sendable {
    let camera: VideoCamera?
    let overrides: CameraOverrides
    let track: (track: TelemetryTrack, format: TelemetryFormat)?
    let offset: Double
    let creationTime: Date?

    /// Findings where a pixel covers more ground than this are dropped (vehicle cameras, or a limit given).
    var detectionLimit: Double? {
        guard let camera, camera.isVehicle || camera.detectionLimitMm != nil else { return nil }
        return camera.detectionLimit
    }

    /// The telemetry and view direction at a frame's time.
    func candidate(time t: Double, lastHeading: Double?) -> FrameSampler.Candidate {
        guard let (track, format) = track else { return FrameSampler.Candidate(time: t, sample: nil) }
        var at = t + offset
        // Clock tracks (GPX, NMEA, dated CSV) are matched by the video's recording time when both have one.
        if !format.isVideoRelative, let created = creationTime,
           let anchor = track.samples.first(where: { $0.date != nil }), let anchorDate = anchor.date
        {
            at = anchor.time + created.addingTimeInterval(t + offset).timeIntervalSince(anchorDate)
        }
        let sample = track.sample(at: at)
        var yaw = sample?.gimbalYaw ?? sample?.flightYaw
        if camera?.isVehicle == true, sample != nil {
            yaw = track.heading(at: at) ?? lastHeading
        }
        return FrameSampler.Candidate(time: t, sample: sample, yaw: yaw)
    }

    /// The metadata a frame is analysed with.
    func metadata(_ c: FrameSampler.Candidate, width: Int, height: Int) -> ImageMetadata {
        var m: ImageMetadata
        if let camera {
            m = camera.metadata(sample: c.sample, heading: c.yaw, width: width, height: height)
        } else {
            m = c.sample?.metadata ?? ImageMetadata()
        }
        if m.captureTime == nil, let created = creationTime { m.captureTime = created.addingTimeInterval(c.time) }
        return m
    }

    /// The frame's ground projection, nil without position, height or intrinsics.
    func geometry(_ c: FrameSampler.Candidate, width: Int, height: Int) -> FrameGeometry? {
        guard c.sample?.hasPosition == true else { return nil }
        return try? FrameGeometry(metadata: metadata(c, width: width, height: height), width: width, height: height,
                                  overrides: overrides)
    }

    /// Completes an inspected frame's report: the frame and its findings on the ground (when the inspector did not
    /// do it), findings beyond the detection range dropped, "no location" where nothing places it, the time taken.
    func place(_ report: inout FrameReport, candidate c: FrameSampler.Candidate, metadata m: ImageMetadata) {
        if let created = m.captureTime, report.capturedAt == nil {
            report.capturedAt = ISO8601DateFormatter().string(from: created)
        }
        guard let g = geometry(c, width: report.width, height: report.height) else {
            report.noLocation = true
            return
        }
        Detector.place(&report, geometry: g)
        if let limit = detectionLimit {
            report.findings.removeAll { f in
                let x = Double(f.bbox.x) + Double(f.bbox.width) / 2, y = Double(f.bbox.y) + Double(f.bbox.height) / 2
                guard let gsd = try? g.groundSampleDistance(x: x, y: y) else { return true }
                return gsd * 1000 > limit
            }
        }
    }
}
