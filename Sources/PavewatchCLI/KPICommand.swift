import ArgumentParser
import Foundation
import Tickets

/// `pavewatch kpi`: life-cycle times, repairs and backlog.
struct KPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kpi",
        abstract: "Maintenance KPIs: time from first seen to confirmed, dispatched, fixed (median, p90); repairs verified by a later survey; reopen rate; backlog by severity and age.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions

    @Flag(help: "One JSON object.")
    var json = false

    @Flag(help: "CSV: metric,severity,age,value.")
    var csv = false

    func validate() throws {
        guard !(json && csv) else { throw ValidationError("give at most one of --json and --csv") }
    }

    func run() async throws {
        let store = try await database.openStore(logger: logging.logger(command: "kpi"))
        let kpi = MaintenanceKPI(tickets: try await store.tickets(TicketQuery(orderByPriority: false)), events: try await store.allEvents())
        if json { return CLIOutput.printJSONLine(kpi) }
        if csv { return print(kpi.csv, terminator: "") }
        CLIOutput.printTable(["stage", "tickets", "median_h", "p90_h"], kpi.stages.map {
            [$0.stage, String($0.count), CLIOutput.num($0.medianHours, "%.1f"), CLIOutput.num($0.p90Hours, "%.1f")]
        })
        print("\nrepairs: \(kpi.repairsFixed) fixed, \(kpi.repairsVerified) verified by a later survey, \(kpi.reopened) reopened"
              + (kpi.reopenRate.map { String(format: " (reopen rate %.0f %%)", $0 * 100) } ?? ""))
        print("open: \(kpi.open) of \(kpi.tickets) tickets\n")
        let bands = MaintenanceKPI.ageBands.map(\.label)
        CLIOutput.printTable(["severity"] + bands, Severity.allCases.reversed().map { s in
            [s.rawValue] + bands.map { b in String(kpi.backlog.first { $0.severity == s && $0.age == b }?.count ?? 0) }
        })
    }
}
