import Foundation

/// Shape measurements of one region, in pixels.
public struct RegionMeasurement: Sendable, Equatable {
    /// Pixel count.
    public var areaPx: Int
    /// Centre-line length: the skeleton without corner spurs, plus the distance to the region's edge at
    /// each end (thinning eats about half the width at each end).
    public var lengthPx: Double
    /// Mean width: area / length.
    public var meanWidthPx: Double
    /// Largest width along the skeleton (2·distance − 1 at skeleton pixels).
    public var maxWidthPx: Double
    /// Direction of the skeleton's principal axis in degrees, 0 = along image x (rows), 90 = along image y.
    public var orientationDeg: Double
    /// Elongation: square root of the ratio of the principal second moments (1 = round, large = line-like).
    public var elongation: Double
    /// Enclosed background holes (cells of a crack network).
    public var holes: Int
    /// Skeleton junctions.
    public var junctions: Int
    /// Outer contour in frame coordinates, simplified (clockwise).
    public var outline: [SIMD2<Double>]
    /// Skeleton pixels in frame coordinates (raster order).
    public var centreLine: [SIMD2<Int>]

    /// Measures the region `mask` (a crop whose origin in the frame is `origin`).
    /// - Parameters: mask: one region, with at least a one-pixel off margin; origin: the crop's top-left in the frame;
    ///   outlineTolerance: Douglas–Peucker tolerance for the outline, pixels.
    public init(_ mask: BinaryMask, origin: SIMD2<Int>, outlineTolerance: Double = 1.0) {
        let dist = DistanceTransform.euclidean(mask)
        let skeleton = Thinning.guoHall(mask)
        let graph = SkeletonGraph(skeleton)
        areaPx = mask.count
        var widths: [Double] = []
        var xs: [Double] = [], ys: [Double] = []
        var line: [SIMD2<Int>] = []
        for y in 0..<skeleton.height {
            for x in 0..<skeleton.width where skeleton.bits[y * skeleton.width + x] != 0 {
                widths.append(max(1, 2 * Double(dist[y * mask.width + x]) - 1))
                xs.append(Double(x)); ys.append(Double(y))
                line.append(SIMD2(x + origin.x, y + origin.y))
            }
        }
        centreLine = line
        lengthPx = graph.centreLineLength(distance: dist, width: mask.width)
        // Mean width = area / length (exact for a band of constant width, and unbiased by the skeleton's
        // off-centre steps); the maximum comes from the distance transform along the skeleton.
        meanWidthPx = lengthPx > 0 ? Double(areaPx) / lengthPx : 0
        maxWidthPx = max(widths.max() ?? 0, meanWidthPx)
        junctions = graph.junctions.count
        // Principal axis of the skeleton points.
        let n = Double(max(1, xs.count))
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for i in xs.indices {
            let dx = xs[i] - mx, dy = ys[i] - my
            sxx += dx * dx; syy += dy * dy; sxy += dx * dy
        }
        let angle = 0.5 * atan2(2 * sxy, sxx - syy)
        var deg = angle * 180 / .pi
        if deg < 0 { deg += 180 }
        orientationDeg = deg
        let tr = sxx + syy, det = sxx * syy - sxy * sxy
        let disc = max(0, tr * tr / 4 - det).squareRoot()
        let l1 = tr / 2 + disc, l2 = max(tr / 2 - disc, 1e-9)
        elongation = (l1 / l2).squareRoot()
        holes = Self.countHoles(mask)
        let contour = ContourTracing.outerContour(mask).map {
            SIMD2<Double>(Double(Int($0.x) + origin.x), Double(Int($0.y) + origin.y))
        }
        outline = Polyline.simplify(contour + (contour.first.map { [$0] } ?? []), tolerance: outlineTolerance)
        if outline.count > 1 && outline.first == outline.last { outline.removeLast() }
    }

    /// Off regions (4-connected) that do not touch the crop's border.
    static func countHoles(_ mask: BinaryMask) -> Int {
        var holes = 0
        FloodFill.forEachRegion(width: mask.width, height: mask.height, member: { mask.bits[$0] == 0 }) { _, touches in
            if !touches { holes += 1 }
        }
        return holes
    }
}
