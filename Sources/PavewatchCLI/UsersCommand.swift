import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ReviewServer
import Tickets

/// `pavewatch users add NAME --role R` and `pavewatch users list`: accounts of the review pages.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the users of the review pages.",
        subcommands: [Add.self, List.self])

    /// `pavewatch users add NAME --role viewer|reviewer|admin`; the password comes from standard input (first
    /// line) or, on a terminal, from a prompt without echo. It is never taken from the command line.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a user (or set the role and password of an existing one).",
            discussion: "The password is read from standard input (first line), or prompted for on a terminal.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        @Argument(help: "Login name (letters, digits, . _ -; at most 64).")
        var name: String

        @Option(help: "viewer, reviewer or admin.")
        var role: UserRole = .viewer

        @Option(help: ArgumentHelp("bcrypt cost (log2 rounds).", visibility: .hidden))
        var cost: UInt8 = PasswordHash.defaultCost

        func validate() throws {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
            guard !name.isEmpty, name.count <= 64, name.allSatisfy(allowed.contains) else {
                throw ValidationError("NAME must be 1 to 64 letters, digits, '.', '_' or '-'")
            }
            guard (4...31).contains(cost) else { throw ValidationError("--cost must be 4...31") }
        }

        func run() async throws {
            let password = try Self.readPassword()
            guard password.count >= 8 else { throw ValidationError("the password must have at least 8 characters") }
            guard password.utf8.count <= 72 else { throw ValidationError("the password must have at most 72 bytes (bcrypt)") }
            let store = try await database.openReviewStore(logger: logging.logger(command: "users"))
            try await store.saveUser(UserAccount(name: name, role: role, passwordHash: PasswordHash.make(password, cost: cost)))
            print("pavewatch: user \(name) (\(role.rawValue)) saved")
        }

        static func readPassword() throws -> String {
            if isatty(0) == 1 {
                guard let p = getpass("Password: ") else { throw ValidationError("no password given") }
                let first = String(cString: p)
                guard let q = getpass("Again: "), String(cString: q) == first else {
                    throw ValidationError("the passwords differ")
                }
                return first
            }
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("no password on standard input") }
            return line
        }
    }

    /// `pavewatch users list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users and roles.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let store = try await database.openReviewStore(logger: logging.logger(command: "users"))
            for u in try await store.users() { print("\(u.name)\t\(u.role.rawValue)") }
        }
    }
}

extension UserRole: ExpressibleByArgument {}
