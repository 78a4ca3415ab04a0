import Foundation

/// Runs the built `pavewatch` executable as a child process.
enum CLIProcess {
    /// The `pavewatch` executable in the build folder of the running tests.
    static func binary() -> URL? {
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

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pw-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Starts `binary args`, standard output and error into `log`.
    static func start(_ binary: URL, _ args: [String], log: URL, environment: [String: String] = [:]) throws -> Process {
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
    static func wait(_ p: Process, seconds: Double) async throws {
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
    static func run(_ binary: URL, _ args: [String], in dir: URL) async throws -> (Int32, String) {
        let log = dir.appendingPathComponent("run-\(UUID().uuidString).log")
        let p = try start(binary, args, log: log)
        try await wait(p, seconds: 60)
        return (p.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
