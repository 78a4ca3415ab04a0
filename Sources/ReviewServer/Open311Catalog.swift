import Findings

/// The GeoReport v2 services Pavewatch offers (one per defect class) and their attributes.
enum Open311Catalog {
    struct Attribute {
        var code: String
        var datatype: String
        var description: String
        var values: [String]
        /// Largest accepted value length in characters.
        var maxLength = 200

        func validate(_ value: String) -> Bool {
            guard value.count <= maxLength else { return false }
            switch datatype {
            case "singlevaluelist": return values.contains(value)
            case "number":
                guard let d = Double(value) else { return false }
                return d.isFinite && d >= 0
            default: return true
            }
        }
    }

    static let severity = Attribute(code: "severity", datatype: "singlevaluelist",
                                    description: "Severity (ASTM D6433 for cracks)",
                                    values: ["unknown", "low", "medium", "high"])
    static let pavewatchTicket = Attribute(code: "pavewatch_ticket", datatype: "string",
                                           description: "Ticket id at the sending Pavewatch", values: [], maxLength: 40)

    static func name(_ c: DefectClass) -> String {
        switch c {
        case .crack: "Pavement crack"
        case .leak: "Water leak or wet patch"
        }
    }

    static func description(_ c: DefectClass) -> String {
        switch c {
        case .crack: "A crack in the road surface: longitudinal, transverse, block or alligator."
        case .leak: "Water on or under the road surface: a leaking pipe, a wet patch."
        }
    }

    static func attributes(_ c: DefectClass) -> [Attribute] {
        switch c {
        case .crack:
            [Attribute(code: "subtype", datatype: "singlevaluelist", description: "Crack type",
                       values: ["longitudinal", "transverse", "block", "alligator"]),
             Attribute(code: "width_mm", datatype: "number", description: "Crack width in millimetres", values: []),
             Attribute(code: "length_m", datatype: "number", description: "Crack length in metres", values: []),
             severity, pavewatchTicket]
        case .leak:
            [Attribute(code: "area_m2", datatype: "number", description: "Wet area in square metres", values: []),
             severity, pavewatchTicket]
        }
    }

    static func service(_ c: DefectClass) -> Open311Document {
        .object([
            ("service_code", .string(c.rawValue)),
            ("service_name", .string(name(c))),
            ("description", .string(description(c))),
            ("metadata", .bool(true)),
            ("type", .string("realtime")),
            ("keywords", .string("pavement,road,\(c.rawValue)")),
            ("group", .string("Streets")),
        ])
    }

    static func definition(_ c: DefectClass) -> Open311Document {
        let attrs = attributes(c).enumerated().map { i, a -> Open311Document in
            .object([
                ("variable", .bool(true)),
                ("code", .string(a.code)),
                ("datatype", .string(a.datatype)),
                ("required", .bool(false)),
                ("datatype_description", .string(a.datatype == "number" ? "A number ≥ 0" : "")),
                ("order", .integer(Int64(i + 1))),
                ("description", .string(a.description)),
                ("values", .array(element: "value", a.values.map { .object([("key", .string($0)), ("name", .string($0))]) })),
            ])
        }
        return .object([("service_code", .string(c.rawValue)), ("attributes", .array(element: "attribute", attrs))])
    }
}
