import Codecs
import Foundation
import GRDB
import ImagingCore
import Testing
import Tickets
import TestSupport

/// End-to-end tests of `pavewatch survey` through the built executable. They use `--inspector dark-regions`
/// (a simple threshold detector in Pipeline) so that they exercise the pipeline, the store and resume
/// independently of the trained detector.
@Suite("pavewatch survey (process)", .serialized)
struct SurveyCommandTests {
    /// `count` 1200x900 JPEG frames, each with a few dark strokes at different places.
    static func makeFolder(count: Int) throws -> URL {
        let dir = try CLIProcess.temporaryDirectory()
        for i in 0..<count {
            var img = PixelBuffer(width: 1200, height: 900, format: .gray8)
            for y in 0..<900 { for x in 0..<1200 { img[x, y] = UInt8(140 + (x * 7 + y * 3 + i) % 40) } }
            for k in 0..<3 {
                let y0 = 100 + (i * 37 + k * 211) % 700, x0 = 50 + (i * 53 + k * 97) % 900
                img.drawLine(x0: x0, y0: y0, x1: x0 + 200, y1: y0 + 40 + k * 10, color: [20], thickness: 3)
            }
            let sub = dir.appendingPathComponent(i % 3 == 0 ? "a" : "b/c")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Data(ImageEncoder.jpeg(img, quality: 92)).write(to: sub.appendingPathComponent(String(format: "F%04d.jpg", i)))
        }
        return dir
    }

    /// The built executable, a folder of `frames` test frames (``makeFolder(count:)``) and a work folder.
    static func setUp(frames: Int) throws -> (binary: URL, folder: URL, work: URL) {
        let binary = try #require(CLIProcess.binary(), "the pavewatch executable is built with the tests")
        return (binary, try makeFolder(count: frames), try CLIProcess.temporaryDirectory())
    }

    /// Removes what ``setUp(frames:)`` made.
    static func remove(_ folders: URL...) { for f in folders { try? FileManager.default.removeItem(at: f) } }

    /// The `summary` object of the last JSON line a `--json` survey printed.
    static func summary(_ out: String) throws -> [String: Any] {
        let line = try #require(out.split(separator: "\n").last { $0.hasPrefix("{") })
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(obj["summary"] as? [String: Any])
    }

    /// Runs `args` again, as after a failure was mended: it must exit 0 with `frames` frames stored in `db`.
    static func rerun(_ binary: URL, _ args: [String], in work: URL, db: String, expectFrames frames: Int) async throws {
        let (status, out) = try await CLIProcess.run(binary, args, in: work)
        #expect(status == 0, "\(out)")
        #expect(try await SQLiteTicketStore(path: db).frames().count == frames)
    }

    /// (frames stored, tickets with their finding counts) of a database, in a comparable form.
    static func contents(_ db: String) async throws -> (frames: Set<String>, tickets: [String]) {
        let store = try SQLiteTicketStore(path: db)
        let frames = Set(try await store.frames().map(\.contentHash))
        var tickets: [String] = []
        for t in try await store.tickets(TicketQuery()) {
            let findings = try await store.findings(ticketId: t.id!)
            tickets.append(findings.map { "\($0.finding.bbox.x),\($0.finding.bbox.y),\($0.finding.bbox.width),\($0.finding.bbox.height)" }
                .sorted().joined(separator: ";"))
        }
        return (frames, tickets.sorted())
    }

    @Test("kill -9 in the middle of a survey, rerun: the same frames and tickets as an uninterrupted run, no duplicates")
    func killAndResume() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 36)
        defer { Self.remove(folder, work) }
        let dbA = work.appendingPathComponent("a.sqlite").path, dbB = work.appendingPathComponent("b.sqlite").path
        let common = ["survey", folder.path, "--inspector", "dark-regions", "--threads", "2", "--quiet", "--top", "0"]

        let (statusA, outA) = try await CLIProcess.run(binary, common + ["--db", dbA], in: work)
        #expect(statusA == 0, "\(outA)")
        let reference = try await Self.contents(dbA)
        #expect(reference.frames.count == 36)
        #expect(!reference.tickets.isEmpty)

        let log = work.appendingPathComponent("killed.log")
        let p = try CLIProcess.start(binary, common + ["--db", dbB], log: log)
        // The survey starts freely; from its first stored frame on it runs in short slices between SIGSTOPs, and
        // once 4 frames are stored it is killed while stopped, so the kill always lands mid-survey (a stopped
        // process cannot finish first).
        // Read-only, without migrating: opening the store here would race the survey's own migration for the lock.
        func storedFrames() async -> Int {
            guard FileManager.default.fileExists(atPath: dbB) else { return 0 }
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(1)
            return (try? await DatabaseQueue(path: dbB, configuration: config).read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM frame")
            }) ?? 0
        }
        var stored = 0
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && stored < 1 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(2))
            stored = await storedFrames()
        }
        kill(p.processIdentifier, SIGSTOP)
        stored = await storedFrames()
        while p.isRunning && stored < 4 && Date() < deadline {
            kill(p.processIdentifier, SIGCONT)
            try await Task.sleep(for: .milliseconds(20))
            kill(p.processIdentifier, SIGSTOP)
            stored = await storedFrames()
        }
        let killedMidway = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        try await CLIProcess.wait(p, seconds: 30)
        let partial = try await Self.contents(dbB)
        print("survey kill test: killed midway \(killedMidway), frames stored before the kill \(partial.frames.count) of 36")
        #expect(killedMidway, "the survey was killed while it ran")
        #expect(partial.frames.count >= 4 && partial.frames.count < 36, "killed after \(partial.frames.count) frames")

        let (statusB, outB) = try await CLIProcess.run(binary, common + ["--db", dbB], in: work)
        #expect(statusB == 0, "\(outB)")
        let resumed = try await Self.contents(dbB)
        #expect(resumed.frames == reference.frames)
        #expect(resumed.tickets == reference.tickets)
    }

    @Test("bad frames: exit status 1, each named with its reason, the good frames stored; --json summary")
    func badFrames() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 3)
        defer { Self.remove(folder, work) }
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00]).write(to: folder.appendingPathComponent("a/cut.jpg"))
        try Data("hello".utf8).write(to: folder.appendingPathComponent("b/readme.png"))
        let db = work.appendingPathComponent("s.sqlite").path
        let (status, out) = try await CLIProcess.run(binary, ["survey", folder.path, "--inspector", "dark-regions",
                                                              "--db", db, "--json", "--report", work.appendingPathComponent("r").path], in: work)
        #expect(status == 1)
        let summary = try Self.summary(out)
        #expect(summary["framesProcessed"] as? Int == 3)
        let failures = try #require(summary["failures"] as? [[String: Any]])
        #expect(Set(failures.compactMap { ($0["file"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } }) == ["cut.jpg", "readme.png"])
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("r/index.html").path))
        #expect(try await SQLiteTicketStore(path: db).frames().count == 3)
    }

    @Test("a folder of symbolic links to frames kept elsewhere is surveyed like the frames themselves")
    func folderOfLinks() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 3)
        defer { Self.remove(folder, work) }
        let links = work.appendingPathComponent("links")
        try FileManager.default.createDirectory(at: links, withIntermediateDirectories: true)
        for (i, name) in ["a/F0000.jpg", "b/c/F0001.jpg", "b/c/F0002.jpg"].enumerated() {
            try FileManager.default.createSymbolicLink(atPath: links.appendingPathComponent("frame-\(i).jpg").path,
                                                       withDestinationPath: folder.appendingPathComponent(name).path)
        }
        try FileManager.default.createSymbolicLink(atPath: links.appendingPathComponent("again").path,
                                                   withDestinationPath: links.path)  // a loop
        let db = work.appendingPathComponent("s.sqlite").path
        let (status, out) = try await CLIProcess.run(binary, ["survey", links.path, "--inspector", "dark-regions",
                                                              "--db", db, "--json", "--top", "0"], in: work)
        #expect(status == 0, "\(out)")
        let summary = try Self.summary(out)
        #expect(summary["framesTotal"] as? Int == 3, "\(summary)")
        #expect(summary["framesProcessed"] as? Int == 3, "\(summary)")
        #expect(try await SQLiteTicketStore(path: db).frames().count == 3)
    }

    @Test("a survey folder's broken pavewatch.yaml: exit 1 naming the file and the field, no usage text, no frame stored")
    func brokenSettings() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 2)
        defer { Self.remove(folder, work) }
        let settings = folder.appendingPathComponent("pavewatch.yaml")
        try Data("camera:\n  heightAboveGround: -40\n".utf8).write(to: settings)
        let db = work.appendingPathComponent("s.sqlite").path
        let args = ["survey", folder.path, "--inspector", "dark-regions", "--db", db, "--quiet", "--top", "0"]
        let (status, out) = try await CLIProcess.run(binary, args, in: work)
        #expect(status == 1, "\(out)")
        #expect(out.contains(settings.path) && out.contains("heightAboveGround"), "\(out)")
        #expect(!out.contains("USAGE"), "\(out)")
        #expect(try await SQLiteTicketStore(path: db).frames().isEmpty)
        // Mended, the same command surveys the folder.
        try Data("camera:\n  heightAboveGround: 40\n".utf8).write(to: settings)
        try await Self.rerun(binary, args, in: work, db: db, expectFrames: 2)
    }

    @Test("a full disk (a file-size limit) stops the survey with exit 1 and a message naming the database; what was stored passes integrity_check and a rerun completes")
    func fullDisk() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 30)
        defer { Self.remove(folder, work) }
        let db = work.appendingPathComponent("full.sqlite").path
        let survey = ["survey", folder.path, "--inspector", "dark-regions", "--threads", "2", "--quiet", "--top", "0", "--db", db]
        // bash's file-size limit (1,024-byte blocks): 750 KB, room for the schema and a few frames, not for 30.
        let quoted = ([binary.path] + survey).map { "'\($0)'" }.joined(separator: " ")
        let (status, out) = try await CLIProcess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", "ulimit -f 750; exec \(quoted)"], in: work)
        #expect(status == 1, "\(out)")
        #expect(out.contains(db) && out.contains("the survey stopped") && out.contains("full"), "\(out)")
        let store = try SQLiteTicketStore(path: db)
        let stored = try await store.frames().count
        #expect(stored > 0 && stored < 30, "\(stored) frames stored before the limit")
        let check = try await DatabaseQueue(path: db).read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"], "\(check)")
        // Space again: the same command goes on and stores the rest once.
        try await Self.rerun(binary, survey, in: work, db: db, expectFrames: 30)
    }

    @Test("a database another process keeps locked: the survey waits its bound, then exits 1 naming the file and the process that holds it")
    func lockedDatabase() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 2)
        defer { Self.remove(folder, work) }
        let db = work.appendingPathComponent("locked.sqlite").path
        let survey = ["survey", folder.path, "--inspector", "dark-regions", "--quiet", "--top", "0", "--db", db]
        let (first, out) = try await CLIProcess.run(binary, survey, in: work)
        #expect(first == 0, "\(out)")
        // This test process holds an exclusive lock for 14 s from another thread (the survey waits 10 s).
        let locked = DispatchSemaphore(value: 0)
        let holder = Thread {
            do {
                let queue = try DatabaseQueue(path: db)
                try queue.inDatabase { d in
                    try d.execute(sql: "BEGIN EXCLUSIVE")
                    locked.signal()
                    Thread.sleep(forTimeInterval: 14)
                    try d.execute(sql: "ROLLBACK")
                }
            } catch { locked.signal() }
        }
        holder.start()
        locked.wait()
        let started = Date()
        let (status, text) = try await CLIProcess.run(binary, survey, in: work)
        #expect(status == 1, "\(text)")
        #expect(Date().timeIntervalSince(started) >= 5, "it waited before giving up")
        #expect(text.contains(db) && text.contains("locked") && text.contains("pid \(ProcessInfo.processInfo.processIdentifier)"), "\(text)")
    }

    @Test("a database file that is not a database, or is cut short, is named with the reason; no crash, exit 1")
    func corruptDatabase() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 2)
        defer { Self.remove(folder, work) }
        let good = work.appendingPathComponent("good.sqlite").path
        let survey = ["survey", folder.path, "--inspector", "dark-regions", "--quiet", "--top", "0"]
        #expect(try await CLIProcess.run(binary, survey + ["--db", good], in: work).0 == 0)
        let text = work.appendingPathComponent("text.sqlite").path
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: text))
        let cut = work.appendingPathComponent("cut.sqlite").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: cut))
        for (db, reason) in [(text, "not a database"), (cut, "malformed")] {
            let (status, out) = try await CLIProcess.run(binary, survey + ["--db", db], in: work)
            #expect(status == 1 && out.contains(db) && out.contains(reason), "\(out)")
        }
    }

    @Test("SIGKILL at 50 random moments of one survey, then a rerun: every frame stored once, the same tickets as an uninterrupted run")
    func killLoop() async throws {
        let (binary, folder, work) = try Self.setUp(frames: 100)
        defer { Self.remove(folder, work) }
        let dbA = work.appendingPathComponent("a.sqlite").path, dbB = work.appendingPathComponent("b.sqlite").path
        let common = ["survey", folder.path, "--inspector", "dark-regions", "--threads", "2", "--quiet", "--top", "0"]
        #expect(try await CLIProcess.run(binary, common + ["--db", dbA], in: work).0 == 0)
        let reference = try await Self.contents(dbA)
        // Kills after 10 … 250 ms (a seeded sequence), wherever the survey then is: opening, migrating, inspecting,
        // committing a frame.
        var seed: UInt64 = 20261207
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        var killed = 0
        for i in 0..<50 {
            let p = try CLIProcess.start(binary, common + ["--db", dbB], log: work.appendingPathComponent("k\(i).log"))
            try await Task.sleep(for: .milliseconds(10 + Int(next() % 240)))
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            try await CLIProcess.wait(p, seconds: 30)
        }
        let (status, out) = try await CLIProcess.run(binary, common + ["--db", dbB], in: work)
        #expect(status == 0, "\(out)")
        let store = try SQLiteTicketStore(path: dbB)
        let frames = try await store.frames()
        #expect(frames.count == 100 && Set(frames.map(\.contentHash)).count == 100, "each frame once")
        let resumed = try await Self.contents(dbB)
        #expect(resumed.frames == reference.frames && resumed.tickets == reference.tickets)
        let check = try await DatabaseQueue(path: dbB).read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
        print("survey kill loop: \(killed) of 50 runs killed midway")
        #expect(killed >= 30, "most runs were killed before they finished (\(killed))")
    }
}
