extension Collection where Element == UInt8 {
    /// The lines of a telemetry text file (SRT subtitles, CSV sidecars): the bytes decoded as UTF-8 (invalid bytes
    /// replaced), split at every line end (`\r\n` is one), empty lines kept so that indices give the file's line
    /// numbers, and a leading byte-order mark dropped.
    var telemetryLines: [Substring] {
        // "\r\n" is one Character, and a newline.
        var lines = String(decoding: self, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        return lines
    }
}
