import Foundation
import Testing
import TestSupport
@testable import Pipeline
import Tickets

@Suite("Pipeline basics")
struct PipelineBasicsTests {
    @Test("discovery: recursive, case-insensitive, links followed (out of the folder too), each file once, hidden files skipped")
    func discovery() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("pw-disc-\(UUID().uuidString)")
        let outside = fm.temporaryDirectory.appendingPathComponent("pw-out-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root); try? fm.removeItem(at: outside) }
        try fm.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        for name in ["x.JPG", "a/y.jpeg", "a/b/z.Png", "a/notes.txt", ".hidden.jpg"] {
            fm.createFile(atPath: root.appendingPathComponent(name).path, contents: Data([1]))
        }
        fm.createFile(atPath: outside.appendingPathComponent("far.jpg").path, contents: Data([1]))
        try fm.createSymbolicLink(at: root.appendingPathComponent("link-out"), withDestinationURL: outside)
        try fm.createSymbolicLink(at: root.appendingPathComponent("dup.jpg"), withDestinationURL: root.appendingPathComponent("x.JPG"))
        let frames = try FrameDiscovery.frames(in: root.path).map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(frames.sorted() == ["far.jpg", "x.JPG", "y.jpeg", "z.Png"])
        #expect(throws: PipelineError.notAFolder("/nonexistent/survey")) { try FrameDiscovery.frames(in: "/nonexistent/survey") }
    }

    @Test("bounded work never has more than `width` items in flight and consumes every result")
    func bounded() async throws {
        actor Gauge { var now = 0, peak = 0
            func enter() { now += 1; peak = max(peak, now) }
            func leave() { now -= 1 } }
        let gauge = Gauge()
        var seen: [Int] = []
        try await BoundedWork.run(Array(0..<40), width: 3, work: { i in
            await gauge.enter()
            try? await Task.sleep(nanoseconds: UInt64((i % 5) * 200_000))
            await gauge.leave()
            return i * 2
        }, consume: { i, out in
            #expect(out == i * 2)
            seen.append(i)
        })
        #expect(seen.sorted() == Array(0..<40))
        #expect(await gauge.peak <= 3)
    }

    @Test("content hash is SHA-256")
    func hash() {
        #expect(ContentHash.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("progress line shows counts, rate and ETA")
    func progress() {
        let p = ProgressReporter(total: 10, enabled: false)
        p.advance(frames: 4, failures: 1, newFindings: 7)
        let line = p.render()
        #expect(line.contains("4/10 frames") && line.contains("findings 7") && line.contains("failed 1"))
        #expect(ProgressReporter.duration(3725) == "1h02m")
    }

    @Test("discovery: a folder of links to frames kept elsewhere, links to folders, a link loop, a broken link")
    func discoveryThroughLinks() throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("pw-links-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: base) }
        let store = base.appendingPathComponent("store"), survey = base.appendingPathComponent("survey")
        try fm.createDirectory(at: store.appendingPathComponent("deep"), withIntermediateDirectories: true)
        try fm.createDirectory(at: survey.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for name in ["DJI_0001.JPG", "DJI_0002.JPG", "deep/DJI_0003.jpg"] {
            fm.createFile(atPath: store.appendingPathComponent(name).path, contents: Data([1]))
        }
        try fm.createSymbolicLink(atPath: survey.appendingPathComponent("f1.jpg").path,
                                  withDestinationPath: store.appendingPathComponent("DJI_0001.JPG").path)
        try fm.createSymbolicLink(atPath: survey.appendingPathComponent("sub/f2.jpg").path,
                                  withDestinationPath: "../../store/DJI_0002.JPG")  // relative link
        try fm.createSymbolicLink(atPath: survey.appendingPathComponent("more").path,
                                  withDestinationPath: store.appendingPathComponent("deep").path)
        try fm.createSymbolicLink(atPath: survey.appendingPathComponent("sub/loop").path, withDestinationPath: survey.path)
        try fm.createSymbolicLink(atPath: survey.appendingPathComponent("gone.jpg").path,
                                  withDestinationPath: store.appendingPathComponent("missing.jpg").path)
        let entries = try FrameDiscovery.entries(in: survey.path)
        #expect(entries.map(\.relative) == ["f1.jpg", "more/DJI_0003.jpg", "sub/f2.jpg"])
        #expect(entries.map { URL(fileURLWithPath: $0.real).lastPathComponent } == ["DJI_0001.JPG", "DJI_0003.jpg", "DJI_0002.JPG"])
        #expect(try FrameDiscovery.relativeFrames(in: survey.path) == ["f1.jpg", "more/DJI_0003.jpg", "sub/f2.jpg"])
        #expect(try FrameDiscovery.frames(in: survey.path).count == 3)
        // The survey folder itself may be a link.
        let alias = base.appendingPathComponent("alias")
        try fm.createSymbolicLink(atPath: alias.path, withDestinationPath: survey.path)
        #expect(try FrameDiscovery.relativeFrames(in: alias.path) == ["f1.jpg", "more/DJI_0003.jpg", "sub/f2.jpg"])
    }
}

