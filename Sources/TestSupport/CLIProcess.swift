import Foundation

/// Runs the built `pavewatch` executable as a child process (for end-to-end tests).
public enum CLIProcess {
    /// The `pavewatch` executable in the build folder of the running tests.
    public static func binary() -> URL? {
        var starts: [URL] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: exe))
        }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        for start in starts {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let c = dir.appendingPathComponent("pavewatch")
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), !isDir.boolValue,
                   FileManager.default.isExecutableFile(atPath: c.path) {
                    return c
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    public static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The pavewatch executable is not beside the tests (it is built with them: `swift build --build-tests`).
    public struct MissingExecutable: Error, CustomStringConvertible {
        public var description: String { "the pavewatch executable must be built next to the tests" }
    }

    /// Runs `body` with the pavewatch executable and a fresh temporary folder, which is removed afterwards (the set-up
    /// of every command-line test).
    /// - Throws: ``MissingExecutable``; `body`'s errors.
    public static func withWorkFolder<T>(_ body: (_ binary: URL, _ work: URL) async throws -> T) async throws -> T {
        guard let binary = binary() else { throw MissingExecutable() }
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        return try await body(binary, work)
    }

    /// Starts `binary args`, standard output and error into `log`.
    public static func start(_ binary: URL, _ args: [String], log: URL, environment: [String: String] = [:]) throws -> Process {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.standardOutput = handle
        p.standardError = handle
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PAVEWATCH_DB")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        try p.run()
        return p
    }

    /// Waits for `p` to exit, killing it after `seconds`.
    public static func wait(_ p: Process, seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning {
            if Date() > deadline {
                p.terminate()
                throw TimeoutError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `binary args` to completion and returns its exit status and output.
    public static func run(_ binary: URL, _ args: [String], in dir: URL) async throws -> (Int32, String) {
        let log = dir.appendingPathComponent("run-\(UUID().uuidString).log")
        let p = try start(binary, args, log: log)
        try await wait(p, seconds: 60)
        return (p.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}

/// A wait in a test ran out of time.
public struct TimeoutError: Error {
    public init() {}
}
