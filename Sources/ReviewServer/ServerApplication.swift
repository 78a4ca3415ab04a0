import Hummingbird
import Logging
import NIOCore
import Prometheus
import Tickets

/// Builds the `pavewatch serve` router: the Open311 GeoReport v2 endpoints and the review pages (``ReviewRoutes``),
/// wired explicitly (the store type says the pages have their users and sessions; no runtime check drops them). HEAD is answered wherever GET is; unknown paths under
/// `/open311` get the GeoReport error list.
/// - Parameters:
///   - store: the ticket store with the review pages' users and sessions.
///   - open311: API keys and limits.
///   - metrics: when given, requests are counted into it and `GET /metrics` renders it.
///   - review: settings of the review pages.
public func buildRouter(store: any ReviewStore, open311: Open311Configuration,
                        metrics: PrometheusCollectorRegistry? = nil,
                        review: ReviewConfiguration = ReviewConfiguration()) -> Router<ServerRequestContext> {
    // HEAD is answered wherever GET is, with the same headers and no body.
    let router = Router(context: ServerRequestContext.self, options: .autoGenerateHeadEndpoints)
    if let metrics {
        router.add(middleware: HTTPMetricsMiddleware(registry: metrics))
        router.addMetricsRoute(metrics) { try await KPIMetrics.update(metrics, from: store) }
    }
    router.get("health") { _, _ in "ok" }
    Open311Routes<ServerRequestContext>(store: store, configuration: open311).register(on: router)
    registerReviewPages(on: router, store: store, configuration: review)
    return router
}

/// Builds the `pavewatch serve` application.
/// - Parameters:
///   - store: the ticket store.
///   - open311: API keys and limits.
///   - review: settings of the review pages.
///   - host: address to bind, e.g. `127.0.0.1`.
///   - port: port to bind; 0 picks a free one (reported to `onServerRunning`).
///   - logger: the server's logger.
///   - metrics: when given, requests are counted into it and `GET /metrics` renders it.
///   - idleTimeout: how long a connection may go without a whole request head, body part or response before
///     it is closed. It bounds the time to send the request headers, so connections that dribble a header
///     line now and then (slow-loris) do not stay open; `nil` leaves connections open.
///   - onServerRunning: called with the listening channel.
public func buildApplication(store: any ReviewStore, open311: Open311Configuration,
                             review: ReviewConfiguration = ReviewConfiguration(), host: String, port: Int,
                             logger: Logger, metrics: PrometheusCollectorRegistry? = nil,
                             idleTimeout: Duration? = .seconds(30),
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    -> some ApplicationProtocol {
    Application(router: buildRouter(store: store, open311: open311, metrics: metrics, review: review),
                server: .http1(configuration: .init(idleTimeout: idleTimeout.map { TimeAmount($0) })),
                configuration: .init(address: .hostname(host, port: port), serverName: "pavewatch"),
                onServerRunning: onServerRunning, logger: logger)
}
