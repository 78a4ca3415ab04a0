import Foundation

/// A rotation from camera axes (x right, y down the image, z along the optical axis) to local east-north-up.
/// Stored as the images of the three camera axes (the matrix columns).
public struct CameraRotation: Sendable, Equatable {
    public var x: SIMD3<Double>
    public var y: SIMD3<Double>
    public var z: SIMD3<Double>

    /// Camera vector → ENU.
    public func apply(_ v: SIMD3<Double>) -> SIMD3<Double> { x * v.x + y * v.y + z * v.z }

    /// ENU vector → camera.
    public func inverse(_ v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((x * v).sum(), (y * v).sum(), (z * v).sum())
    }

    static func rad(_ d: Double) -> Double { d * .pi / 180 }

    /// Horizontal unit vectors (forward, right) of a heading `yaw`, degrees clockwise from north.
    static func heading(_ yaw: Double) -> (forward: SIMD3<Double>, right: SIMD3<Double>) {
        let ψ = rad(yaw)
        return (SIMD3(sin(ψ), cos(ψ), 0), SIMD3(cos(ψ), -sin(ψ), 0))
    }

    /// A gimbal camera in DJI's convention.
    /// - Parameters:
    ///   - yaw: degrees clockwise from north of the optical axis' horizontal direction.
    ///   - pitch: degrees; 0 = horizon, -90 = straight down, +up.
    ///   - roll: degrees about the optical axis, positive turning the image's right side down.
    public static func gimbal(yaw: Double, pitch: Double, roll: Double) -> CameraRotation {
        let (h, r) = heading(yaw)
        let up = SIMD3<Double>(0, 0, 1)
        let θ = rad(pitch), φ = rad(roll)
        let z = h * cos(θ) + up * sin(θ)
        let y0 = h * sin(θ) - up * cos(θ)
        return CameraRotation(x: r * cos(φ) + y0 * sin(φ), y: y0 * cos(φ) - r * sin(φ), z: z)
    }

    /// A camera fixed under an airframe, looking down with the image top towards the nose (senseFly).
    /// - Parameters:
    ///   - heading: airframe yaw, degrees clockwise from north.
    ///   - pitch: airframe pitch, degrees, nose up positive.
    ///   - roll: airframe roll, degrees, right wing down positive.
    public static func airframeNadir(heading: Double, pitch: Double, roll: Double) -> CameraRotation {
        let (f, r) = Self.heading(heading)
        let up = SIMD3<Double>(0, 0, 1)
        let p = rad(pitch), φ = rad(roll)
        let forward = f * cos(p) + up * sin(p)
        let down = f * sin(p) - up * cos(p)
        let right = r * cos(φ) + down * sin(φ)
        let down2 = down * cos(φ) - r * sin(φ)
        return CameraRotation(x: right, y: -forward, z: down2)
    }

    /// Pitch of the optical axis in DJI's convention (0 horizon, -90 down).
    public var pitch: Double { asin(max(-1, min(1, z.z))) * 180 / .pi }

    /// Heading of the optical axis (or, looking straight down, of the image top), degrees in [0, 360).
    public var yaw: Double {
        let horizontal = SIMD2(z.x, z.y)
        let v = (horizontal * horizontal).sum() > 1e-12 ? horizontal : SIMD2(-y.x, -y.y)
        let deg = atan2(v.x, v.y) * 180 / .pi
        return deg < 0 ? deg + 360 : deg
    }
}
