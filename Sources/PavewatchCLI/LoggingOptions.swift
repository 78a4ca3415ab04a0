import ArgumentParser
import Logging

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--log-level`, shared by the long-running commands (`survey`, `watch`, `serve`, `worker`) and every command that
/// opens a store (its logger goes to the PostgreSQL client). Logs go to standard error as
/// `timestamp level label: [key=value ...] message` lines (swift-log's stream handler).
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"),
            help: "Least severity logged: trace, debug, info, notice, warning, error, critical.")
    var level: Logger.Level = .info

    /// The task's logger at the chosen level, tagged with the command's name.
    func logger(command: String) -> Logger {
        var logger = Logger.current
        logger.logLevel = level
        logger[metadataKey: "command"] = "\(command)"
        return logger
    }
}
