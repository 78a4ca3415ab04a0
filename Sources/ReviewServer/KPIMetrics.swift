import Foundation
import Prometheus
import Tickets

/// The maintenance KPIs (``MaintenanceKPI``) as Prometheus gauges, refreshed from the store at each `GET /metrics`:
///
/// - `pavewatch_lifecycle_hours{stage,quantile}`: hours from first seen to confirmed / dispatched / fixed, median
///   (`0.5`) and 90th percentile (`0.9`); NaN while no ticket got there.
/// - `pavewatch_lifecycle_tickets{stage}`: tickets that reached each stage.
/// - `pavewatch_repairs{outcome}`: tickets ever `fixed`, `verified` by a later survey, `reopened` after a repair.
/// - `pavewatch_reopen_ratio`: reopened / fixed (NaN before any repair).
/// - `pavewatch_backlog_tickets{severity,age}`: open tickets by severity and age band.
public enum KPIMetrics {
    /// Computes the KPIs from `store` and sets the gauges in `registry`.
    public static func update(_ registry: PrometheusCollectorRegistry, from store: any TicketStore, now: Date = Date()) async throws {
        let kpi = MaintenanceKPI(tickets: try await store.tickets(TicketQuery(orderByPriority: false)),
                                 events: try await store.allEvents(), now: now)
        for s in kpi.stages {
            registry.makeGauge(name: "pavewatch_lifecycle_hours", labels: [("stage", s.stage), ("quantile", "0.5")],
                               help: "Hours from first seen to a life-cycle stage.").set(s.medianHours ?? .nan)
            registry.makeGauge(name: "pavewatch_lifecycle_hours", labels: [("stage", s.stage), ("quantile", "0.9")],
                               help: "Hours from first seen to a life-cycle stage.").set(s.p90Hours ?? .nan)
            registry.makeGauge(name: "pavewatch_lifecycle_tickets", labels: [("stage", s.stage)],
                               help: "Tickets that reached a life-cycle stage.").set(Double(s.count))
        }
        for (outcome, n) in [("fixed", kpi.repairsFixed), ("verified", kpi.repairsVerified), ("reopened", kpi.reopened)] {
            registry.makeGauge(name: "pavewatch_repairs", labels: [("outcome", outcome)],
                               help: "Tickets ever fixed, verified by a later survey, or reopened after a repair.").set(Double(n))
        }
        registry.makeGauge(name: "pavewatch_reopen_ratio", help: "Reopened repairs over fixed tickets.").set(kpi.reopenRate ?? .nan)
        for b in kpi.backlog {
            registry.makeGauge(name: "pavewatch_backlog_tickets", labels: [("severity", b.severity.rawValue), ("age", b.age)],
                               help: "Open tickets by severity and age since first seen.").set(Double(b.count))
        }
    }
}
