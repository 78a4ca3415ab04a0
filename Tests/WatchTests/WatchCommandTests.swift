import Foundation
import TestSupport
import Hummingbird
import HummingbirdTesting
import PavewatchCLI
import Pipeline
import Prometheus
import ReviewServer
import Testing
import Tickets

@Suite("pavewatch watch and /metrics")
struct WatchCommandTests {
    /// The `pavewatch` executable built beside the test bundle.
    static func executable() throws -> URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .map(URL.init(fileURLWithPath:)) ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("pavewatch")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw TimeoutError()
    }

    @Test("SIGTERM: the frames received are finished and stored, exit status 0")
    func sigterm() async throws {
        let dir = try WatchFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let frames = dir.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        for i in 0..<12 {
            try Data(try WatchFixtures.frame(i, blobs: [(4 + 4 * (i % 6), 10, 6)]))
                .write(to: frames.appendingPathComponent(String(format: "f%03d.jpg", i)))
        }
        let db = dir.appendingPathComponent("t.sqlite").path
        let log = dir.appendingPathComponent("watch.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let out = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = try Self.executable()
        p.arguments = ["watch", frames.path, "--db", db, "--inspector", "dark-regions", "--persist", "1",
                       "--window", "1", "--poll", "0.02", "--buffer", "4", "--log-level", "info"]
        p.standardOutput = out
        p.standardError = out
        try p.run()
        // Wait for the first stored defect, then terminate while frames are still queued.
        // Generous deadlines: CI machines are slow and shared; reading a running Process's status would trap.
        let deadline = Date().addingTimeInterval(120)
        while !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("defect reported") {
            guard p.isRunning, Date() < deadline else { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        p.terminate()  // SIGTERM
        let exitDeadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < exitDeadline { try await Task.sleep(for: .milliseconds(10)) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            try? await CLIProcess.wait(p, seconds: 10)
            Issue.record("pavewatch watch did not exit within 120 s of SIGTERM")
            return
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("signal received"))
        // Every frame it received was processed and stored before it exited.
        let line = try #require(text.split(separator: "\n").first { $0.contains("pavewatch: watched") })
        let received = try #require(Int(line.split(separator: " ")[2]))
        let store = try SQLiteTicketStore(path: db)
        let stored = try await store.frames().count
        #expect(received >= 1)
        #expect(stored == received, "\(text)")
    }

    @Test("watch metrics in the Prometheus text format")
    func metricsText() throws {
        let m = WatchMetrics()
        m.recordError(.decode)
        m.recordDropped(3)
        m.setQueueDepth(2)
        let text = m.render()
        for needle in ["pavewatch_frames_processed_total 0", "pavewatch_frames_dropped_total 3",
                       "pavewatch_errors_total{kind=\"decode\"} 1", "pavewatch_errors_total{kind=\"store\"} 0",
                       "pavewatch_queue_depth_frames 2", "pavewatch_findings_total{class=\"crack\"} 0",
                       "# TYPE pavewatch_stage_duration_seconds histogram",
                       "pavewatch_stage_duration_seconds_bucket{stage=\"inspect\",le=\"0.1\"} 0"] {
            #expect(text.contains(needle), "\(needle)")
        }
    }

    @Test("serve: /metrics counts the requests answered")
    func serveMetrics() async throws {
        let registry = PrometheusCollectorRegistry()
        let router = buildRouter(store: try SQLiteTicketStore.inMemory(), open311: Open311Configuration(apiKeys: []),
                                 metrics: registry)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/nowhere", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains("pavewatch_http_requests_total{method=\"GET\",status=\"200\"} 1"))
                #expect(text.contains("pavewatch_http_requests_total{method=\"GET\",status=\"404\"} 1"))
            }
        }
    }

    @Test("watch --metrics-port: the metrics application renders the watch registry")
    func watchMetricsApplication() async throws {
        let metrics = WatchMetrics()
        metrics.recordReconnect()
        let app = buildMetricsApplication(registry: metrics.registry, host: "127.0.0.1", port: 0,
                                          logger: WatchFixtures.logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("pavewatch_source_reconnects_total 1"))
            }
        }
    }

    @Test("watch options are checked", arguments: [
        (["watch", "-", "--persist", "6", "--window", "5"], false),
        (["watch", "-", "--window", "65"], false),
        (["watch", "-", "--min-iou", "1.5"], false),
        (["watch", "-", "--inspector", "nope"], false),
        (["watch", "-", "--log-level", "loud"], false),
        (["watch", "http://cam/stream.mjpg", "--persist", "2", "--window", "4", "--log-level", "debug",
          "--metrics-port", "9464", "--inspector", "dark-regions"], true),
        (["serve", "--log-level", "warning"], true),
    ])
    func parsing(arguments: [String], valid: Bool) {
        if valid {
            #expect(throws: Never.self) { _ = try Pavewatch.parseAsRoot(arguments) }
        } else {
            #expect(throws: (any Error).self) { _ = try Pavewatch.parseAsRoot(arguments) }
        }
    }
}
