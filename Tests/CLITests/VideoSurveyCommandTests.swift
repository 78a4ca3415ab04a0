import Codecs
import Foundation
import ImagingCore
import Testing
import Tickets
import TestSupport

/// `pavewatch survey VIDEO` through the built executable, on a small video made by ffmpeg (6 frames, 320×240),
/// with `--inspector dark-regions` (the pipeline, not the detector).
@Suite("pavewatch survey VIDEO (process)", .serialized)
struct VideoSurveyCommandTests {
    static let env = URL(fileURLWithPath: "/usr/bin/env")

    /// A 3 s video at 2 fps of a drone flying north at 10 m/s, 30 m up, over dark strokes; its DJI-style SRT sidecar
    /// and a camera file. Returns the video.
    static func makeVideo(in dir: URL) async throws -> URL {
        for i in 0..<6 {
            var img = PixelBuffer(width: 320, height: 240, format: .gray8)
            for y in 0..<240 { for x in 0..<320 { img[x, y] = UInt8(140 + (x * 7 + y * 3 + i) % 40) } }
            img.drawLine(x0: 40 + i * 20, y0: 60, x1: 200 + i * 10, y1: 90, color: [20], thickness: 3)
            try Data(try ImageEncoder.png(img)).write(to: dir.appendingPathComponent(String(format: "f%02d.png", i)))
        }
        let video = dir.appendingPathComponent("flight.mp4")
        let (status, out) = try await CLIProcess.run(env, [
            "ffmpeg", "-v", "error", "-nostdin", "-y", "-framerate", "2", "-i", dir.appendingPathComponent("f%02d.png").path,
            "-c:v", "libx264", "-crf", "12", "-pix_fmt", "yuv420p", "-g", "2", "-movflags", "+faststart", video.path,
        ], in: dir)
        try #require(status == 0, "ffmpeg: \(out)")
        var srt = ""
        for k in 0..<6 {
            let t0 = Double(k) / 2
            func stamp(_ t: Double) -> String { String(format: "00:00:%02d,%03d", Int(t), Int((t * 1000).rounded()) % 1000) }
            // 10 m/s north: 4.5e-5 degrees of latitude per half second.
            srt += """
            \(k + 1)
            \(stamp(t0)) --> \(stamp(t0 + 0.5))
            <font size="28">FrameCnt: \(k + 1), DiffTime: 500ms
            2024-05-01 10:00:0\(k / 2).\(k % 2 * 5)00
            [latitude: \(51.92 + Double(k) * 4.5e-5)] [longitude: 4.47] [rel_alt: 30.000 abs_alt: 32.0] [gb_yaw: 0.0 gb_pitch: -90.0 gb_roll: 0.0] </font>


            """
        }
        try srt.write(to: dir.appendingPathComponent("flight.SRT"), atomically: true, encoding: .utf8)
        try "horizontal_fov: 80\n".write(to: dir.appendingPathComponent("camera.yaml"), atomically: true, encoding: .utf8)
        return video
    }

    @Test("a video with its SRT sidecar: frames taken by ground covered, progress shows frames taken and video time, the report has crops from the video, a rerun skips them; a truncated copy exits 1 naming the file")
    func surveyVideo() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let video = try await Self.makeVideo(in: work)
            let db = work.appendingPathComponent("v.sqlite").path
            let args = ["survey", video.path, "--inspector", "dark-regions", "--db", db, "--top", "0",
                        "--camera", work.appendingPathComponent("camera.yaml").path]
            let report = work.appendingPathComponent("report")
            let (status, out) = try await CLIProcess.run(binary, args + ["--report", report.path], in: work)
            #expect(status == 0, "\(out)")
            // The report's overlay crops come from the video's frames (decoded again by ffmpeg).
            let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
            #expect(html.contains("data:image/png;base64,"), "no overlay crop in the report")
            // 30 m up with an 80° lens the footprint is ~43 m deep along the track: at 10 m/s a frame every ~2 s.
            #expect(out.contains("Survey flight.mp4: 2 frames (1 video), 2 analysed"), "\(out)")
            #expect(out.contains("frames taken") && out.contains("video "), "progress: \(out)")
            let frames = try await SQLiteTicketStore(path: db).frames()
            #expect(frames.count == 2 && frames.allSatisfy { $0.latitude != nil && $0.altitudeM == 30 })

            let (again, out2) = try await CLIProcess.run(binary, args + ["--json"], in: work)
            #expect(again == 0, "\(out2)")
            let summary = try SurveyCommandTests.summary(out2)
            #expect(summary["framesSkipped"] as? Int == 2 && summary["framesProcessed"] as? Int == 0, "\(summary)")

            // --every 0.5: every frame.
            let (every, out3) = try await CLIProcess.run(binary, args + ["--every", "0.5", "--json"], in: work)
            #expect(every == 0, "\(out3)")
            #expect(try await SQLiteTicketStore(path: db).frames().count == 6)

            let cutDir = work.appendingPathComponent("cut")
            try FileManager.default.createDirectory(at: cutDir, withIntermediateDirectories: true)
            let cut = cutDir.appendingPathComponent("flight.mp4")
            let bytes = try Data(contentsOf: video)
            try bytes.prefix(bytes.count * 2 / 3).write(to: cut)
            try FileManager.default.copyItem(at: work.appendingPathComponent("flight.SRT"), to: cutDir.appendingPathComponent("flight.SRT"))
            let cutDB = work.appendingPathComponent("cut.sqlite").path
            let (cutStatus, cutOut) = try await CLIProcess.run(binary, ["survey", cut.path, "--inspector", "dark-regions",
                                                                        "--db", cutDB, "--top", "0", "--every", "0.5",
                                                                        "--camera", work.appendingPathComponent("camera.yaml").path],
                                                               in: work)
            #expect(cutStatus == 1, "\(cutOut)")
            #expect(cutOut.contains("\(cut.path): truncated or corrupt"), "\(cutOut)")
            let kept = try await SQLiteTicketStore(path: cutDB).frames().count
            #expect(kept >= 1 && kept < 6, "\(kept) frames kept")
        }
    }

    /// An NMEA sentence with its checksum.
    static func nmea(_ body: String) -> String {
        String(format: "$%@*%02X", body, body.utf8.reduce(UInt8(0), ^))
    }

    @Test("--telemetry with an NMEA log: frames placed by its fixes, matched from its first record (the video has no recording time, said in a warning)")
    func nmeaTelemetry() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let video = try await Self.makeVideo(in: work)
            // A fix a second, 10 m/s north from 51°55.2' N (the SRT sidecar beside the video is overridden).
            var log: [String] = []
            for s in 0...3 {
                let minutes = 55.2 + Double(s) * 10 / 1852
                log.append("2024-05-01 10:00:0\(s) " + Self.nmea(String(format: "GPRMC,10000%d.00,A,51%07.4f,N,00428.2000,E,19.4,0.0,010524,,,A", s, minutes)))
                log.append(Self.nmea(String(format: "GPGGA,10000%d.00,51%07.4f,N,00428.2000,E,1,08,0.9,32.0,M,47.0,M,,", s, minutes)))
            }
            let track = work.appendingPathComponent("track.log")
            try log.joined(separator: "\n").write(to: track, atomically: true, encoding: .utf8)
            let db = work.appendingPathComponent("n.sqlite").path
            let (status, out) = try await CLIProcess.run(binary, ["survey", video.path, "--inspector", "dark-regions", "--db", db,
                                                                  "--top", "0", "--every", "1", "--telemetry", track.path,
                                                                  "--height-above-ground", "30",
                                                                  "--camera", work.appendingPathComponent("camera.yaml").path],
                                                         in: work)
            #expect(status == 0, "\(out)")
            #expect(out.contains("Warning: \(video.path): no recording time"), "\(out)")
            let frames = try await SQLiteTicketStore(path: db).frames().sorted { $0.path < $1.path }
            #expect(frames.count == 3)
            for f in frames {
                let t = Double(try #require(Int(f.path.split(separator: "=").last ?? ""))) / 2
                let expected = 51 + (55.2 + t * 10 / 1852) / 60
                #expect(abs(try #require(f.latitude) - expected) < 1e-7, "\(f.path)")
                #expect(f.altitudeM == 30)
            }
        }
    }

    @Test("without ffmpeg on PATH: exit 1 naming the Debian package, nothing stored")
    func ffmpegMissing() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let video = work.appendingPathComponent("clip.mp4")
            try Data("not read".utf8).write(to: video)
            let log = work.appendingPathComponent("out.log")
            let db = work.appendingPathComponent("v.sqlite").path
            let p = try CLIProcess.start(binary, ["survey", video.path, "--inspector", "dark-regions", "--db", db, "--top", "0"],
                                         log: log, environment: ["PATH": work.path])
            try await CLIProcess.wait(p, seconds: 30)
            let out = try String(contentsOf: log, encoding: .utf8)
            #expect(p.terminationStatus == 1, "\(out)")
            #expect(out.contains("ffmpeg was not found") && out.contains("apt-get install ffmpeg"), "\(out)")
            #expect(!out.contains("USAGE"))
        }
    }

    @Test("--every with --every-metres is a usage error; --help describes videos")
    func flags() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let (status, out) = try await CLIProcess.run(binary, ["survey", work.path, "--every", "1", "--every-metres", "5"], in: work)
            #expect(status == 64, "\(out)")
            #expect(out.contains("--every or --every-metres"))
            let (_, help) = try await CLIProcess.run(binary, ["survey", "run", "--help"], in: work)
            for flag in ["--telemetry", "--camera", "--every-metres", "--telemetry-offset", "ffmpeg", ".SRT"] {
                #expect(help.contains(flag), "--help lacks \(flag)")
            }
        }
    }
}
