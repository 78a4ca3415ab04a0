import Hummingbird
import Logging
import NIOCore
import Prometheus

/// Counts the server's requests into a Prometheus registry: `pavewatch_http_requests_total{method,status}`
/// and the histogram `pavewatch_http_request_duration_seconds`.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    let duration: DurationHistogram

    /// - Parameters: registry: where the metrics go.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        duration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "pavewatch", metricName: "http_request_duration",
                                             unitName: "seconds", helpText: "Time to answer an HTTP request."),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                      .milliseconds(500), .seconds(2), .seconds(10)])
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await next(request, context)
            record(request, status: Int(response.status.code), elapsed: clock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, status: Int(status), elapsed: clock.now - start)
            throw error
        }
    }

    func record(_ request: Request, status: Int, elapsed: Duration) {
        duration.record(elapsed)
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "pavewatch", metricName: "http_requests", unitName: "total",
                                             helpText: "HTTP requests answered, per method and status."),
            labels: [("method", request.method.rawValue), ("status", String(status))]).increment()
    }
}

extension Router {
    /// Adds `GET /metrics`: the registry in the Prometheus text format.
    /// - Parameters: registry: the metrics to render; refresh: called before each rendering (to update gauges).
    public func addMetricsRoute(_ registry: PrometheusCollectorRegistry, refresh: (@Sendable () async throws -> Void)? = nil) {
        get("metrics") { _, _ -> Response in
            try await refresh?()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}

/// A server that only answers `GET /metrics` (and `GET /health`), for `pavewatch watch --metrics-port`.
/// - Parameters:
///   - registry: the metrics to render.
///   - host: address to bind; port: port to bind (0: any free port, reported to `onServerRunning`).
///   - logger: the server's logger.
///   - onServerRunning: called with the listening channel.
public func buildMetricsApplication(registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger,
                                    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.get("health") { _, _ in "ok" }
    router.addMetricsRoute(registry)
    return Application(router: router,
                       configuration: .init(address: .hostname(host, port: port), serverName: "pavewatch-metrics"),
                       onServerRunning: onServerRunning, logger: logger)
}
