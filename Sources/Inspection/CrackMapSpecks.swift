extension CrackMap {
    /// Specks off the crack map: pores, bugholes and stains that the per-pixel network marks as dark and
    /// crack-like, but that are short and compact where cracks are long or thin. The connected parts (8-connected)
    /// of the map at probability ≥ ``threshold`` whose bounding-box diagonal is below ``extent`` and whose
    /// diagonal² is below ``compactness`` × their area are capped just below ``threshold``; the rest of the map is
    /// untouched (models/DETECTOR.md, protocol M). With ``lines``, long straight parts (joints, formwork planking,
    /// paint edges) are capped too (protocol N).
    public struct Specks: Sendable, Hashable, Codable {
        /// Probability at which the map's parts are taken (`t0`).
        public var threshold: Float
        /// Parts whose bounding-box diagonal (pixels of the map) reaches this are kept whatever their shape.
        public var extent: Double
        /// Shorter parts are kept when diagonal² ≥ this × area (elongated: a crack fragment), capped otherwise.
        public var compactness: Double
        /// Long straight parts to cap as well; nil: none.
        public var lines: Lines?

        /// A part is a straight line when its bounding-box diagonal reaches ``length`` and its pixels lie within
        /// ``spread`` (the standard deviation across their principal axis) of a straight line.
        public struct Lines: Sendable, Hashable, Codable {
            /// Least diagonal, pixels.
            public var length: Double
            /// Largest spread across the line, pixels (a straight bar `w` px wide has `√((w² − 1) / 12)`: 0.82 for 3 px).
            public var spread: Double
            /// - Parameters: see the properties.
            public init(length: Double, spread: Double) { self.length = length; self.spread = spread }
        }

        /// - Parameters: see the properties.
        public init(threshold: Float, extent: Double, compactness: Double, lines: Lines? = nil) {
            self.threshold = threshold
            self.extent = extent
            self.compactness = compactness
            self.lines = lines
        }

        /// The spread of a part's pixels across their principal axis: the square root of the smaller eigenvalue of
        /// their coordinates' covariance.
        static func spread(of c: Component, labels: [Int32], width: Int) -> Double {
            var n = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
            for y in c.minY...c.maxY {
                for x in c.minX...c.maxX where labels[y * width + x] == c.label {
                    let fx = Double(x - c.minX), fy = Double(y - c.minY)
                    n += 1; sx += fx; sy += fy; sxx += fx * fx; syy += fy * fy; sxy += fx * fy
                }
            }
            guard n > 1 else { return 0 }
            let vx = sxx / n - (sx / n) * (sx / n), vy = syy / n - (sy / n) * (sy / n), cxy = sxy / n - (sx / n) * (sy / n)
            let half = (vx - vy) / 2
            return (max(0, (vx + vy) / 2 - (half * half + cxy * cxy).squareRoot())).squareRoot()
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
            for c in cc.components {
                if isSpeck(area: c.area, width: c.width, height: c.height) {
                    capped.insert(c.label)
                } else if let lines, Double(c.width * c.width + c.height * c.height) >= lines.length * lines.length,
                          Self.spread(of: c, labels: cc.labels, width: width) <= lines.spread {
                    capped.insert(c.label)
                }
            }
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
