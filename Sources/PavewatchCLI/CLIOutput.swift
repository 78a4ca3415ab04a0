import Foundation

/// Printing helpers shared by the commands: tables, JSON lines, errors on standard error.
enum CLIOutput {
    /// Writes `pavewatch: message` to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("pavewatch: \(message)\n".utf8))
    }

    /// A JSON encoder with stable key order and ISO 8601 dates.
    static func jsonEncoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(iso8601(date))
        }
        return e
    }

    /// Prints one value as a single line of JSON on standard output.
    static func printJSONLine<T: Encodable>(_ value: T) {
        if let data = try? jsonEncoder().encode(value), let s = String(data: data, encoding: .utf8) { print(s) }
    }

    /// ISO 8601 in UTC with seconds, e.g. `2013-06-04T15:02:11Z`.
    static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// Prints a table with a header row and columns padded to their widest cell.
    static func printTable(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for r in all { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        print(line(header))
        print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for r in rows { print(line(r)) }
    }

    /// Writes `text` to `path`, or to standard output when `path` is nil.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CommandFailure("\(path): cannot write (\(error.localizedDescription))")
        }
    }

    /// `-` for nil, else the value with format `f`.
    static func num(_ d: Double?, _ f: String) -> String { d.map { String(format: f, $0) } ?? "-" }

    /// The date part of an ISO 8601 time, `-` for nil.
    static func day(_ d: Date?) -> String { d.map { String(iso8601($0).prefix(10)) } ?? "-" }
}
