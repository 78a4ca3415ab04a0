import Foundation

/// Progress of a long run on standard error: a redrawn bar on a terminal, plain periodic lines otherwise.
///
/// Thread-safe; `advance` may be called from any task.
public final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let label: String
    private let isTerminal: Bool
    private let enabled: Bool
    private let start = Date()
    private var done = 0
    private var failed = 0
    private var findings = 0
    private var note: String?
    private var lastDraw = Date.distantPast
    private let interval: TimeInterval

    /// - Parameters: total: units of work expected; label: what a unit is ("frames"); enabled: false to stay silent;
    ///   plainInterval: seconds between plain lines when standard error is not a terminal.
    public init(total: Int, label: String = "frames", enabled: Bool = true, plainInterval: TimeInterval = 5) {
        self.total = total
        self.label = label
        self.enabled = enabled
        self.isTerminal = isatty(2) == 1
        self.interval = isatty(2) == 1 ? 0.1 : plainInterval
    }

    /// Records finished units.
    /// - Parameters: frames: units done; failures: of which failed; newFindings: findings they produced.
    public func advance(frames: Int = 1, failures: Int = 0, newFindings: Int = 0) {
        lock.lock()
        done += frames
        failed += failures
        findings += newFindings
        let now = Date()
        let draw = enabled && (now.timeIntervalSince(lastDraw) >= interval || done == total)
        if draw { lastDraw = now }
        let line = draw ? render(now: now) : nil
        lock.unlock()
        if let line { write(line) }
    }

    /// Sets a note shown after the counts (a video's time: `video 1m02s/3m10s`), nil to clear it.
    public func setNote(_ text: String?) {
        lock.lock()
        note = text
        lock.unlock()
    }

    /// Ends the bar (a newline on a terminal).
    public func finish() {
        guard enabled else { return }
        lock.lock()
        let line = render(now: Date())
        lock.unlock()
        write(line)
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// The current line, for tests and for the final summary.
    public func render(now: Date = Date()) -> String {
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(done) / elapsed
        let remaining = total > done && rate > 0 ? Double(total - done) / rate : 0
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 24
        let filled = min(width, Int(fraction * Double(width)))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        var s = "\(bar) \(done)/\(total) \(label)  \(String(format: "%.1f", rate))/s  ETA \(Self.duration(remaining))"
        s += "  findings \(findings)"
        if failed > 0 { s += "  failed \(failed)" }
        if let note { s += "  \(note)" }
        return s
    }

    /// `1h02m`, `3m05s`, `12s`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }

    private func write(_ line: String) {
        let text = isTerminal ? "\r\u{1B}[2K" + line : line + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}
