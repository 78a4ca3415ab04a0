/// Text for XML 1.0 documents (KML export, Open311 XML).
public enum XMLText {
    /// Escapes `& < > " '` and replaces characters XML 1.0 cannot carry (controls other than tab, line
    /// feed and carriage return; U+FFFE, U+FFFF) with U+FFFD.
    public static func escape(_ s: String) -> String {
        var o = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&apos;"
            case "\t", "\n", "\r": o.unicodeScalars.append(u)
            case _ where u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF: o += "\u{FFFD}"
            default: o.unicodeScalars.append(u)
            }
        }
        return o
    }
}
