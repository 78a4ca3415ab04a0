import ArgumentParser
import Foundation
import Tickets

/// `pavewatch forecast`: when tickets turn worse and when units fall below a condition threshold.
struct ForecastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Forecast from growth between surveys: when each ticket crosses into its next severity, and when each unit's condition index falls below --threshold.",
        discussion: """
        A straight line through each ticket's width (cracks) or area (leaks) per survey, and through each unit's index \
        per survey; earliest/latest are the dates with the growth one standard error faster/slower (10 % measurement \
        error, at least 1 mm or 0.05 m²; 5 index points). Fewer than two surveys on different days: no forecast.
        """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var units: ConditionOptions

    @Option(help: "Condition index below which a unit needs work (default 55: the bottom of 'fair').")
    var threshold: Double = 55

    @Flag(help: "JSON lines: one object per ticket ({\"ticket\": ...}) then per unit ({\"unit\": ...}).")
    var json = false

    func run() async throws {
        let store = try await database.openReviewStore(logger: logging.logger(command: "forecast"))
        let (history, assessment) = try await units.assess(store)
        let tickets = Forecast.tickets(history)
        let trends = Forecast.units(assessment, threshold: threshold)
        if json {
            for t in tickets { CLIOutput.printJSONLine(["ticket": t]) }
            for u in trends { CLIOutput.printJSONLine(["unit": u]) }
            return
        }
        CLIOutput.printTable(["ticket", "measure", "severity", "surveys", "current", "growth_per_year", "next", "date", "earliest", "latest", "note"],
                             tickets.map { f in
                                 [String(f.ticketId), f.measure, f.severity.rawValue, String(f.surveys), CLIOutput.num(f.current, "%.2f"),
                                  f.growthPerYear.map { String(format: "%+.2f±%.2f", $0, f.growthErrorPerYear ?? 0) } ?? "-",
                                  f.nextSeverity?.rawValue ?? "-", CLIOutput.day(f.date), CLIOutput.day(f.earliest), CLIOutput.day(f.latest), f.note]
                             })
        print("")
        CLIOutput.printTable(["segment", "name", "surveys", "index", "change_per_year", "below_\(Int(threshold))", "earliest", "latest", "note"],
                             trends.map { u in
                                 [u.segment, u.name ?? "", String(u.surveys), CLIOutput.num(u.conditionIndex, "%.1f"),
                                  u.changePerYear.map { String(format: "%+.1f±%.1f", $0, u.changeErrorPerYear ?? 0) } ?? "-",
                                  CLIOutput.day(u.date), CLIOutput.day(u.earliest), CLIOutput.day(u.latest), u.note]
                             })
    }
}
