/// The container formats Pavewatch reads and writes.
public enum ImageFileFormat: String, Sendable, Hashable, Codable {
    case jpeg
    case png

    /// Identifies a format from its first bytes (magic numbers), ignoring any file extension.
    /// - Returns: nil when the bytes are neither JPEG (`FF D8 FF`) nor PNG (`89 50 4E 47 0D 0A 1A 0A`).
    public static func sniff<C: Collection<UInt8>>(_ bytes: C) -> ImageFileFormat? {
        var it = bytes.makeIterator()
        var head: [UInt8] = []
        while head.count < 8, let b = it.next() { head.append(b) }
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }
}
