/// Outer boundary of a region, traced with Moore-neighbour tracing.
public enum ContourTracing {
    /// Clockwise neighbour offsets starting west: W, NW, N, NE, E, SE, S, SW.
    static let directions: [SIMD2<Int32>] = [SIMD2(-1, 0), SIMD2(-1, -1), SIMD2(0, -1), SIMD2(1, -1),
                                             SIMD2(1, 0), SIMD2(1, 1), SIMD2(0, 1), SIMD2(-1, 1)]

    /// The outer contour of the region holding the first on pixel (raster order) of `mask`: boundary pixel
    /// centres in clockwise order (image coordinates, y down). A single pixel gives one point.
    public static func outerContour(_ mask: BinaryMask) -> [SIMD2<Int32>] {
        var start: SIMD2<Int32>?
        outer: for y in 0..<mask.height {
            for x in 0..<mask.width where mask.bits[y * mask.width + x] != 0 {
                start = SIMD2(Int32(x), Int32(y))
                break outer
            }
        }
        guard let s = start else { return [] }
        var contour = [s]
        var current = s
        var searchFrom = 0  // west: the first pixel's west neighbour is off (raster order)
        let limit = 4 * mask.bits.count + 8
        for _ in 0..<limit {
            var moved = false
            for i in 0..<8 {
                let d = (searchFrom + i) % 8
                let n = current &+ directions[d]
                if mask[Int(n.x), Int(n.y)] {
                    current = n
                    searchFrom = (d + 5) % 8  // the neighbour after the one we came from, clockwise
                    moved = true
                    break
                }
            }
            if !moved || current == s { break }
            contour.append(current)
        }
        return contour
    }
}
