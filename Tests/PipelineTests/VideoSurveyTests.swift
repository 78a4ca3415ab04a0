@testable import Codecs
import Findings
import Foundation
import Geo
import Geodesy
import ImagingCore
import Inspection
import Logging
import Metadata
@testable import Reports
import Testing
@testable import Pipeline
@testable import Tickets

/// Small videos built with ffmpeg for the video survey tests (a few seconds each, 640×480 or smaller).
enum VideoFixtures {
    static let demoSurvey = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("datasets/demo-survey")

    /// Runs ffmpeg; throws its complaint when it fails.
    static func ffmpeg(_ args: [String]) throws {
        let tools = try FFmpeg.locate()
        let r = try tools.capture(tools.ffmpeg, ["-v", "error", "-nostdin", "-y"] + args)
        if r.status != 0 { throw VideoError(code: .decodeFailed, message: "ffmpeg \(args.joined(separator: " ")): \(r.errors)") }
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// H.264 MP4 (index at the front, so a truncated copy still says how long it was) from `pattern` stills.
    static func encode(_ pattern: URL, to video: URL, inputRate: Double, outputRate: Double, created: String) throws {
        try ffmpeg(["-framerate", "\(inputRate)", "-i", pattern.path, "-r", "\(outputRate)", "-c:v", "libx264",
                    "-crf", "12", "-pix_fmt", "yuv420p", "-g", "4", "-movflags", "+faststart",
                    "-metadata", "creation_time=\(created)", video.path])
    }

    /// A real drone still, downscaled, with its EXIF.
    struct Still {
        var image: DecodedImage
        var metadata: ImageMetadata
    }

    /// The demo survey's frames at 640×480, made once per test run (decoding four 16 MP JPEGs is the slow part).
    static let downscaled: Result<URL, any Error> = Result {
        let dir = try temporaryDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: demoSurvey.path).filter { $0.hasSuffix(".JPG") }.sorted()
        for (i, name) in files.enumerated() {
            try ffmpeg(["-i", demoSurvey.appendingPathComponent(name).path, "-vf", "scale=640:480",
                        dir.appendingPathComponent("s\(i).png").path])
        }
        return dir
    }

    /// The demo survey's four Parrot Sequoia frames (real flight, EXIF GPS, Pix4D attitude) at 640×480 as
    /// `s0.png`...`s3.png` in `dir`.
    static func demoStills(in dir: URL) throws -> [Still] {
        let files = try FileManager.default.contentsOfDirectory(atPath: demoSurvey.path).filter { $0.hasSuffix(".JPG") }.sorted()
        let small = try downscaled.get()
        var out: [Still] = []
        for (i, name) in files.enumerated() {
            let src = demoSurvey.appendingPathComponent(name)
            let png = dir.appendingPathComponent("s\(i).png")
            try FileManager.default.copyItem(at: small.appendingPathComponent("s\(i).png"), to: png)
            let image = try ImageDecoder.decode(Array(try Data(contentsOf: png)), options: DecodeOptions(format: .gray8))
            out.append(Still(image: image, metadata: try ImageMetadata.parse(jpeg: try Data(contentsOf: src))))
        }
        return out
    }

    /// The demo stills (``demoStills(in:)``) as an H.264 video at `video`, each held for 1 s at 4 fps, recorded
    /// from 2016-11-22T16:41:45Z.
    static func demoFlight(in dir: URL, to video: URL) throws -> [Still] {
        let stills = try demoStills(in: dir)
        try encode(dir.appendingPathComponent("s%d.png"), to: video, inputRate: 1, outputRate: 4, created: "2016-11-22T16:41:45Z")
        return stills
    }

    /// An SRT in DJI's Mavic 3 layout: one cue per video frame (`rate` frames per second), frame `k` at the
    /// still `k / perStill`'s GPS fix, height and camera angles.
    static func srt(_ stills: [Still], framesPerStill: Int, rate: Double, upTo seconds: Double = .infinity) -> String {
        var cues: [String] = []
        func stamp(_ t: Double) -> String {
            let ms = Int((t * 1000).rounded())
            return String(format: "00:%02d:%02d,%03d", ms / 60000, (ms / 1000) % 60, ms % 1000)
        }
        for k in 0..<(stills.count * framesPerStill) where Double(k) / rate < seconds {
            let m = stills[k / framesPerStill].metadata
            let t0 = Double(k) / rate
            cues.append("""
            \(k + 1)
            \(stamp(t0)) --> \(stamp(t0 + 1 / rate))
            <font size="28">FrameCnt: \(k + 1), DiffTime: \(Int(1000 / rate))ms
            2016-11-22 16:41:\(String(format: "%02d.%03d", 45 + k / 4, (k % 4) * 250))
            [iso: 100] [shutter: 1/1000.0] [fnum: 2.8] [ev: 0] [latitude: \(m.latitude!)] [longitude: \(m.longitude!)] \
            [rel_alt: 120.000 abs_alt: \(m.gpsAltitude ?? 0)] [gb_yaw: \(m.cameraYaw!) gb_pitch: \(m.cameraPitch! - 90) \
            gb_roll: \(m.cameraRoll!)] </font>
            """)
        }
        return cues.joined(separator: "\n\n") + "\n"
    }

    /// A GPX track holding each still's GPS fix over its second of video (two points a second, wall clock from
    /// `start`).
    static func gpx(_ positions: [(lat: Double, lon: Double)], start: Date, step: Double = 1, hold: Double = 0.999) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var points: [String] = []
        for (i, p) in positions.enumerated() {
            for dt in hold > 0 ? [0, hold] : [0] {
                let t = f.string(from: start.addingTimeInterval(Double(i) * step + dt))
                points.append("      <trkpt lat=\"\(p.lat)\" lon=\"\(p.lon)\"><ele>350</ele><time>\(t)</time></trkpt>")
            }
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <gpx version="1.1" creator="pavewatch tests" xmlns="http://www.topografix.com/GPX/1/1">
          <trk><trkseg>
        \(points.joined(separator: "\n"))
          </trkseg></trk>
        </gpx>
        """
    }

    /// A camera file giving the stills' own intrinsics at 640×480.
    static func cameraYAML(for still: Still, overrides: CameraOverrides) throws -> VideoCamera {
        let k = try CameraIntrinsics(metadata: still.metadata, width: 640, height: 480, overrides: overrides)
        return VideoCamera(focalLengthPx: k.focalLength)
    }
}

/// A reference finding from a still: where the stills path puts it, and how well.
struct ReferenceFinding {
    var location: GeoPoint
    var uncertainty: Double
}

@Suite("Video surveys (ffmpeg)", .serialized)
struct VideoSurveyTests {
    static let inspector = DarkRegionInspector(threshold: 64, minimumArea: 24)
    static let height = CameraOverrides(heightAboveGround: 120)

    static func runner(_ store: any TicketStore, name: String = "video") -> SurveyRunner {
        SurveyRunner(store: store, inspector: inspector, options: SurveyOptions(surveyName: name, concurrency: 2),
                     logger: Logger(label: "test"))
    }

    /// The findings of the stills through the stills path (EXIF GPS fix and attitude, the settings' height), on the
    /// pixels the survey sees: the first frame of each still's second of video, as ffmpeg hands it over (so that
    /// what is compared is where findings are put, not how the codec shifts dark patches near the threshold).
    static func reference(_ stills: [VideoFixtures.Still], video: URL, nadirNorthUp: Bool = false) throws -> [ReferenceFinding] {
        var out: [ReferenceFinding] = []
        let dir = video.deletingLastPathComponent()
        for (i, s) in stills.enumerated() {
            var m = s.metadata
            if nadirNorthUp { (m.cameraPitch, m.cameraYaw, m.cameraRoll, m.gimbalPitch) = (nil, nil, nil, -90) }
            let jpeg = dir.appendingPathComponent("ref\(i).jpg")
            try VideoFixtures.ffmpeg(["-i", video.path, "-vf", "select=eq(n\\,\(4 * i))", "-fps_mode", "passthrough",
                                      "-frames:v", "1", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "2", jpeg.path])
            var image = try ImageDecoder.decode(Array(try Data(contentsOf: jpeg)), options: DecodeOptions(format: .gray8))
            image.metadata = m
            var report = try inspector.inspect(image, file: "s", threads: 1)
            Detector.place(&report, geometry: try FrameGeometry(metadata: m, width: 640, height: 480, overrides: height))
            for f in report.findings {
                out.append(ReferenceFinding(location: try #require(f.location), uncertainty: try #require(f.uncertaintyM)))
            }
        }
        return out
    }

    /// Metres between two positions.
    static func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let e = LocalTangentPlane(origin: GeoPoint(latitude: a.latitude, longitude: a.longitude))
            .enu(GeoPoint(latitude: b.latitude, longitude: b.longitude))
        return (e.x * e.x + e.y * e.y).squareRoot()
    }

    /// Every ticket (or, with `findingsOnly`, every finding of every ticket) lies within the location uncertainty of a
    /// finding of the stills; returns the ticket count.
    static func checkTickets(_ store: any TicketStore, against reference: [ReferenceFinding], findingsOnly: Bool = false)
        async throws -> Int
    {
        func check(_ p: GeoPoint, _ what: String) throws {
            let nearest = try #require(reference.min { distance($0.location, p) < distance($1.location, p) })
            let d = distance(nearest.location, p)
            #expect(d <= nearest.uncertainty, "\(what) is \(d) m from the stills' finding (σ \(nearest.uncertainty) m)")
        }
        let tickets = try await store.tickets(TicketQuery())
        for t in tickets {
            if findingsOnly {
                for f in try await store.findings(ticketId: try #require(t.id)).map(\.finding) {
                    try check(try #require(f.location), "a finding of ticket \(t.id ?? 0)")
                }
            } else {
                try check(GeoPoint(latitude: try #require(t.latitude), longitude: try #require(t.longitude)),
                          "ticket \(t.id ?? 0)")
            }
        }
        return tickets.count
    }

    @Test("drone video of real frames with an SRT from their EXIF: tickets where the stills put them; hovering gives one frame; a rerun skips; a truncated copy keeps its frames and names the file")
    func droneSRT() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Each still held for 1 s at 4 fps: the drone "hovers" 4 frames at each fix, then moves ~56 m north.
        let video = dir.appendingPathComponent("flight/DJI_0001.MP4")
        try FileManager.default.createDirectory(at: video.deletingLastPathComponent(), withIntermediateDirectories: true)
        let stills = try VideoFixtures.demoFlight(in: dir, to: video)
        try VideoFixtures.srt(stills, framesPerStill: 4, rate: 4)
            .write(to: video.deletingPathExtension().appendingPathExtension("SRT"), atomically: true, encoding: .utf8)
        let reference = try Self.reference(stills, video: video)
        #expect(reference.count >= 3, "the stills give findings to compare with")
        let camera = try VideoFixtures.cameraYAML(for: stills[0], overrides: Self.height)
        let options = VideoSurveyOptions(camera: camera, overrides: Self.height)

        let store = try SQLiteTicketStore.inMemory()
        let first = try await Self.runner(store).run(path: video.path, video: options)
        #expect(first.failures.isEmpty, "\(first.failures)")
        #expect(first.warnings.isEmpty, "\(first.warnings)")
        #expect(first.videos == 1)
        // 16 frames; the ground moves 56 m between fixes, about a third of the footprint along the track: every
        // other fix is taken, and never a second frame of the same fix.
        #expect(first.framesTotal == 2 && first.framesProcessed == 2, "\(first)")
        #expect(first.framesWithoutLocation == 0)
        let frames = try await store.frames()
        #expect(Set(frames.map(\.path)) == ["\(video.path)#frame=0", "\(video.path)#frame=8"])
        for f in frames {
            let still = stills[f.path.hasSuffix("=0") ? 0 : 2].metadata
            #expect(f.latitude == still.latitude && f.longitude == still.longitude)
        }
        let count = try await Self.checkTickets(store, against: reference)
        _ = try await Self.checkTickets(store, against: reference, findingsOnly: true)
        #expect(count >= 2 && first.findings >= count)

        // The review page's crop of a video finding: its frame decoded again from the video.
        let ticket = try #require(try await store.tickets(TicketQuery()).first)
        let rec = try #require(try await store.findings(ticketId: ticket.id!).first)
        let png = try SurveyReport.overlayCrop(frame: try #require(frames.first { $0.id == rec.frameId }),
                                               finding: rec.finding, colour: [255, 0, 0])
        #expect(try ImageDecoder.decode(png).pixels.width > 0)

        // Rerun: nothing analysed again.
        let again = try await Self.runner(store).run(path: video.path, video: options)
        #expect(again.framesProcessed == 0 && again.framesSkipped == 2 && again.findings == 0)

        // Every fix (by distance) from a truncated copy: the frames before the cut are stored, the file named.
        let cut = dir.appendingPathComponent("cut/DJI_0001.MP4")
        try FileManager.default.createDirectory(at: cut.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: video)
        try bytes.prefix(bytes.count * 11 / 20).write(to: cut)
        try FileManager.default.copyItem(at: video.deletingPathExtension().appendingPathExtension("SRT"),
                                         to: cut.deletingPathExtension().appendingPathExtension("SRT"))
        let cutStore = try SQLiteTicketStore.inMemory()
        var byDistance = options
        byDistance.sampling = .metres(40)
        let truncated = try await Self.runner(cutStore, name: "cut").run(path: cut.path, video: byDistance)
        #expect(truncated.failures.count == 1)
        let failure = try #require(truncated.failures.first)
        #expect(failure.file == cut.path)
        #expect(failure.reason.contains("truncated"), "\(failure.reason)")
        #expect(truncated.framesProcessed >= 1 && truncated.framesProcessed < 4, "\(truncated)")
        #expect(try await cutStore.frames().count == truncated.framesProcessed)
        #expect(truncated.findings >= 1)
        _ = try await Self.checkTickets(cutStore, against: reference)
        let recorded = try await cutStore.frameFailures(surveyId: nil)
        #expect(recorded.map(\.path) == [cut.path])
    }

    @Test("the same flight with a GPX track matched by the video's recording time; every 40 m gives one frame per fix")
    func droneGPX() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = dir.appendingPathComponent("drive.mov")
        let stills = try VideoFixtures.demoFlight(in: dir, to: video)
        // A GPX track has no attitude: the frames are nadir, image top north (as stills without attitude are).
        let reference = try Self.reference(stills, video: video, nadirNorthUp: true)
        // The track starts 30 s before the video: only the recording time can line them up.
        let start = try #require(ISO8601DateFormatter().date(from: "2016-11-22T16:41:15Z"))
        var fixes: [(lat: Double, lon: Double)] = Array(repeating: (41.0, -81.0), count: 30)
        fixes += stills.map { ($0.metadata.latitude!, $0.metadata.longitude!) }
        try VideoFixtures.gpx(fixes, start: start).write(to: dir.appendingPathComponent("drive.gpx"), atomically: true,
                                                         encoding: .utf8)
        let camera = try VideoFixtures.cameraYAML(for: stills[0], overrides: Self.height)
        let store = try SQLiteTicketStore.inMemory()
        let summary = try await Self.runner(store).run(path: video.path, video: VideoSurveyOptions(
            sampling: .metres(40), camera: camera, overrides: Self.height))
        #expect(summary.failures.isEmpty && summary.warnings.isEmpty, "\(summary)")
        #expect(summary.framesTotal == 4 && summary.framesProcessed == 4)
        let frames = try await store.frames().sorted {
            Int($0.path.split(separator: "=").last!)! < Int($1.path.split(separator: "=").last!)!
        }
        #expect(frames.map(\.latitude) == stills.map(\.metadata.latitude))
        #expect(frames.allSatisfy { $0.capturedAt?.hasPrefix("2016-11-22T16:4") == true })
        // The real camera was yawed by 27° and tilted by 6-7°, which the track does not say: a patch seen from two
        // fixes lands metres apart in each, and its ticket between them, so positions are compared per finding.
        let count = try await Self.checkTickets(store, against: reference, findingsOnly: true)
        #expect(count >= 2)
    }

    @Test("telemetry that ends half way: later frames are stored with no location; a folder mixes a still and a video")
    func uncovered() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stills = try VideoFixtures.demoStills(in: dir)
        let folder = dir.appendingPathComponent("survey")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let video = folder.appendingPathComponent("clip.mkv")
        try VideoFixtures.ffmpeg(["-framerate", "1", "-i", dir.appendingPathComponent("s%d.png").path, "-r", "4",
                                  "-c:v", "mjpeg", "-q:v", "3", video.path])
        try VideoFixtures.srt(stills, framesPerStill: 4, rate: 4, upTo: 2)
            .write(to: folder.appendingPathComponent("clip.srt"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: dir.appendingPathComponent("s0.png"), to: folder.appendingPathComponent("still.png"))
        let camera = try VideoFixtures.cameraYAML(for: stills[0], overrides: Self.height)
        let store = try SQLiteTicketStore.inMemory()
        let s = try await Self.runner(store).run(path: folder.path, video: VideoSurveyOptions(
            sampling: .seconds(1), camera: camera, overrides: Self.height))
        #expect(s.failures.isEmpty, "\(s.failures)")
        #expect(s.videos == 1)
        // MJPEG in Matroska from 1 fps stills is variable frame rate: 4 frames, at 0, 1, 2 and 3 s (not a truncated
        // video). The still (no EXIF) and the frames at 2 s and 3 s have no location; those at 0 s and 1 s have.
        #expect(s.framesTotal == 5 && s.framesProcessed == 5)
        #expect(s.framesWithoutLocation == 3, "\(s)")
        let frames = try await store.frames()
        #expect(Set(frames.filter { $0.latitude != nil }.map(\.path)) == ["\(video.path)#frame=0", "\(video.path)#frame=1"])

        // Matroska announces no frame count: a truncated copy is told by its frames ending before its duration.
        let cut = dir.appendingPathComponent("cut.mkv")
        let bytes = try Data(contentsOf: video)
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let t = try await Self.runner(try SQLiteTicketStore.inMemory()).run(path: cut.path, video: VideoSurveyOptions(
            sampling: .seconds(1), camera: camera, overrides: Self.height))
        #expect(t.failures.map(\.file) == [cut.path])
        #expect(t.failures.first?.reason.contains("truncated") == true, "\(t.failures)")
        #expect(t.framesProcessed >= 1, "\(t)")
    }

    @Test("a file that is not a video is a failure naming it; the survey goes on")
    func notAVideo() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("broken.mp4")
        try Data("no video here".utf8).write(to: fake)
        let s = try await Self.runner(try SQLiteTicketStore.inMemory()).run(path: dir.path, video: VideoSurveyOptions())
        #expect(s.failures.map(\.file) == [fake.path])
        #expect(s.failures.first?.reason.contains("not a readable video") == true, "\(s.failures)")
    }
}

@Suite("Frame sampling by ground covered")
struct FrameSamplerTests {
    /// Frames at 10 fps moving east at `speed` m/s from (51.92, 4.47); footprint ±20 m square.
    static func choose(_ sampling: FrameSampling, speed: Double, count: Int = 200, coveredUntil: Int = .max) -> [Int] {
        let plane = LocalTangentPlane(origin: GeoPoint(latitude: 51.92, longitude: 4.47))
        let sampler = FrameSampler(sampling: sampling)
        return sampler.choose(count: count, candidate: { i in
            var s = TelemetrySample(time: Double(i) / 10)
            let p = plane.geodetic(SIMD3(speed * Double(i) / 10, 0, 0))
            (s.latitude, s.longitude) = (p.latitude, p.longitude)
            return FrameSampler.Candidate(time: Double(i) / 10, sample: i < coveredUntil ? s : nil, yaw: 0)
        }, footprint: { _ in ([SIMD2(-20, -20), SIMD2(20, -20), SIMD2(20, 20), SIMD2(-20, 20)], nil) })
    }

    @Test("hovering gives one frame; moving gives one per half footprint; --every and --every-metres")
    func sampling() {
        #expect(Self.choose(.standard, speed: 0) == [0])
        #expect(Self.choose(.standard, speed: 5.1) == [0, 40, 80, 120, 160])
        #expect(Self.choose(.groundCovered(fraction: 0.25), speed: 5.1) == Array(stride(from: 0, to: 200, by: 20)))
        #expect(Self.choose(.seconds(2.5), speed: 0) == Array(stride(from: 0, to: 200, by: 25)))
        #expect(Self.choose(.metres(10), speed: 5.1) == Array(stride(from: 0, to: 200, by: 20)))
        #expect(Self.choose(.metres(10), speed: 0) == [0])
        // Times as ffprobe prints them (decimal): every 0.2 s of 30 fps video is every 6th frame, not drifting to 7.
        let times = (0..<1800).map { (Double($0) / 30 * 1e6).rounded() / 1e6 }
        let every = FrameSampler(sampling: .seconds(0.2)).choose(count: times.count, candidate: {
            FrameSampler.Candidate(time: times[$0], sample: nil)
        }, footprint: { _ in nil })
        #expect(every == Array(stride(from: 0, to: 1800, by: 6)))
    }

    @Test("a hovering drone turning on the spot: a frame every 30° of turn")
    func turning() {
        let sampler = FrameSampler()
        var s = TelemetrySample(time: 0)
        (s.latitude, s.longitude) = (51.92, 4.47)
        let taken = sampler.choose(count: 100, candidate: { i in
            FrameSampler.Candidate(time: Double(i) / 10, sample: s, yaw: 350 + Double(i))  // through north
        }, footprint: { _ in ([SIMD2(-20, -20), SIMD2(20, -20), SIMD2(20, 20), SIMD2(-20, 20)], nil) })
        #expect(taken == [0, 30, 60, 90])
    }

    @Test("frames the telemetry does not cover are taken every 2 s")
    func uncovered() {
        #expect(Self.choose(.standard, speed: 5.1, count: 100, coveredUntil: 50) == [0, 40, 50, 70, 90])
    }

    @Test("the select expression picks exactly the listed frames")
    func selectExpression() {
        let picks = [0, 3, 4, 9, 17, 18, 30, 31, 32, 77]
        let e = FFmpeg.selectExpression(picks)
        // Evaluate the expression's tree the way ffmpeg would.
        func eval(_ s: Substring, _ n: Int) -> Int {
            if s.hasPrefix("if(lt(n,") {
                let rest = s.dropFirst(8)
                let k = Int(rest.prefix { $0.isNumber })!
                var depth = 0, split: [Substring.Index] = []
                var i = rest.index(rest.firstIndex(of: ")")!, offsetBy: 2)
                let body = rest[i...].dropLast()
                i = body.startIndex
                while i < body.endIndex {
                    if body[i] == "(" { depth += 1 } else if body[i] == ")" { depth -= 1 } else if body[i] == ",", depth == 0 { split.append(i) }
                    i = body.index(after: i)
                }
                let left = body[..<split[0]], right = body[body.index(after: split[0])...]
                return n < k ? eval(left, n) : eval(right, n)
            }
            return s.split(separator: "+").reduce(0) { $0 + (Int($1.dropFirst(5).dropLast())! == n ? 1 : 0) }
        }
        let chosen = (0..<100).filter { eval(Substring(e), $0) == 1 }
        #expect(chosen == picks)
        #expect(FFmpeg.selectExpression([]) == "0")
    }
}

@Suite("Forward-looking vehicle camera video (ffmpeg)")
struct ForwardCameraVideoTests {
    /// Fills a convex polygon (pixel coordinates) with `value`.
    static func fill(_ img: inout PixelBuffer, _ poly: [SIMD2<Double>], value: UInt8) {
        guard let y0 = poly.map(\.y).min(), let y1 = poly.map(\.y).max(), let x0 = poly.map(\.x).min(),
              let x1 = poly.map(\.x).max() else { return }
        for y in max(0, Int(y0))...min(img.height - 1, Int(y1)) {
            for x in max(0, Int(x0))...min(img.width - 1, Int(x1)) {
                let p = SIMD2(Double(x) + 0.5, Double(y) + 0.5)
                var sign = 0.0, inside = true
                for i in poly.indices {
                    let a = poly[i], b = poly[(i + 1) % poly.count]
                    let c = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
                    if c != 0 { if sign == 0 { sign = c } else if (c > 0) != (sign > 0) { inside = false; break } }
                }
                if inside { img[x, y] = value }
            }
        }
    }

    @Test("a van driving east at 5 m/s over a transverse crack 12 m ahead: findings with ground positions at the crack, length in m and width in mm; none beyond the detection range")
    func forwardCamera() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let camera = try VideoCamera.load(yaml: """
            name: van front
            horizontal_fov: 60
            height_above_road: 1.5
            pitch: -20
            detection_limit_mm: 25
            """, file: "van.yaml")
        let origin = GeoPoint(latitude: 51.92, longitude: 4.47)
        let plane = LocalTangentPlane(origin: origin)
        // East along a straight road: the camera is turned by the track's heading (90°), not north.
        func position(_ t: Double) -> GeoPoint { plane.geodetic(SIMD3(5 * t, 0, 0)) }
        // The crack: 1 m across the road, 5 cm wide, 12 m east of the start.
        let crack: [SIMD2<Double>] = [SIMD2(11.975, -0.5), SIMD2(11.975, 0.5), SIMD2(12.025, 0.5), SIMD2(12.025, -0.5)]
        let (w, h, fps, count) = (960, 540, 10.0, 30)
        var road = PixelBuffer(width: w, height: h, format: .gray8)
        for y in 0..<h { for x in 0..<w { road[x, y] = UInt8(130 + (x * 7 + y * 13) % 23) } }
        for k in 0..<count {
            let t = Double(k) / fps
            var s = TelemetrySample(time: t)
            let p = position(t)
            (s.latitude, s.longitude) = (p.latitude, p.longitude)
            let g = try FrameGeometry(metadata: camera.metadata(sample: s, heading: 90, width: w, height: h), width: w, height: h)
            var img = road
            // Drawn while it is ahead of the camera (a point behind it has no pixel).
            let corners = crack.compactMap { c -> SIMD2<Double>? in
                let geo = plane.geodetic(SIMD3(c.x, c.y, 0))
                return try? g.pixel(latitude: geo.latitude, longitude: geo.longitude)
            }
            if corners.count == 4, corners.allSatisfy({ $0.y < Double(h) + 50 }) { Self.fill(&img, corners, value: 15) }
            try Data(try ImageEncoder.png(img)).write(to: dir.appendingPathComponent(String(format: "f%03d.png", k)))
        }
        let video = dir.appendingPathComponent("van.mp4")
        try VideoFixtures.encode(dir.appendingPathComponent("f%03d.png"), to: video, inputRate: fps, outputRate: fps,
                                 created: "2024-05-01T10:00:00Z")
        // GPS at 2 Hz from a second before the video to a second after.
        let start = try #require(ISO8601DateFormatter().date(from: "2024-05-01T09:59:59Z"))
        let fixes = (0...10).map { i -> (lat: Double, lon: Double) in
            let p = position(Double(i) / 2 - 1)
            return (p.latitude, p.longitude)
        }
        try VideoFixtures.gpx(fixes, start: start, step: 0.5, hold: 0).write(to: dir.appendingPathComponent("van.gpx"),
                                                                               atomically: true, encoding: .utf8)
        let store = try SQLiteTicketStore.inMemory()
        let runner = SurveyRunner(store: store, inspector: DarkRegionInspector(threshold: 64, minimumArea: 40),
                                  options: SurveyOptions(surveyName: "van", concurrency: 2), logger: Logger(label: "test"))
        let s = try await runner.run(path: video.path, video: VideoSurveyOptions(camera: camera))
        #expect(s.failures.isEmpty && s.warnings.isEmpty, "\(s)")
        // The usable footprint reaches from 1.9 m to the 25 mm range (about 8 m): a frame every ~3 m, not 30.
        #expect(s.framesTotal >= 3 && s.framesTotal <= 8, "\(s.framesTotal) frames taken")
        #expect(s.framesWithoutLocation == 0)
        #expect(s.findings >= 1)
        let tickets = try await store.tickets(TicketQuery())
        #expect(!tickets.isEmpty)
        for t in tickets {
            for f in try await store.findings(ticketId: try #require(t.id)).map(\.finding) {
                let loc = try #require(f.location)
                let e = plane.enu(GeoPoint(latitude: loc.latitude, longitude: loc.longitude))
                #expect(abs(e.y) < 0.3 && abs(e.x - 12) < 0.5, "finding at east \(e.x) m, north \(e.y) m")
                let length = try #require(f.lengthM), width = try #require(f.widthMm)
                #expect(abs(length - 1) < 0.2, "length \(length) m")
                #expect(width > 10 && width < 120, "width \(width) mm")
            }
        }
        // Kept only within the range where a pixel covers at most 25 mm: the first frame saw the crack 12 m ahead,
        // beyond that range, and gave no finding.
        let range = try #require(try FrameGeometry(metadata: camera.metadata(sample: {
            var s = TelemetrySample(time: 0)
            (s.latitude, s.longitude) = (origin.latitude, origin.longitude)
            return s
        }(), heading: 90, width: w, height: h), width: w, height: h).range(whereGSDReaches: 25))
        #expect(range > 5 && range < 11, "range \(range) m")
        let frames = try await store.frames()
        let first = try #require(frames.first { $0.path.hasSuffix("#frame=0") })
        var framesWithFindings = Set<Int64>()
        for t in tickets { for r in try await store.findings(ticketId: t.id!) { framesWithFindings.insert(r.frameId) } }
        #expect(!framesWithFindings.contains(first.id!))
        for id in framesWithFindings {
            let f = try #require(frames.first { $0.id == id })
            let e = plane.enu(GeoPoint(latitude: f.latitude!, longitude: f.longitude!))
            #expect(12 - e.x <= range + 0.5, "a finding from \(12 - e.x) m away")
        }
    }
}

@Suite("Video surveys with real DJI SRT logs (ffmpeg)")
struct RealSRTVideoTests {
    static let srtFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MetadataTests/Fixtures/srt")

    /// A plain gray 64×48 video at 2 fps as long as `seconds`, with a copy of a real SRT as its sidecar.
    static func video(seconds: Int, srt: String, in dir: URL) throws -> URL {
        let video = dir.appendingPathComponent("DJI_0001.MP4")
        try VideoFixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=64x48:r=2:d=\(seconds)", "-c:v", "libx264",
                                  "-pix_fmt", "yuv420p", video.path])
        try FileManager.default.copyItem(at: srtFolder.appendingPathComponent(srt), to: dir.appendingPathComponent("DJI_0001.SRT"))
        return video
    }

    static func survey(_ video: URL, sampling: FrameSampling) async throws -> (SurveySummary, [FrameRecord]) {
        let store = try SQLiteTicketStore.inMemory()
        let runner = SurveyRunner(store: store, inspector: DarkRegionInspector(), options: SurveyOptions(surveyName: "srt"),
                                  logger: Logger(label: "test"))
        let s = try await runner.run(path: video.path, video: VideoSurveyOptions(
            sampling: sampling, camera: VideoCamera(horizontalFOV: 84)))
        return (s, try await store.frames())
    }

    @Test("Phantom 4 RTK (oblique gimbal, 55 s): a few frames, each at the SRT's interpolated position")
    func phantom4RTK() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = try Self.video(seconds: 55, srt: "p4_rtk.SRT", in: dir)
        let (s, frames) = try await Self.survey(video, sampling: .standard)
        #expect(s.failures.isEmpty && s.warnings.isEmpty, "\(s)")
        #expect(s.framesTotal >= 1 && s.framesTotal < 20, "\(s.framesTotal) of 110 frames taken")
        let track = TelemetryTrack(try SRTParser.parse(Array(try Data(contentsOf: Self.srtFolder.appendingPathComponent("p4_rtk.SRT"))),
                                                       file: "p4_rtk.SRT"))
        // The last cue runs from 54 s to 55 s: the frame at 54.5 s is still placed by it.
        #expect(track.samples.last?.time == 54 && track.samples.last?.duration == 1)
        #expect(s.framesWithoutLocation == 0)
        for f in frames {
            let index = try #require(Int(f.path.split(separator: "=").last ?? ""))
            let expected = try #require(track.sample(at: Double(index) / 2))
            #expect(abs(try #require(f.latitude) - expected.latitude!) < 1e-9, "frame \(index)")
            #expect(abs(try #require(f.longitude) - expected.longitude!) < 1e-9, "frame \(index)")
            #expect(f.altitudeM == expected.relativeAltitude)
        }
    }

    @Test("a Mavic Pro log cut off in its last cue: the warning names file and line, frames outside the records it kept have no location")
    func brokenLog() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let video = try Self.video(seconds: 21, srt: "broken_incomplete.SRT", in: dir)
        let (s, frames) = try await Self.survey(video, sampling: .seconds(5))
        #expect(s.failures.isEmpty)
        let warning = try #require(s.warnings.first)
        #expect(warning.contains("DJI_0001.SRT:") && warning.contains("frames after it have no location"), "\(warning)")
        // Frames at 0, 5, 10, 15 and 20 s; the cues kept cover 1 s to 20 s (the last good one from 19 s until 20 s).
        #expect(s.framesTotal == 5)
        #expect(s.framesWithoutLocation == 2, "\(s)")
        #expect(Set(frames.filter { $0.latitude == nil }.map { $0.path.split(separator: "=").last! }) == ["0", "40"])
    }
}

@Suite("ffprobe: frame rate, duration, rotation (ffmpeg)")
struct VideoProbeTests {
    @Test("a phone video recorded sideways (a display rotation) is probed upright and its frames decoded upright")
    func rotation() async throws {
        let dir = try VideoFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.mp4"), video = dir.appendingPathComponent("phone.mp4")
        // 64×48 landscape pixels, a dark bar along the top edge; then a display rotation in the container.
        try VideoFixtures.ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=64x48:r=5:d=2", "-vf", "drawbox=x=0:y=0:w=64:h=6:color=black:t=fill",
                                  "-c:v", "libx264", "-pix_fmt", "yuv420p", plain.path])
        try VideoFixtures.ffmpeg(["-i", plain.path, "-c", "copy", "-metadata:s:v:0", "rotate=90", video.path])
        let tools = try FFmpeg.locate()
        let probe = try tools.probe(video.path)
        // (ffmpeg 5.1 stores this tag as a display matrix turning 90° counter-clockwise: 270° clockwise.)
        #expect(probe.rotation == 90 || probe.rotation == 270, "rotation \(probe.rotation)")
        #expect(probe.width == 48 && probe.height == 64)
        #expect(abs(probe.frameRate - 5) < 1e-9 && abs((probe.duration ?? 0) - 2) < 0.05)
        #expect(probe.announcedFrames == 10)
        #expect(try tools.frameTimes(video.path).times == (0..<10).map { Double($0) / 5 })
        let jpeg = try #require(try tools.frames(video.path, indices: [3])[3])
        let image = try ImageDecoder.decode(jpeg, options: DecodeOptions(format: .gray8)).pixels
        #expect(image.width == 48 && image.height == 64)
        // Turned clockwise the top edge becomes the right edge; counter-clockwise, the left: as the probe says.
        let (dark, light) = probe.rotation == 90 ? (image[46, 32], image[2, 32]) : (image[2, 32], image[46, 32])
        #expect(dark < 60 && light > 90, "bar \(dark), other side \(light)")
    }
}
