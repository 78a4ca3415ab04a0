/// A command that could not do its work although its command line was right: a frame that does not decode, a
/// model or configuration file that cannot be read, a ticket that does not exist. ArgumentParser prints
/// `Error: <message>` without the usage text and exits with status 1. A wrong command line stays a
/// `ValidationError` (exit status 64, with the usage).
struct CommandFailure: Error, CustomStringConvertible, Equatable {
    /// What went wrong, naming the file or record.
    var message: String

    /// - Parameters: message: what went wrong, naming the file or record.
    init(_ message: String) { self.message = message }

    var description: String { message }
}
