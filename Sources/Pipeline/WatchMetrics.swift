import Findings
import Prometheus

/// The Prometheus metrics of `pavewatch watch`, registered in a collector registry that a `/metrics`
/// endpoint renders.
///
/// Names (all prefixed `pavewatch_`): `frames_processed_total`, `frames_dropped_total` (live source, queue
/// full), `stage_duration_seconds{stage=decode|inspect|store}` (histogram), `findings_total{class}`,
/// `reported_findings_total{class}` (findings that passed the persistence rule), `tickets_total{change=created|updated}`,
/// `errors_total{kind}`, `queue_depth` (frames waiting), `source_reconnects_total`.
public final class WatchMetrics: Sendable {
    /// The registry the metrics live in.
    public let registry: PrometheusCollectorRegistry
    let framesProcessed: Counter
    let framesDropped: Counter
    let reconnects: Counter
    let queueDepth: Gauge
    let decode: DurationHistogram
    let inspect: DurationHistogram
    let store: DurationHistogram

    /// Buckets of the stage histograms, 1 ms to 30 s.
    public static let stageBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    /// Error kinds counted in `errors_total`.
    public enum ErrorKind: String, Sendable, CaseIterable {
        case decode, inspect, store, source, truncated
    }

    /// Registers the metrics.
    /// - Parameters: registry: where they live (a fresh one by default).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        framesProcessed = registry.makeCounter(descriptor: Self.name("frames_processed", "total",
                                                                     "Frames decoded and inspected."))
        framesDropped = registry.makeCounter(descriptor: Self.name("frames_dropped", "total",
                                                                   "Live frames dropped because processing fell behind."))
        reconnects = registry.makeCounter(descriptor: Self.name("source_reconnects", "total",
                                                                "Reconnections to a stream source."))
        queueDepth = registry.makeGauge(descriptor: Self.name("queue_depth", "frames",
                                                              "Frames received and waiting to be processed."))
        let stage = Self.name("stage_duration", "seconds", "Time per frame in each stage.")
        decode = registry.makeDurationHistogram(descriptor: stage, labels: [("stage", "decode")], buckets: Self.stageBuckets)
        inspect = registry.makeDurationHistogram(descriptor: stage, labels: [("stage", "inspect")], buckets: Self.stageBuckets)
        store = registry.makeDurationHistogram(descriptor: stage, labels: [("stage", "store")], buckets: Self.stageBuckets)
        // Create every labelled series up front so they show (as 0) before the first event.
        for c in DefectClass.allCases {
            _ = findings(c)
            _ = reported(c)
        }
        for k in ErrorKind.allCases { _ = errors(k) }
        _ = tickets("created")
        _ = tickets("updated")
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "pavewatch", metricName: metric, unitName: unit, helpText: help)
    }

    func findings(_ c: DefectClass) -> Counter {
        registry.makeCounter(descriptor: Self.name("findings", "total", "Findings detected, per class."),
                             labels: [("class", c.rawValue)])
    }

    func reported(_ c: DefectClass) -> Counter {
        registry.makeCounter(descriptor: Self.name("reported_findings", "total",
                                                   "Findings that passed the persistence rule and were stored, per class."),
                             labels: [("class", c.rawValue)])
    }

    func tickets(_ change: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("tickets", "total", "Tickets created or updated by watch."),
                             labels: [("change", change)])
    }

    /// Counts an error of a kind.
    public func recordError(_ kind: ErrorKind) { errors(kind).increment() }

    func errors(_ kind: ErrorKind) -> Counter {
        registry.makeCounter(descriptor: Self.name("errors", "total", "Errors, per kind."),
                             labels: [("kind", kind.rawValue)])
    }

    /// Counts a reconnection of a stream source.
    public func recordReconnect() { reconnects.increment() }

    /// Counts frames dropped by a live source.
    public func recordDropped(_ n: Int) { if n > 0 { framesDropped.increment(by: Int64(n)) } }

    /// Sets the queue depth.
    public func setQueueDepth(_ n: Int) { queueDepth.set(to: Double(n)) }

    /// The Prometheus text exposition of every metric in the registry.
    public func render() -> String { registry.emitToString() }
}
