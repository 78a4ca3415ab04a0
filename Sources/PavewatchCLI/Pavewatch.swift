import ArgumentParser

/// The `pavewatch` command tree. Each subcommand lives in its own file.
public struct Pavewatch: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pavewatch",
        abstract: "Find pavement cracks and water leaks in drone and camera imagery.",
        discussion: """
        Environment: PAVEWATCH_DB (ticket database path or postgres:// URL).
        See README.md for a walk through the demo survey.
        """,
        version: "0.1.0",
        subcommands: [
            InfoCommand.self,
            SurveyGroup.self,
            WorkerCommand.self,
            ImportCommand.self,
            TicketsCommand.self,
            TicketCommand.self,
            ExportCommand.self,
            ConditionCommand.self,
            ForecastCommand.self,
            PlanCommand.self,
            KPICommand.self,
            ServeCommand.self,
            UsersCommand.self,
            ForwardCommand.self,
            TrainCommand.self,
            EvaluateCommand.self,
            WatchCommand.self,
            InspectCommand.self,
        ]
    )

    public init() {}
}
