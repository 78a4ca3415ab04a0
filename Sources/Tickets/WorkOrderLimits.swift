import Findings

/// How large one ticket may grow: one defect a crew can fix in one visit.
///
/// A linear crack ticket ends where the box of its shapes (east/north, metres) has a diagonal above
/// ``crackExtentM``; an area defect ticket (a leak, or alligator or block cracking) where that box's area is above
/// ``areaM2``. The box is conservative: a crack's box diagonal is at most its length along the crack (a curve touching
/// all four sides of a box is at least as long as the box's diagonal), and an area defect fills at most its box.
/// Ingest cuts longer findings into pieces (``IngestPlan/pieces(of:limits:)``), splits chains of findings along the
/// crack (``IngestPlan/workOrders(_:merging:limits:)``) and only merges a group into a ticket that still fits.
public struct WorkOrderLimits: Sendable, Hashable, Codable {
    /// Longest crack ticket, metres of crack (default 10).
    public var crackExtentM: Double
    /// Largest area-defect ticket, square metres (default 25: a 5 m × 5 m patch).
    public var areaM2: Double

    /// Creates limits; defaults 10 m of crack and 25 m².
    public init(crackExtentM: Double = 10, areaM2: Double = 25) {
        self.crackExtentM = crackExtentM
        self.areaM2 = areaM2
    }

    /// No limit: tickets grow as far as matching reaches (the rules before work orders).
    public static let unlimited = WorkOrderLimits(crackExtentM: .infinity, areaM2: .infinity)

    /// Subtypes of crack that are area defects: measured, limited and rated by their area.
    public static let areaSubtypes: Set<String> = ["alligator", "block"]

    /// Whether a defect of this class and subtype is an area defect (a leak, alligator or block cracking).
    public static func isArea(_ defectClass: DefectClass, subtype: String?) -> Bool {
        defectClass == .leak || subtype.map(areaSubtypes.contains) == true
    }

    /// Whether a box of `size` (east, north metres) fits: its area for area defects, else its diagonal
    /// (with 1e-9 of relative slack for rounding).
    public func fits(_ size: SIMD2<Double>, area: Bool) -> Bool {
        area ? size.x * size.y <= areaM2 * (1 + 1e-9) : (size * size).sum().squareRoot() <= crackExtentM * (1 + 1e-9)
    }
}

extension Finding {
    /// Whether the finding is an area defect (see ``WorkOrderLimits/isArea(_:subtype:)``).
    public var isAreaDefect: Bool { WorkOrderLimits.isArea(defectClass, subtype: subtype) }
}

extension Ticket {
    /// Whether the ticket is an area defect (see ``WorkOrderLimits/isArea(_:subtype:)``).
    public var isAreaDefect: Bool { WorkOrderLimits.isArea(defectClass, subtype: subtype) }
}
