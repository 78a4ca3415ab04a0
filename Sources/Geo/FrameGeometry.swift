import Foundation
import Geodesy
import Metadata

/// The projection between one frame's pixels and the ground.
///
/// Model: a pinhole camera at `pose.heightAboveGround` over a level ground plane, the plane tangent to WGS84 at
/// the camera's nadir point. Error bound over a frame (see `LocalTangentPlane`): the ellipsoid falls `d²/2R`
/// below the plane at distance `d` from the nadir point, which moves a ground point by at most `d²/(2R·tan α)` at
/// ray depression `α` (R ≥ 6335 km): 0.8 mm over a nadir frame from 120 m (d ≤ 108 m), 3.9 cm at d = 367 m for a
/// 45° gimbal from 100 m, 1.2 m at the default range limit (d = 11.4 H, α = 5°) from 100 m. Checked in
/// `ErrorBoundTests` against the exact intersection of each ray with the ellipsoid. Terrain relief and lens
/// distortion are outside this model and dominate in practice.
///
/// A pixel is refused (`GeoError.aboveHorizon`) when its ray does not reach the ground within
/// `maximumRange` of the nadir point along the camera's heading or across it (a square around the nadir
/// point): every ray at or above the horizon, and rays that graze it. These are straight lines in the image,
/// so the clipped footprint is an exact polygon.
public struct FrameGeometry: GroundProjection {
    public let pose: CameraPose
    public let intrinsics: CameraIntrinsics
    /// ENU plane at the camera's nadir point; the camera is at (0, 0, height).
    public let plane: LocalTangentPlane
    /// Half-size of the square around the nadir point where rays are accepted, metres.
    public let maximumRange: Double
    /// Horizontal forward / right unit vectors used for the range limit.
    let forward: SIMD3<Double>, right: SIMD3<Double>
    /// Metadata the frame was built from (for the uncertainty model), if any.
    public let metadata: ImageMetadata?

    /// Default smallest depression below the horizon of an accepted ray, degrees: maximum range = height / tan(5°)
    /// ≈ 11.4 × height (beyond it a pixel covers > 130 × the nadir GSD along the view and the flat-ground error grows).
    public static let defaultMinimumDepression = 5.0

    /// - Parameters:
    ///   - pose: camera pose.
    ///   - intrinsics: camera intrinsics of the decoded image.
    ///   - minimumDepression: degrees below the horizon; sets `maximumRange = height / tan(minimumDepression)`.
    ///   - metadata: source metadata, for `locationUncertainty`.
    public init(pose: CameraPose, intrinsics: CameraIntrinsics,
                minimumDepression: Double = FrameGeometry.defaultMinimumDepression, metadata: ImageMetadata? = nil)
    {
        self.pose = pose
        self.intrinsics = intrinsics
        self.metadata = metadata
        plane = LocalTangentPlane(origin: GeoPoint(latitude: pose.latitude, longitude: pose.longitude))
        let dep = max(0.01, min(89, minimumDepression)) * .pi / 180
        maximumRange = pose.heightAboveGround / tan(dep)
        let heading = CameraRotation.heading(pose.rotation.yaw)
        (forward, right) = (heading.forward, heading.right)
    }

    /// The geometry of a decoded frame from its metadata.
    /// - Parameters:
    ///   - metadata: the frame's metadata (EXIF/XMP, or `TelemetrySample.metadata`).
    ///   - width: decoded width, pixels (wins over EXIF dimensions).
    ///   - height: decoded height, pixels.
    ///   - overrides: focal length, sensor width, height above ground.
    /// - Throws: `GeoError` (`.noPosition`, `.noHeight`, `.unknownCamera`, `.invalidParameter`).
    public init(metadata: ImageMetadata, width: Int, height: Int, overrides: CameraOverrides = CameraOverrides(),
                minimumDepression: Double = FrameGeometry.defaultMinimumDepression) throws(GeoError)
    {
        let pose = try CameraPose(metadata: metadata, overrides: overrides)
        let intrinsics = try CameraIntrinsics(metadata: metadata, width: width, height: height, overrides: overrides)
        self.init(pose: pose, intrinsics: intrinsics, minimumDepression: minimumDepression, metadata: metadata)
    }

    var camera: SIMD3<Double> { SIMD3(0, 0, pose.heightAboveGround) }

    /// ENU direction of the ray through a pixel (not normalised).
    public func ray(x: Double, y: Double) -> SIMD3<Double> {
        let k = intrinsics
        return pose.rotation.apply(SIMD3((x - k.cx) / k.focalLength, (y - k.cy) / k.focalLength, 1))
    }

    /// The four acceptance constraints g(ray) ≤ 0, linear in the ray (hence in pixel coordinates).
    func constraints(_ d: SIMD3<Double>) -> [Double] {
        let h = pose.heightAboveGround, r = maximumRange
        let f = (d * forward).sum(), s = (d * right).sum()
        return [h * f + r * d.z, -h * f + r * d.z, h * s + r * d.z, -h * s + r * d.z]
    }

    /// Where the ray through a pixel meets the ground, ENU metres (east, north) from the nadir point.
    /// - Throws: `GeoError.aboveHorizon` when the ray is refused.
    public func groundPoint(x: Double, y: Double) throws(GeoError) -> SIMD2<Double> {
        let d = ray(x: x, y: y)
        guard d.z < 0, constraints(d).allSatisfy({ $0 <= 1e-9 * maximumRange }) else { throw .aboveHorizon(x: x, y: y) }
        return intersect(d)
    }

    func intersect(_ d: SIMD3<Double>) -> SIMD2<Double> {
        let t = pose.heightAboveGround / -d.z
        return SIMD2(d.x * t, d.y * t)
    }

    /// The pixel that sees a ground point given in ENU metres from the nadir point.
    /// - Throws: `GeoError.behindCamera`.
    public func pixel(ground g: SIMD2<Double>) throws(GeoError) -> SIMD2<Double> {
        let c = pose.rotation.inverse(SIMD3(g.x, g.y, 0) - camera)
        guard c.z > 1e-12 else { throw .behindCamera }
        let k = intrinsics
        return SIMD2(k.cx + k.focalLength * c.x / c.z, k.cy + k.focalLength * c.y / c.z)
    }

    /// The pixel that sees a latitude/longitude on the ground plane.
    /// - Throws: `GeoError.behindCamera`.
    public func pixel(latitude: Double, longitude: Double) throws(GeoError) -> SIMD2<Double> {
        let e = plane.enu(GeoPoint(latitude: latitude, longitude: longitude))
        return try pixel(ground: SIMD2(e.x, e.y))
    }

    /// Ground sampling distance of a nadir view, metres per pixel: height / focal length in pixels.
    public var nadirGSD: Double { intrinsics.nadirGSD(height: pose.heightAboveGround) }

    /// GSD at the image centre in centimetres per pixel (what `pavewatch info` prints), nil when the centre is
    /// refused.
    public var gsdCentimetresPerPixel: Double? {
        (try? groundSampleDistance(x: intrinsics.cx, y: intrinsics.cy)).map { $0 * 100 }
    }

    /// The image outline clipped to the accepted region, pixel coordinates, in image order (top-left first).
    public func visibleOutline() -> [SIMD2<Double>] {
        let w = Double(intrinsics.width), h = Double(intrinsics.height)
        var polygon: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(w, 0), SIMD2(w, h), SIMD2(0, h)]
        for k in 0..<4 {
            let g = { (p: SIMD2<Double>) -> Double in self.constraints(self.ray(x: p.x, y: p.y))[k] }
            var out: [SIMD2<Double>] = []
            for i in polygon.indices {
                let p = polygon[i], q = polygon[(i + 1) % polygon.count]
                let gp = g(p), gq = g(q)
                if gp <= 0 { out.append(p) }
                if (gp <= 0) != (gq <= 0) {
                    let t = gp / (gp - gq)
                    out.append(p + (q - p) * t)
                }
            }
            polygon = out
            if polygon.isEmpty { break }
        }
        return polygon
    }

    /// The ground footprint, ENU metres from the nadir point, one corner per outline vertex.
    /// Empty when no pixel of the frame sees the ground.
    public func footprintENU() -> [SIMD2<Double>] {
        visibleOutline().compactMap { p in
            let d = ray(x: p.x, y: p.y)
            return d.z < 0 ? intersect(d) : nil
        }
    }

    /// The ground footprint as `[longitude, latitude]` corners (not closed; image order, top-left first).
    public func footprint() -> [[Double]] {
        footprintENU().map { g in
            let p = plane.geodetic(SIMD3(g.x, g.y, 0))
            return [p.longitude, p.latitude]
        }
    }
}
