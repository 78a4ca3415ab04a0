extension StringProtocol {
    /// The string without leading and trailing ASCII whitespace (space, tab, CR, LF).
    var trimmedASCII: Substring {
        let s = Substring(self)
        func space(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\r\n" }
        guard let first = s.firstIndex(where: { !space($0) }) else { return s[s.endIndex...] }
        let last = s.lastIndex(where: { !space($0) }) ?? first
        return s[first...last]
    }
}
