import Codecs
import Foundation
import ImagingCore
import Testing
import TestSupport

/// `pavewatch inspect` through the built executable, with the committed detector.
@Suite("pavewatch inspect (process)")
struct InspectCommandTests {
    /// A 480x320 textured gray frame with one dark diagonal crack 3 px wide.
    static func crackFrame() -> PixelBuffer {
        var img = PixelBuffer(width: 480, height: 320, format: .gray8)
        var state: UInt64 = 7
        for y in 0..<320 { for x in 0..<480 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            img[x, y] = UInt8(130 + Int(state >> 59))  // 130...161, grainy
        } }
        img.drawLine(x0: 40, y0: 40, x1: 440, y1: 280, color: [60], thickness: 3)
        return img
    }

    @Test("--json, --overlay and --map: one crack finding along the drawn crack, a PNG of each")
    func outputs() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let frame = work.appendingPathComponent("frame.png")
            try Data(try ImageEncoder.png(Self.crackFrame())).write(to: frame)
            let overlay = work.appendingPathComponent("overlay.png"), map = work.appendingPathComponent("map.png")
            let (status, out) = try await CLIProcess.run(binary, ["inspect", frame.path, "--json", "--overlay", overlay.path,
                                                                   "--map", map.path, "--threads", "2"], in: work)
            #expect(status == 0, "\(out)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
            let findings = try #require(json["findings"] as? [[String: Any]])
            let cracks = findings.filter { $0["class"] as? String == "crack" }
            #expect(cracks.count == 1, "\(findings)")
            let length = try #require(cracks.first?["lengthPx"] as? Double, "the crack finding has a length")
            #expect(abs(length - 466) < 466 * 0.1, "length \(length)")

            let drawn = try ImageDecoder.decode(path: overlay.path).pixels
            #expect(drawn.width == 480 && drawn.height == 320)
            let probabilities = try ImageDecoder.decode(path: map.path, options: DecodeOptions(format: .gray8)).pixels
            #expect(probabilities.width == 480 && probabilities.height == 320, "no GSD: the map is at the frame's size")
            // Bright on the crack, dark away from it.
            #expect(probabilities[240, 160] > 180, "on the crack: \(probabilities[240, 160])")
            #expect(probabilities[240, 40] < 60, "away from it: \(probabilities[240, 40])")
            // The surface map beside it: a gray frame is paved everywhere (cells of 8 px drawn 4 px wide).
            let surface = try ImageDecoder.decode(path: work.appendingPathComponent("map-surface.png").path).pixels
            #expect(surface.width == 60 * 4 && surface.height == 40 * 4)
            #expect(surface[100, 80] == 215, "paved: \(surface[100, 80])")
            #expect(json["surfaceFraction"] as? Double == 1)
        }
    }

    @Test("a missing or corrupt frame: exit status not 0 and a message naming the file")
    func badFrame() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let corrupt = work.appendingPathComponent("broken.jpg")
            try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 1, 2, 3]).write(to: corrupt)
            for path in [corrupt.path, work.appendingPathComponent("absent.png").path] {
                let (status, out) = try await CLIProcess.run(binary, ["inspect", path], in: work)
                #expect(status != 0 && out.contains((path as NSString).lastPathComponent), "\(out)")
            }
        }
    }

    @Test("a truncated JPEG is a runtime failure: exit status 1, the message naming the file, no usage text")
    func truncatedFrameExits1() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            let whole = try ImageEncoder.jpeg(Self.crackFrame(), quality: 90)
            let cut = work.appendingPathComponent("cut.jpg")
            try Data(whole.prefix(whole.count / 2)).write(to: cut)
            let (status, out) = try await CLIProcess.run(binary, ["inspect", cut.path], in: work)
            #expect(status == 1, "\(out)")
            #expect(out.contains("cut.jpg"), "\(out)")
            #expect(!out.uppercased().contains("USAGE"), "\(out)")
        }
    }

    @Test("a wrong command line is still a usage error: exit status 64 with the usage text")
    func usageErrorsExit64() async throws {
        try await CLIProcess.withWorkFolder { binary, work in
            for args in [["inspect"], ["inspect", "x.jpg", "--threshold", "2"], ["inspect", "x.jpg", "--no-such-option"]] {
                let (status, out) = try await CLIProcess.run(binary, args, in: work)
                #expect(status == 64, "\(args): \(out)")
                #expect(out.uppercased().contains("USAGE"), "\(args): \(out)")
            }
        }
    }
}

