import Codecs
import Findings
import Foundation
import ImagingCore
import Logging
import PostgresStore
import Testing
import TestSupport
import Tickets

/// `pavewatch worker` processes against the tests' own PostgreSQL server. Frames are 800x600 JPEGs with
/// dark strokes, analysed by `--inspector dark-regions` (fast, no model), so the tests exercise the job
/// table, the workers and the store rather than the detector.
@Suite("pavewatch worker (processes, PostgreSQL)")
struct WorkerTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A folder of `count` frames in two subfolders.
    /// Runs `body` with the executable, a folder of `count` frames (``makeFolder(count:)``) and a work folder, both
    /// removed afterwards.
    static func withFrames(_ count: Int, _ body: (_ binary: URL, _ folder: URL, _ work: URL) async throws -> Void) async throws {
        let folder = try makeFolder(count: count)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await CLIProcess.withWorkFolder { binary, work in try await body(binary, folder, work) }
    }

    static func makeFolder(count: Int) throws -> URL {
        let dir = try CLIProcess.temporaryDirectory()
        for i in 0..<count {
            var img = PixelBuffer(width: 800, height: 600, format: .gray8)
            for y in 0..<600 { for x in 0..<800 { img[x, y] = UInt8(150 + (x * 5 + y * 11 + i * 3) % 30) } }
            for k in 0..<2 {
                let x0 = 40 + (i * 71 + k * 301) % 600, y0 = 60 + (i * 43 + k * 157) % 450
                img.drawLine(x0: x0, y0: y0, x1: x0 + 150, y1: y0 + 30 + 20 * k, color: [15], thickness: 3)
            }
            let sub = dir.appendingPathComponent(i % 2 == 0 ? "left" : "right/deep")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Data(ImageEncoder.jpeg(img, quality: 90)).write(to: sub.appendingPathComponent("frame-\(i).jpg"))
        }
        return dir
    }

    /// (content hashes of the stored frames, each ticket as its findings' boxes), comparable across stores.
    static func contents(_ store: any TicketStore) async throws -> (frames: [String], tickets: [String]) {
        let frames = try await store.frames().map(\.contentHash).sorted()
        var tickets: [String] = []
        for t in try await store.tickets(TicketQuery()) {
            tickets.append(try await store.findings(ticketId: t.id!)
                .map { "\($0.finding.bbox.x),\($0.finding.bbox.y),\($0.finding.bbox.width),\($0.finding.bbox.height)" }
                .sorted().joined(separator: ";"))
        }
        return (frames, tickets.sorted())
    }

    /// The tickets of a one-machine survey of `folder` on SQLite.
    static func reference(_ folder: URL, binary: URL, work: URL) async throws -> (frames: [String], tickets: [String]) {
        let db = work.appendingPathComponent("reference.sqlite").path
        let (status, out) = try await CLIProcess.run(binary, ["survey", folder.path, "--db", db, "--inspector", "dark-regions",
                                                             "--threads", "2", "--quiet", "--top", "0"], in: work)
        #expect(status == 0, "\(out)")
        return try await contents(try SQLiteTicketStore(path: db))
    }

    static func worker(_ binary: URL, url: String, name: String, root: URL, lease: Int, log: URL) throws -> Process {
        try CLIProcess.start(binary, ["worker", "--db", url, "--root", root.path, "--name", name, "--threads", "1",
                                      "--lease", "\(lease)", "--until-done", "--inspector", "dark-regions"], log: log)
    }

    static func enqueue(_ binary: URL, url: String, folder: URL, work: URL) async throws {
        let (status, out) = try await CLIProcess.run(binary, ["survey", folder.path, "--db", url, "--enqueue", "--name", "s1"], in: work)
        #expect(status == 0, "\(out)")
    }

    /// Waits (at most `seconds`) until `condition` holds.
    static func waitUntil(seconds: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await !condition() {
            guard Date() < deadline else { throw TimeoutError() }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func log(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    @Test("enqueueing twice adds nothing; status counts pending jobs")
    func enqueueIsIdempotent() async throws {
        try await Self.withFrames(5) { binary, folder, work in
            let url = try await TemporaryPostgres.shared().createDatabase()
            try await Self.enqueue(binary, url: url, folder: folder, work: work)
            let (status, out) = try await CLIProcess.run(binary, ["survey", folder.path, "--db", url, "--enqueue", "--name", "s1", "--json"], in: work)
            #expect(status == 0)
            #expect(out.contains("\"added\":0") && out.contains("\"existing\":5"), "\(out)")
            let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
            defer { store.close() }
            let p = try #require(try await store.progress(survey: 1))
            #expect(p.pending == 5 && p.done == 0 && p.running == 0)
            let (s2, text) = try await CLIProcess.run(binary, ["survey", "status", "1", "--db", url], in: work)
            #expect(s2 == 0 && text.contains("0 done, 0 running, 5 pending, 0 failed"), "\(text)")
        }
    }

    @Test("two and three workers: every frame exactly once, the same tickets as one machine", arguments: [2, 3])
    func workersShareASurvey(workers: Int) async throws {
        try await Self.withFrames(18) { binary, folder, work in
            let reference = try await Self.reference(folder, binary: binary, work: work)
            #expect(reference.frames.count == 18 && !reference.tickets.isEmpty)

            let url = try await TemporaryPostgres.shared().createDatabase()
            try await Self.enqueue(binary, url: url, folder: folder, work: work)
            let logs = (0..<workers).map { work.appendingPathComponent("w\($0).log") }
            let processes = try (0..<workers).map { try Self.worker(binary, url: url, name: "w\($0)", root: folder, lease: 10, log: logs[$0]) }
            for (p, log) in zip(processes, logs) {
                try await CLIProcess.wait(p, seconds: 90)
                #expect(p.terminationStatus == 0, "\(Self.log(log))")
            }
            let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
            defer { store.close() }
            let got = try await Self.contents(store)
            #expect(got.frames == reference.frames)  // each frame once (content hashes are unique and all there)
            #expect(got.tickets == reference.tickets)
            let p = try #require(try await store.progress(survey: 1))
            #expect(p.done == 18 && p.pending == 0 && p.running == 0 && p.failed == 0)
            #expect(p.workers.map(\.done).reduce(0, +) == 18)
        }
    }

    @Test("kill -9 of a worker mid-survey: its job comes back after the lease, nothing lost or doubled")
    func killedWorkerLosesNothing() async throws {
        try await Self.withFrames(14) { binary, folder, work in
            let reference = try await Self.reference(folder, binary: binary, work: work)
            let url = try await TemporaryPostgres.shared().createDatabase()
            try await Self.enqueue(binary, url: url, folder: folder, work: work)
            let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
            defer { store.close() }

            let victimLog = work.appendingPathComponent("victim.log")
            let victim = try Self.worker(binary, url: url, name: "victim", root: folder, lease: 2, log: victimLog)
            // Kill it while it holds a job, after it has finished some. The victim runs in slices of a few milliseconds
            // (SIGCONT ... SIGSTOP) and the job table is read while it is stopped, so it can neither finish the job between
            // the reading and the kill nor race through every job between two readings on a busy machine.
            kill(victim.processIdentifier, SIGSTOP)
            var held: SurveyProgress?
            let deadline = Date().addingTimeInterval(90)
            while held == nil && Date() < deadline {
                kill(victim.processIdentifier, SIGCONT)
                try await Task.sleep(for: .milliseconds(5))
                kill(victim.processIdentifier, SIGSTOP)
                let p = try #require(try await store.progress(survey: 1))
                if p.running == 1 && p.done >= 2 && p.done < 14 { held = p }
                if p.done == 14 { break }
            }
            kill(victim.processIdentifier, SIGKILL)
            try await CLIProcess.wait(victim, seconds: 10)
            try #require(held != nil, "the victim was never stopped while holding a job")
            let after = try #require(try await store.progress(survey: 1))
            #expect(after.running == 1 && after.done == held?.done, "the victim died holding a job")

            let log = work.appendingPathComponent("survivor.log")
            let survivor = try Self.worker(binary, url: url, name: "survivor", root: folder, lease: 2, log: log)
            try await CLIProcess.wait(survivor, seconds: 90)
            #expect(survivor.terminationStatus == 0, "\(Self.log(log))")
            let p = try #require(try await store.progress(survey: 1))
            #expect(p.done == 14 && p.running == 0 && p.failed == 0 && p.pending == 0)
            let got = try await Self.contents(store)
            #expect(got.frames == reference.frames)
            #expect(got.tickets == reference.tickets)
        }
    }

    @Test("the database restarts under running workers: they reconnect with backoff and finish")
    func databaseRestart() async throws {
        let binary = try #require(CLIProcess.binary(), "the pavewatch executable is built with the tests")
        let cluster = try TemporaryPostgres()  // its own server: the others' tests keep theirs
        // Enough frames that the two workers cannot finish them all while the server is being stopped (on a quiet
        // machine 16 were done before it went down, and nobody had to retry).
        let folder = try Self.makeFolder(count: 64)
        let work = try CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder); try? FileManager.default.removeItem(at: work) }
        let reference = try await Self.reference(folder, binary: binary, work: work)
        let url = try cluster.createDatabase()
        try await Self.enqueue(binary, url: url, folder: folder, work: work)
        let logs = (0..<2).map { work.appendingPathComponent("w\($0).log") }
        let processes = try (0..<2).map { try Self.worker(binary, url: url, name: "w\($0)", root: folder, lease: 5, log: logs[$0]) }
        do {
            let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
            try await Self.waitUntil(seconds: 60) { (try await store.progress(survey: 1)?.done ?? 0) >= 1 }
            store.close()
        }
        try cluster.stop()
        // The server stays down until a worker has met it down (a worker busy with a frame may not notice a
        // short outage at all), at most a minute.
        let retried: @Sendable () -> Bool = { logs.contains { Self.log($0).contains("database unreachable, retrying") } }
        try? await Self.waitUntil(seconds: 60) { retried() }
        try cluster.start()
        for (p, log) in zip(processes, logs) {
            try await CLIProcess.wait(p, seconds: 90)
            #expect(p.terminationStatus == 0, "\(Self.log(log))")
        }
        #expect(retried())
        let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
        defer { store.close() }
        let p = try #require(try await store.progress(survey: 1))
        #expect(p.done == 64 && p.failed == 0)
        let got = try await Self.contents(store)
        #expect(got.frames == reference.frames)
        #expect(got.tickets == reference.tickets)
        try cluster.stop()
    }

    @Test("a frame that cannot be read is retried, then failed with its reason; SIGTERM stops a worker cleanly")
    func failedFramesAndSigterm() async throws {
        try await Self.withFrames(4) { binary, folder, work in
            try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]).write(to: folder.appendingPathComponent("left/broken.jpg"))
            let url = try await TemporaryPostgres.shared().createDatabase()
            try await Self.enqueue(binary, url: url, folder: folder, work: work)
            let store = try await PostgresTicketStore(location: try PostgresLocation(url: url), timeout: .seconds(60), logger: Self.quiet)
            defer { store.close() }
            // No --until-done: the worker waits for more work until SIGTERM.
            let log = work.appendingPathComponent("w.log")
            let p = try CLIProcess.start(binary, ["worker", "--db", url, "--root", folder.path, "--name", "w", "--lease", "10",
                                                  "--max-attempts", "2", "--inspector", "dark-regions"], log: log)
            try await Self.waitUntil(seconds: 60) {
                let s = try await store.progress(survey: 1)
                return (s?.done ?? 0) == 4 && (s?.failed ?? 0) == 1
            }
            p.terminate()
            try await CLIProcess.wait(p, seconds: 20)
            #expect(p.terminationStatus == 0, "\(Self.log(log))")
            let status = try #require(try await store.progress(survey: 1))
            #expect(status.running == 0 && status.pending == 0)
            let failure = try #require(status.failures.first)
            #expect(failure.path == "left/broken.jpg" && failure.attempts == 2)
            #expect(!failure.reason.isEmpty)
            #expect(status.workers.map(\.worker) == ["w"])
            #expect(status.workers.first.map { [$0.done, $0.running, $0.failed] } == [4, 0, 1])
        }
    }
}
