import Tickets

/// A small document tree rendered as either GeoReport v2 JSON or XML, so both formats carry exactly the
/// same fields.
indirect enum Open311Document: Sendable {
    /// Keyed fields, in order; in XML each becomes a child element.
    case object([(String, Open311Document)])
    /// A list; in XML each element is wrapped in `<element>`.
    case array(element: String, [Open311Document])
    case string(String)
    case number(Double)
    case integer(Int64)
    case bool(Bool)
    case null

    static func optional(_ s: String?) -> Open311Document { s.map(Open311Document.string) ?? .null }
    static func optional(_ d: Double?) -> Open311Document { d.map(Open311Document.number) ?? .null }

    /// Renders as JSON.
    var json: String {
        var out = ""
        writeJSON(into: &out)
        return out
    }

    func writeJSON(into out: inout String) {
        switch self {
        case .object(let fields):
            out += "{"
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out += "," }
                Self.jsonString(k, into: &out)
                out += ":"
                v.writeJSON(into: &out)
            }
            out += "}"
        case .array(_, let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.writeJSON(into: &out)
            }
            out += "]"
        case .string(let s): Self.jsonString(s, into: &out)
        case .number(let d): out += d.isFinite ? "\(d)" : "null"
        case .integer(let i): out += "\(i)"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    static func jsonString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }

    /// Renders as an XML document with root element `root`.
    func xml(root: String) -> String {
        var out = #"<?xml version="1.0" encoding="utf-8"?>"#
        writeXML(name: root, into: &out)
        return out
    }

    func writeXML(name: String, into out: inout String) {
        switch self {
        case .array(let element, let items):
            out += "<\(name)>"
            for v in items { v.writeXML(name: element, into: &out) }
            out += "</\(name)>"
        case .object(let fields):
            out += "<\(name)>"
            for (k, v) in fields { v.writeXML(name: k, into: &out) }
            out += "</\(name)>"
        case .null:
            out += "<\(name)/>"
        case .string(let s): out += "<\(name)>\(XMLText.escape(s))</\(name)>"
        case .number(let d): out += "<\(name)>\(d)</\(name)>"
        case .integer(let i): out += "<\(name)>\(i)</\(name)>"
        case .bool(let b): out += "<\(name)>\(b)</\(name)>"
        }
    }
}
