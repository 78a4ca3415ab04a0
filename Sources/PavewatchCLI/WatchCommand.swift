import ArgumentParser
import AsyncHTTPClient
import Dispatch
import Foundation
import Geo
import Hummingbird
import Logging
import Pipeline
import ReviewServer
import Tickets

/// `pavewatch watch SOURCE`: inspects a continuous camera feed and raises a ticket per persistent defect.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a camera feed (folder, MJPEG URL, or - for JPEGs on standard input) and ticket persistent defects.",
        discussion: """
        SOURCE is a folder that receives frames (files still being written are waited for), an http(s) URL of an \
        MJPEG stream (reconnected with backoff when the camera drops), or - for concatenated JPEGs on standard \
        input, e.g. `ffmpeg -i rtsp://camera/stream -f image2pipe -c:v mjpeg - | pavewatch watch -`.
        A defect becomes a ticket when it is seen in --persist of the last --window frames at the same place; \
        with --camera (fixed-camera YAML with ground control points) findings get positions, so a defect seen \
        again updates its ticket. SIGINT / SIGTERM finish the frames received, then exit 0.
        """)

    @Argument(help: "Folder, http(s)://... MJPEG URL, or - for standard input.")
    var source: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "Fixed-camera YAML (name, gcp_accuracy_m, control_points) for ground positions.")
    var camera: String?

    @Option(help: "Sightings needed (N of the last --window frames).")
    var persist = 3

    @Option(help: "Frames the persistence rule looks back over (M, at most 64).")
    var window = 5

    @Option(name: .customLong("min-iou"), help: "Least pixel-box overlap (IoU) for two sightings to be the same place.")
    var minimumIoU = 0.3

    @Option(name: .customLong("resight-every"),
            help: "Report a confirmed defect again after this many further sightings (0: never; needs --camera).")
    var resightEvery = 300

    @Option(help: "Survey name the frames are stored under (default: watch:SOURCE).")
    var name: String?

    @Option(name: .customLong("metrics-port"), help: "Serve Prometheus metrics on this port (0: any free port).")
    var metricsPort: Int?

    @Option(name: .customLong("metrics-host"), help: "Address the metrics server binds.")
    var metricsHost = "127.0.0.1"

    @Option(help: "Frames received and waiting, at most.")
    var buffer = 4

    @Option(help: "Seconds between polls of a folder.")
    var poll = 0.25

    @Option(help: "Inspector: detector (trained model), dark-regions (simple threshold, for trying the pipeline).")
    var inspector: InspectorKind = .detector

    func validate() throws {
        guard (1...64).contains(window) else { throw ValidationError("--window must be 1...64") }
        guard (1...window).contains(persist) else { throw ValidationError("--persist must be 1...--window") }
        guard (0...1).contains(minimumIoU) else { throw ValidationError("--min-iou must be 0...1") }
        guard resightEvery >= 0 else { throw ValidationError("--resight-every must be ≥ 0") }
        guard buffer >= 1 else { throw ValidationError("--buffer must be ≥ 1") }
        guard poll > 0 else { throw ValidationError("--poll must be > 0") }
        if let p = metricsPort, !(0...65535).contains(p) { throw ValidationError("--metrics-port must be 0...65535") }
    }

    func run() async throws {
        let logger = logging.logger(command: "watch")
        let inspector = try makeInspector(self.inspector)
        let fixedCamera: FixedCamera? = try camera.map { path in
            let yaml = try String(contentsOfFile: path, encoding: .utf8)
            do { return try FixedCamera.load(yaml: yaml) } catch { throw CommandFailure("\(path): \(error)") }
        }
        if fixedCamera == nil {
            logger.notice("no --camera: findings have no position, so a defect that leaves and comes back makes a new ticket")
        }
        let store = try await database.openStore(logger: logger)
        let metrics = WatchMetrics()
        let isLive = source.hasPrefix("http://") || source.hasPrefix("https://")
        let options = WatchOptions(surveyName: name ?? "watch:\(source)", persistence: persist, window: window,
                                   minimumIoU: minimumIoU, resightEvery: resightEvery, queueCapacity: buffer,
                                   dropWhenBehind: isLive)
        let runner = WatchRunner(store: store, inspector: inspector, camera: fixedCamera, options: options,
                                 metrics: metrics, logger: logger)

        // SIGINT / SIGTERM: stop reading, finish what was received, exit 0.
        let signals = [SIGINT, SIGTERM].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                logger.notice("signal received, finishing frames in flight", metadata: ["signal": "\(sig)"])
                runner.stop()
            }
            s.resume()
            return s
        }
        defer { signals.forEach { $0.cancel() } }

        var client: HTTPClient?
        let summary: WatchSummary
        do {
            summary = try await withThrowingTaskGroup(of: WatchSummary?.self) { group in
                if let port = metricsPort {
                    let app = buildMetricsApplication(registry: metrics.registry, host: metricsHost, port: port,
                                                      logger: logger) { channel in
                        if let addr = channel.localAddress, let port = addr.port {
                            logger.notice("metrics on http://\(addr.ipAddress ?? metricsHost):\(port)/metrics")
                        }
                    }
                    group.addTask {
                        try await app.run()
                        return nil
                    }
                }
                let result: WatchSummary
                if source == "-" {
                    result = try await runner.run(source: FileDescriptorFrameSource(fileDescriptor: 0, metrics: metrics,
                                                                                    logger: logger))
                } else if isLive {
                    var config = HTTPClient.Configuration()
                    config.timeout = .init(connect: .seconds(5), read: .seconds(15))
                    let c = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
                    client = c
                    result = try await runner.run(source: MJPEGFrameSource(url: source, client: c, metrics: metrics,
                                                                           logger: logger))
                } else {
                    let folder = try FolderFrameSource(folder: source, pollInterval: .milliseconds(Int(poll * 1000)),
                                                       logger: logger)
                    result = try await runner.run(source: folder)
                }
                group.cancelAll()
                return result
            }
        } catch {
            try? await client?.shutdown()
            throw error
        }
        try? await client?.shutdown()
        print("pavewatch: watched \(summary.framesReceived) frames (\(summary.framesFailed) failed, "
              + "\(summary.framesDropped) dropped): \(summary.findings) findings, \(summary.findingsReported) reported, "
              + "\(summary.ticketsCreated) tickets created, \(summary.ticketsUpdated) updated")
    }
}
