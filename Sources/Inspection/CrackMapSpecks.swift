extension CrackMap {
    /// Specks off the crack map: pores, bugholes and stains that the per-pixel network marks as dark and
    /// crack-like, but that are short and compact where cracks are long or thin. The connected parts (8-connected)
    /// of the map at probability ≥ ``threshold`` whose bounding-box diagonal is below ``extent`` and whose
    /// diagonal² is below ``compactness`` × their area are capped just below ``threshold``; the rest of the map is
    /// untouched (models/DETECTOR.md, protocol M).
    public struct Specks: Sendable, Hashable, Codable {
        /// Probability at which the map's parts are taken (`t0`).
        public var threshold: Float
        /// Parts whose bounding-box diagonal (pixels of the map) reaches this are kept whatever their shape.
        public var extent: Double
        /// Shorter parts are kept when diagonal² ≥ this × area (elongated: a crack fragment), capped otherwise.
        public var compactness: Double

        /// - Parameters: see the properties.
        public init(threshold: Float, extent: Double, compactness: Double) {
            self.threshold = threshold
            self.extent = extent
            self.compactness = compactness
        }

        /// Whether a part of `area` pixels in a `width × height` box is a speck.
        func isSpeck(area: Int, width: Int, height: Int) -> Bool {
            let d2 = Double(width * width + height * height)
            return d2 < extent * extent && d2 < compactness * Double(area)
        }

        /// Caps the specks of `p` (`height × width`, row-major) just below ``threshold``.
        /// - Returns: how many parts were capped.
        @discardableResult
        public func remove(from p: inout [Float], width: Int, height: Int) -> Int {
            precondition(p.count == width * height)
            var mask = BinaryMask(width: width, height: height)
            for i in p.indices where p[i] >= threshold { mask.bits[i] = 1 }
            let cc = ConnectedComponents(mask)
            var capped = Set<Int32>()
            for c in cc.components where isSpeck(area: c.area, width: c.width, height: c.height) { capped.insert(c.label) }
            guard !capped.isEmpty else { return 0 }
            let below = threshold.nextDown
            for c in cc.components where capped.contains(c.label) {
                for y in c.minY...c.maxY {
                    for x in c.minX...c.maxX where cc.labels[y * width + x] == c.label { p[y * width + x] = min(p[y * width + x], below) }
                }
            }
            return capped.count
        }
    }
}
