/// A tolerant reader of the simple properties of an XMP packet.
///
/// It does not build a DOM: one pass over the bytes collects every attribute (`prefix:Name="v"`) and
/// every element whose content is plain text (`<prefix:Name>v</prefix:Name>`), resolves prefixes
/// through the packet's `xmlns:` declarations, and keeps the properties it knows. Bounded work: O(n).
enum XMPReader {
    /// Namespaces whose properties we read.
    enum Namespace {
        case dji, sensefly, camera, tiff
    }

    /// Longest property value kept, in bytes.
    static let maxValueLength = 1024

    static func read(_ bytes: [UInt8], into meta: inout ImageMetadata) {
        var properties: [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] = []
        var prefixes: [String: Namespace?] = [:]
        scan(bytes, properties: &properties, prefixes: &prefixes)
        var fields = Fields()
        for (name, value) in properties {
            guard let colon = name.firstIndex(of: UInt8(ascii: ":")) else { continue }
            guard let prefix = String(validating: name[name.startIndex..<colon], as: UTF8.self),
                  let local = String(validating: name[(colon + 1)...], as: UTF8.self),
                  let ns = prefixes[prefix] ?? defaultPrefix(prefix),  // a declared prefix with another URI is not ours
                  let text = String(validating: value, as: UTF8.self)
            else { continue }
            fields.set(ns, local.lowercased(), decodeEntities(text))
        }
        fields.apply(to: &meta)
    }

    static func defaultPrefix(_ prefix: String) -> Namespace? {
        switch prefix {
        case "drone-dji": .dji
        case "sensefly": .sensefly
        case "Camera": .camera
        case "tiff": .tiff
        default: nil
        }
    }

    static func namespace(uri: String) -> Namespace? {
        var u = uri.lowercased()
        while u.hasSuffix("/") { u.removeLast() }
        switch u {
        case "http://www.dji.com/drone-dji/1.0": return .dji
        case "http://ns.sensefly.com/sensefly/1.0": return .sensefly
        case "http://pix4d.com/camera/1.0", "http://ns.sensefly.com/camera/1.0": return .camera
        case "http://ns.adobe.com/tiff/1.0": return .tiff
        default: return nil
        }
    }

    // MARK: Scanning

    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/")
    private static let eq = UInt8(ascii: "="), quote = UInt8(ascii: "\""), apos = UInt8(ascii: "'")

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func scan(
        _ b: [UInt8],
        properties: inout [(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)],
        prefixes: inout [String: Namespace?]
    ) {
        let n = b.count
        var i = 0
        var open: (name: ArraySlice<UInt8>, contentStart: Int)?
        while i < n {
            guard b[i] == lt else { i += 1; continue }
            let tagStart = i
            i += 1
            guard i < n else { return }
            if b[i] == UInt8(ascii: "?") || b[i] == UInt8(ascii: "!") {
                // Processing instruction, comment, CDATA or DOCTYPE: skip to the next '>'.
                // (A '>' inside a comment ends it early; the following text is then skipped as text.)
                while i < n && b[i] != gt { i += 1 }
                i += 1
                open = nil
                continue
            }
            if b[i] == slash {
                i += 1
                let nameStart = i
                while i < n && b[i] != gt && !isSpace(b[i]) { i += 1 }
                let name = b[nameStart..<i]
                while i < n && b[i] != gt { i += 1 }
                if let o = open, o.name == name {
                    let value = b[o.contentStart..<tagStart]
                    if value.count <= maxValueLength { properties.append((name, value)) }
                }
                open = nil
                i += 1
                continue
            }
            // Start tag: name, then attributes.
            let nameStart = i
            while i < n && b[i] != gt && b[i] != slash && !isSpace(b[i]) { i += 1 }
            let name = b[nameStart..<i]
            open = nil
            var selfClosing = false
            while i < n {
                while i < n && isSpace(b[i]) { i += 1 }
                guard i < n else { return }
                if b[i] == gt { break }
                if b[i] == slash { selfClosing = true; i += 1; continue }
                selfClosing = false
                let attrStart = i
                while i < n && b[i] != eq && b[i] != gt && b[i] != slash && !isSpace(b[i]) { i += 1 }
                let attrName = b[attrStart..<i]
                while i < n && isSpace(b[i]) { i += 1 }
                guard i < n, b[i] == eq else {
                    if attrName.isEmpty { i += 1 }  // stray byte: make progress
                    continue
                }
                i += 1
                while i < n && isSpace(b[i]) { i += 1 }
                guard i < n, b[i] == quote || b[i] == apos else { continue }
                let q = b[i]
                i += 1
                let valueStart = i
                while i < n && b[i] != q { i += 1 }
                guard i < n else { return }
                let value = b[valueStart..<i]
                i += 1
                if attrName.starts(with: "xmlns:".utf8) {
                    if let prefix = String(validating: attrName.dropFirst(6), as: UTF8.self),
                       let uri = String(validating: value, as: UTF8.self)
                    {
                        prefixes[prefix] = .some(namespace(uri: uri))
                    }
                } else if value.count <= maxValueLength {
                    properties.append((attrName, value))
                }
            }
            guard i < n else { return }
            i += 1  // past '>'
            if !selfClosing && !name.isEmpty { open = (name, i) }
        }
    }

    /// Replaces the five XML entities and numeric character references.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[amp...]
            guard let semi = after.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = after[after.index(after: after.startIndex)..<semi]
            var replacement: String?
            switch entity {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let v = UInt32(entity.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(v).map { String(Character($0)) }
                } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()) {
                    replacement = Unicode.Scalar(v).map { String(Character($0)) }
                }
            }
            if let replacement {
                out += replacement
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
            }
        }
        out += rest
        return out
    }
}
