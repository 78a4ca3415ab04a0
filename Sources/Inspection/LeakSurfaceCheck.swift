import Findings

/// Tells a wet patch on the pavement from what looks like one from the air, with the frame's ``SurfaceMap``:
/// - a **cast shadow** in sunlight is lit by the blue sky alone, so it is bluer than the sunlit surface beside
///   it, while water darkens a surface with little change of hue;
/// - a **pond or lake** beside the road is not surrounded by pavement, and is larger than a leak;
/// - a patch on **vegetation** or soil is not on the surface at all.
public struct LeakSurfaceCheck: Sendable, Equatable {
    /// Least share of the patch's cells that are paved.
    public var minimumPavedInside: Double = 0.5
    /// Least share of the cells around the patch (a ring two cells wide) that are paved.
    public var minimumPavedAround: Double = 0.5
    /// Rise of the blue chromaticity `B / (R + G + B)` over the paved surface around, from which a patch at least
    /// ``shadowDarkening`` darker is a cast shadow. Skylight alone is far bluer than sun and sky together (a rise of
    /// several hundredths on neutral asphalt); the darker leaks of the tunnel photos rise at most 0.004 and mostly
    /// fall (water stains are browner): models/DETECTOR.md, "Leaks that are leaks".
    public var shadowBlueShift: Double = 0.02
    /// Brightness ratio inside / around below which a patch counts as darker for the shadow rule.
    public var shadowDarkening: Double = 0.9
    /// Largest leak area on the ground, square metres (nil: no limit); larger dark water is a pond or lake.
    public var maximumAreaM2: Double? = 40

    /// The defaults.
    public init() {}

    /// What a candidate patch is.
    public enum Verdict: String, Sendable, Equatable {
        /// A wet patch on the pavement: kept.
        case leak
        /// Mostly off the paved surface (on vegetation, soil, vehicles).
        case offSurface
        /// Not surrounded by pavement: water beside the road.
        case notSurrounded
        /// Bluer than the sunlit surface around it: a cast shadow.
        case shadow
        /// Larger than ``maximumAreaM2``.
        case tooLarge
    }

    /// Mean colours inside a patch and around it.
    public struct Context: Sendable, Equatable {
        /// Cells inside the patch's outline, and how many of them are paved.
        public var inside = 0, pavedInside = 0
        /// Cells in the ring around it, and how many of them are paved.
        public var around = 0, pavedAround = 0
        /// Mean colour of the paved cells inside and around (zero when none).
        public var insideColour = SIMD3<Float>.zero, aroundColour = SIMD3<Float>.zero

        /// Mean brightness inside over that around (1 when either side has no paved cell).
        public var brightnessRatio: Double {
            guard pavedInside > 0 && pavedAround > 0 else { return 1 }
            let i = insideColour.x + insideColour.y + insideColour.z, o = aroundColour.x + aroundColour.y + aroundColour.z
            return Double(i / max(1, o))
        }

        /// Blue chromaticity inside minus around (0 when either side has no paved cell).
        public var blueShift: Double {
            guard pavedInside > 0 && pavedAround > 0 else { return 0 }
            func blue(_ c: SIMD3<Float>) -> Double { Double(c.z / max(1, c.x + c.y + c.z)) }
            return blue(insideColour) - blue(aroundColour)
        }
    }

    /// The cells of `surface` inside an outline (frame pixels, `[x, y]`; by their centres) and in a ring two cells
    /// wide around its bounding box.
    public static func context(outline: [[Double]], surface s: SurfaceMap) -> Context {
        var ctx = Context()
        let pts = outline.filter { $0.count >= 2 }
        guard pts.count >= 3, !s.classes.isEmpty else { return ctx }
        let xs = pts.map { $0[0] }, ys = pts.map { $0[1] }
        let c0 = max(0, Int(xs.min()! / Double(s.cell)) - 2), c1 = min(s.columns - 1, Int(xs.max()! / Double(s.cell)) + 2)
        let r0 = max(0, Int(ys.min()! / Double(s.cell)) - 2), r1 = min(s.rows - 1, Int(ys.max()! / Double(s.cell)) + 2)
        guard c0 <= c1 && r0 <= r1 else { return ctx }
        var sumIn = SIMD3<Float>.zero, sumOut = SIMD3<Float>.zero
        for r in r0...r1 {
            for c in c0...c1 {
                let i = r * s.columns + c
                let paved = s.classes[i] == .paved
                if contains(pts, x: (Double(c) + 0.5) * Double(s.cell), y: (Double(r) + 0.5) * Double(s.cell)) {
                    ctx.inside += 1
                    if paved { ctx.pavedInside += 1; sumIn += s.colours[i] }
                } else {
                    ctx.around += 1
                    if paved { ctx.pavedAround += 1; sumOut += s.colours[i] }
                }
            }
        }
        if ctx.pavedInside > 0 { ctx.insideColour = sumIn / Float(ctx.pavedInside) }
        if ctx.pavedAround > 0 { ctx.aroundColour = sumOut / Float(ctx.pavedAround) }
        return ctx
    }

    /// Even-odd test of a point against a polygon.
    static func contains(_ poly: [[Double]], x: Double, y: Double) -> Bool {
        var inside = false
        var j = poly.count - 1
        for i in poly.indices {
            let (xi, yi, xj, yj) = (poly[i][0], poly[i][1], poly[j][0], poly[j][1])
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Judges a leak finding.
    /// - Parameters: finding: a `leak` finding in frame pixels (its outline and, when geotagged, its `areaM2`);
    ///   surface: the frame's surface map.
    public func verdict(_ finding: Finding, surface: SurfaceMap) -> Verdict {
        if let most = maximumAreaM2, let a = finding.areaM2, a > most { return .tooLarge }
        let ctx = Self.context(outline: finding.outline, surface: surface)
        guard ctx.inside > 0 else { return .leak }
        if Double(ctx.pavedInside) < minimumPavedInside * Double(ctx.inside) { return .offSurface }
        if ctx.around > 0 && Double(ctx.pavedAround) < minimumPavedAround * Double(ctx.around) { return .notSurrounded }
        if ctx.blueShift >= shadowBlueShift && ctx.brightnessRatio < shadowDarkening { return .shadow }
        return .leak
    }
}
