import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import ReviewServer
import Testing
import Tickets

/// The condition map page, the KPI page and the KPI gauges of `/metrics`.
@Suite struct ConditionPagesTests {
    @Test("The condition page maps and lists every sample unit of the survey; the KPI page shows stages and backlog")
    func conditionAndKPIPages() async throws {
        try await withPages { client, fx in
            let s = try await client.login("vera")
            let condition = try await client.page("/condition", s)
            #expect(condition.status == .ok)
            let html = condition.html
            #expect(html.contains("id=\"condition-map\"") && html.contains("<svg") && html.contains("class=\"unit\""))
            #expect(html.contains("Survey north &lt;ring&gt;") && html.contains("id=\"units\""))
            // The crack and the leak lie in a surveyed unit, which rates below 100; the far crack lies in no footprint.
            #expect(html.contains("/tickets/\(fx.crack)") && html.contains("longitudinal-transverse/medium"))
            let asked = try await client.page("/condition?survey=\(fx.surveyId)&threshold=70", s)
            #expect(asked.status == .ok && asked.html.contains("<th>below 70 by</th>"))
            _ = try await fx.store.transition(ticketId: fx.crack, to: .confirmed, actor: "rita", note: nil)
            let kpi = try await client.page("/kpi", s)
            #expect(kpi.status == .ok)
            #expect(kpi.html.contains("id=\"stages\"") && kpi.html.contains("id=\"backlog\"") && kpi.html.contains("Backlog: 3 open of 3"))
            #expect(try await client.page("/kpi").status == .seeOther)  // login first
        }
    }

    @Test("With a tile server the condition map is drawn over its tiles")
    func conditionMapOverTiles() async throws {
        try await withPages(ReviewConfiguration(tileURL: "http://tiles.local/{z}/{x}/{y}.png")) { client, _ in
            let s = try await client.login("vera")
            let html = try await client.page("/condition", s).html
            #expect(html.contains("<image href=\"http://tiles.local/") && html.contains("class=\"unit\""))
        }
    }

    @Test("/metrics carries the maintenance KPIs, read from the store at each request")
    func metricsCarryKPIs() async throws {
        let fx = try await ReviewFixture()
        defer { fx.removeFiles() }
        let app = buildApplication(store: fx.store, open311: Open311Configuration(apiKeys: ["k"]), host: "127.0.0.1", port: 0,
                                   logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                                   metrics: PrometheusCollectorRegistry())
        try await app.test(.router) { client in
            var text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("pavewatch_backlog_tickets{severity=\"medium\",age=\"<7d\"}"))
            #expect(text.contains("pavewatch_lifecycle_tickets{stage=\"confirmed\"} 0"))
            _ = try await fx.store.transition(ticketId: fx.crack, to: .confirmed, actor: "rita", note: nil)
            text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains("pavewatch_lifecycle_tickets{stage=\"confirmed\"} 1"))
            #expect(text.contains("pavewatch_repairs{outcome=\"fixed\"} 0"))
        }
    }
}
