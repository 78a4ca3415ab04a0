import Foundation

/// A throw-away PostgreSQL cluster for tests: Debian's `postgresql` binaries (`/usr/lib/postgresql/*/bin`,
/// installed by `scripts/setup`), a data folder in a temporary directory, a free loopback port, trust
/// authentication for the user `pavewatch`.
///
/// PostgreSQL refuses to run as root, so under root (as CI runs) the server runs as the `postgres` system
/// user that the Debian package creates, through `runuser`. A watchdog shell stops the server and removes
/// the folder once the test process has gone, however it ended (the tests have no global teardown).
public final class TemporaryPostgres: Sendable {
    /// Loopback port.
    public let port: Int
    /// The data folder's parent (removed at the end).
    public let directory: URL
    let bin: URL
    let runAs: [String]

    /// Errors starting the cluster.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong and what to do.
        public var description: String
    }

    /// The cluster every test of this process shares (each test makes its own database in it).
    public static func shared() async throws -> TemporaryPostgres {
        try await Shared.instance.get()
    }

    private actor Shared {
        static let instance = Shared()
        var cluster: Result<TemporaryPostgres, Failure>?
        /// Starts the cluster on first use; a failure is kept, so that every later test fails at once.
        func get() throws(Failure) -> TemporaryPostgres {
            if let cluster { return try cluster.get() }
            let c: Result<TemporaryPostgres, Failure>
            do {
                c = .success(try TemporaryPostgres())
            } catch let e as Failure {
                c = .failure(e)
            } catch {
                c = .failure(Failure(description: "\(error)"))
            }
            cluster = c
            return try c.get()
        }
    }

    /// Creates and starts a new cluster (a few seconds).
    /// - Throws: ``Failure`` when the binaries are missing or the server does not start.
    public init() throws {
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted()
        guard let version = versions.last else {
            throw Failure(description: "no PostgreSQL server in /usr/lib/postgresql: run scripts/setup (it installs Debian's postgresql package)")
        }
        bin = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
        // Under root the server's user must reach the folder: /tmp, whatever TMPDIR says.
        let parent = getuid() == 0 ? URL(fileURLWithPath: "/tmp") : fm.temporaryDirectory
        directory = parent.appendingPathComponent("pw-pg-\(UUID().uuidString)")
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            runAs = ["/usr/sbin/runuser", "-u", "postgres", "--"]
            _ = try Self.run(["/bin/chown", "postgres:", directory.path])
        } else {
            runAs = []
        }
        let data = directory.appendingPathComponent("data").path
        _ = try Self.run(runAs + [bin.appendingPathComponent("initdb").path, "-D", data, "-U", "pavewatch",
                                  "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"])
        // A random high port; another one when it is taken (pg_ctl then fails at once).
        var lastError: (any Error)?
        var chosen: Int?
        for _ in 0..<8 where chosen == nil {
            let candidate = Int.random(in: 20000..<60000)
            do {
                try Self.start(runAs: runAs, bin: bin, directory: directory, port: candidate)
                chosen = candidate
            } catch {
                lastError = error
            }
        }
        guard let chosen else { throw lastError ?? Failure(description: "the PostgreSQL server did not start") }
        port = chosen
        // The watchdog: once this process is gone, stop the server and remove the folder.
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", "pid=$1; shift; while kill -0 $pid 2>/dev/null; do sleep 1; done; \"$@\" >/dev/null 2>&1; rm -rf \"$0\"",
                              directory.path, "\(getpid())"] + runAs
            + [bin.appendingPathComponent("pg_ctl").path, "-D", data, "stop", "-m", "immediate"]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        watchdog.standardInput = FileHandle.nullDevice
        try watchdog.run()
    }

    /// Starts the server (waits up to 30 s until it accepts connections).
    public func start() throws {
        try Self.start(runAs: runAs, bin: bin, directory: directory, port: port)
    }

    static func start(runAs: [String], bin: URL, directory: URL, port: Int) throws {
        let data = directory.appendingPathComponent("data").path
        _ = try Self.run(runAs + [bin.appendingPathComponent("pg_ctl").path, "-D", data, "-w", "-t", "30",
                                  "-l", directory.appendingPathComponent("server.log").path,
                                  "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
                                  "start"])
    }

    /// Stops the server at once (`immediate`: like a crash, connections are cut).
    public func stop() throws {
        _ = try Self.run(runAs + [bin.appendingPathComponent("pg_ctl").path, "-D", directory.appendingPathComponent("data").path,
                                  "-w", "-t", "30", "stop", "-m", "immediate"])
    }

    /// Creates a new, empty database and returns its URL.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        _ = try Self.run([bin.appendingPathComponent("createdb").path, "-h", "127.0.0.1", "-p", "\(port)", "-U", "pavewatch", name])
        return "postgres://pavewatch@127.0.0.1:\(port)/\(name)"
    }

    /// Runs SQL in database `url` with `psql` (a separate client, not the store under test) and returns what it
    /// printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ url: String, _ sql: String) throws -> String {
        try Self.run([bin.appendingPathComponent("psql").path, url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
    }

    /// Starts `psql` running `sql` in database `url` in the background (a session that holds locks while it
    /// sleeps, say); terminate the process to end the session.
    public func psqlSession(_ url: String, _ sql: String) throws -> Process {
        let p = Process()
        p.executableURL = bin.appendingPathComponent("psql")
        p.arguments = [url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql]
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs a command to completion (60 s at most), returning its output; a non-zero exit throws with it.
    @discardableResult
    static func run(_ command: [String]) throws -> String {
        // The shell writes the exit status to a file, which is polled: a child's exit is then seen even
        // where Foundation's `Process.isRunning` is slow to notice it (pg_ctl leaves a daemon behind).
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pw-pg-cmd-\(UUID().uuidString)")
        let log = base.appendingPathExtension("log"), status = base.appendingPathExtension("status")
        defer {
            try? FileManager.default.removeItem(at: log)
            try? FileManager.default.removeItem(at: status)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "log=$1; status=$2; shift 2; \"$@\" >\"$log\" 2>&1 </dev/null; echo $? >\"$status.tmp\"; mv \"$status.tmp\" \"$status\"",
                       "sh", log.path, status.path] + command
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        var code: Int32?
        while code == nil {
            if let text = try? String(contentsOf: status, encoding: .utf8) {
                code = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                break
            }
            if Date() > deadline {
                p.terminate()
                throw Failure(description: "\(command.joined(separator: " ")) took more than 60 s")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let data = (try? Data(contentsOf: log)) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        guard code == 0 else {
            throw Failure(description: "\(command.joined(separator: " ")) failed (\(code ?? -1)): \(text)")
        }
        return text
    }
}
