import ArgumentParser
import Foundation
import Tickets

/// `pavewatch plan --budget ...`: what to fix first.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "A ranked maintenance plan: open tickets by urgency (priority, plus up to 20 for turning worse within a year) while the budget lasts.",
        discussion: """
        --budget 25 takes 25 tickets; --budget 120m takes linear cracks up to 120 metres (crack sealing); \
        --budget 40m2 takes leaks, alligator and block cracking up to 40 square metres (patching).
        """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: ArgumentHelp("N tickets, N m of crack, or N m2 of area defects.", valueName: "N|Nm|Nm2"))
    var budget: String

    @Flag(help: "One JSON object per planned repair.")
    var json = false

    @Flag(help: "CSV with a header.")
    var csv = false

    func validate() throws {
        guard MaintenancePlan.Budget(budget) != nil else { throw ValidationError("--budget: give N, Nm or Nm2 (e.g. 20, 150m, 40m2)") }
        guard !(json && csv) else { throw ValidationError("give at most one of --json and --csv") }
    }

    func run() async throws {
        let store = try await database.openReviewStore(logger: logging.logger(command: "plan"))
        let history = try await SurveyHistory.load(from: store)
        let plan = MaintenancePlan(tickets: history.tickets, forecasts: Forecast.tickets(history), budget: MaintenancePlan.Budget(budget)!)
        if json {
            for item in plan.items { CLIOutput.printJSONLine(item) }
            return
        }
        let header = ["rank", "ticket", "kind", "severity", "status", "priority", "urgency", "cost_\(plan.budget.unit)",
                      "cumulative", "worse_by", "lat", "lon"]
        let rows = plan.items.map { i in
            [String(i.rank), String(i.ticketId), i.kind, i.severity.rawValue, i.status.rawValue, String(format: "%.1f", i.priority),
             String(format: "%.1f", i.urgency), String(format: "%.2f", i.cost), String(format: "%.2f", i.cumulative),
             CLIOutput.day(i.nextSeverityBy), CLIOutput.num(i.latitude, "%.6f"), CLIOutput.num(i.longitude, "%.6f")]
        }
        if csv {
            print(([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n"))
            return
        }
        CLIOutput.printTable(header, rows)
        print("budget left: \(String(format: "%.2f", plan.left)) \(plan.budget.unit); \(plan.deferred) open ticket(s) did not fit")
    }
}
