// Helpers compiled into every fuzz harness by Fuzz/run (each harness is its own program).

/// The fuzzer's input as an array.
func fuzzInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    unsafe Array(UnsafeBufferPointer(start: data, count: size))
}

/// Stops the run when an invariant of a parser's output does not hold: libFuzzer reports it as a crash ("deadly
/// signal") and saves the input, like a sanitizer error.
func invariant(_ holds: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    if !holds() { fatalError("fuzz invariant: \(message())", file: file, line: line) }
}

/// The input cut into pieces at the lengths its first byte picks, as a network or pipe would deliver it, so that a
/// stream parser sees every split point: piece `i` is `1 + (seed * (i + 1)) % 97` bytes long.
func pieces(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    guard let seed = bytes.first else { return [] }
    var out: [ArraySlice<UInt8>] = [], at = 1, i = 0
    while at < bytes.count {
        let n = 1 + (Int(seed) &* (i + 1)) % 97
        out.append(bytes[at..<min(bytes.count, at + n)])
        at += n
        i += 1
    }
    return out
}
