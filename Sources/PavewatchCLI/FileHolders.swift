import Foundation

/// Which processes hold a file open (Linux: `/proc/PID/fd`), so that "database is locked" can say who holds it.
enum FileHolders {
    /// `pid (command)` of every other process with `path` (or its `-wal` / `-shm` companions) open; empty where
    /// `/proc` cannot be read.
    static func describe(_ path: String) -> [String] {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let names: Set<String> = [target, target + "-wal", target + "-shm", target + "-journal"]
        let me = ProcessInfo.processInfo.processIdentifier
        guard let pids = try? fm.contentsOfDirectory(atPath: "/proc") else { return [] }
        var out: [String] = []
        for pid in pids.compactMap(Int32.init) where pid != me {
            guard let fds = try? fm.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { continue }
            let holds = fds.contains { fd in
                (try? fm.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")).map(names.contains) ?? false
            }
            guard holds else { continue }
            let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            out.append("pid \(pid) (\(command))")
        }
        return out
    }
}
