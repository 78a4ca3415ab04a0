import Foundation
import Geodesy

/// A map from image pixels to the ground (east/north metres on `plane`), shared by drone frames
/// (`FrameGeometry`) and fixed cameras (`FixedCamera`). Gives what findings need: positions, GeoJSON outlines,
/// lengths in metres, widths in millimetres and areas in square metres.
public protocol GroundProjection: Sendable {
    /// The local tangent plane the ground coordinates live on.
    var plane: LocalTangentPlane { get }
    /// ENU metres (east, north) of the ground under a pixel.
    /// - Throws: `GeoError.aboveHorizon` for refused pixels.
    func groundPoint(x: Double, y: Double) throws(GeoError) -> SIMD2<Double>
    /// One-sigma horizontal uncertainty of a pixel's ground position, metres.
    func locationUncertainty(x: Double, y: Double) throws(GeoError) -> Double
}

extension GroundProjection {
    /// Latitude/longitude of the ground under a pixel (height 0 = the ground plane).
    /// - Throws: `GeoError.aboveHorizon`.
    public func coordinate(x: Double, y: Double) throws(GeoError) -> GeoPoint {
        let g = try groundPoint(x: x, y: y)
        var p = plane.geodetic(SIMD3(g.x, g.y, 0))
        p.height = 0
        return p
    }

    /// Ground metres per pixel at a pixel: the geometric mean of the ground lengths of one-pixel steps along x
    /// and along y.
    /// - Throws: `GeoError.aboveHorizon`.
    public func groundSampleDistance(x: Double, y: Double) throws(GeoError) -> Double {
        let a = try groundPoint(x: x - 0.5, y: y), b = try groundPoint(x: x + 0.5, y: y)
        let c = try groundPoint(x: x, y: y - 0.5), d = try groundPoint(x: x, y: y + 0.5)
        let dx = ((b - a) * (b - a)).sum().squareRoot(), dy = ((d - c) * (d - c)).sum().squareRoot()
        return (dx * dy).squareRoot()
    }

    /// Ground metres per pixel along a direction at a pixel: the ground length of a one-pixel step along
    /// `direction` (any length but zero), centred on the pixel. On an oblique view a step across the view covers
    /// less ground than a step along it; on a nadir view both equal ``groundSampleDistance(x:y:)``.
    /// - Throws: `GeoError.aboveHorizon`; `.invalidParameter` for a zero direction.
    public func groundSampleDistance(x: Double, y: Double, along direction: SIMD2<Double>) throws(GeoError) -> Double {
        let n = (direction * direction).sum().squareRoot()
        guard n > 0, n.isFinite else { throw .invalidParameter("direction \(direction)") }
        let h = direction / n / 2
        let a = try groundPoint(x: x - h.x, y: y - h.y), b = try groundPoint(x: x + h.x, y: y + h.y)
        return ((b - a) * (b - a)).sum().squareRoot()
    }

    /// Ground length of a pixel polyline (a crack skeleton), metres.
    /// - Parameters:
    ///   - pixels: vertices in pixel coordinates.
    /// - Throws: `GeoError.aboveHorizon` when a vertex is refused.
    public func lengthMetres(ofPolyline pixels: [SIMD2<Double>]) throws(GeoError) -> Double {
        var total = 0.0
        var previous: SIMD2<Double>?
        for p in pixels {
            let g = try groundPoint(x: p.x, y: p.y)
            if let q = previous { total += ((g - q) * (g - q)).sum().squareRoot() }
            previous = g
        }
        return total
    }

    /// Ground area of a pixel polygon (a leak region's outline), square metres (shoelace on the ground plane).
    /// - Throws: `GeoError.aboveHorizon` when a vertex is refused.
    public func areaSquareMetres(ofPolygon pixels: [SIMD2<Double>]) throws(GeoError) -> Double {
        var ground: [SIMD2<Double>] = []
        for p in pixels { ground.append(try groundPoint(x: p.x, y: p.y)) }
        guard ground.count >= 3 else { return 0 }
        var twice = 0.0
        for i in ground.indices {
            let a = ground[i], b = ground[(i + 1) % ground.count]
            twice += a.x * b.y - b.x * a.y
        }
        return abs(twice) / 2
    }

    /// A width measured in pixels at a pixel, in millimetres on the ground (width × local GSD).
    /// - Throws: `GeoError.aboveHorizon`.
    public func widthMillimetres(_ widthPixels: Double, atX x: Double, y: Double) throws(GeoError) -> Double {
        widthPixels * (try groundSampleDistance(x: x, y: y)) * 1000
    }

    /// A pixel outline as GeoJSON `[longitude, latitude]` positions.
    /// - Throws: `GeoError.aboveHorizon` when a vertex is refused.
    public func outline(_ pixels: [SIMD2<Double>]) throws(GeoError) -> [[Double]] {
        var out: [[Double]] = []
        for p in pixels {
            let c = try coordinate(x: p.x, y: p.y)
            out.append([c.longitude, c.latitude])
        }
        return out
    }
}
