import Metadata

/// Where a camera is and where it looks: position, height above the ground and attitude.
public struct CameraPose: Sendable, Equatable {
    /// Where the attitude came from.
    public enum AttitudeSource: String, Sendable, Equatable, Codable {
        /// DJI `GimbalPitchDegree` / `GimbalYawDegree` / `GimbalRollDegree` (or SRT G.PRY).
        case djiGimbal
        /// Pix4D `Camera:Pitch/Yaw/Roll` (Autel, senseFly S.O.D.A.): pitch 0 = nadir.
        case pix4dCamera
        /// senseFly airframe heading / pitch / roll with a fixed nadir camera.
        case senseflyAirframe
        /// No attitude in the metadata: assumed nadir with the image top to the north.
        case assumedNadir
    }

    /// Camera position, WGS84 degrees.
    public var latitude: Double
    public var longitude: Double
    /// Height of the camera above the ground plane, metres.
    public var heightAboveGround: Double
    /// Camera axes in local east-north-up.
    public var rotation: CameraRotation
    public var attitudeSource: AttitudeSource
    /// Whether a heading was known (otherwise north was assumed).
    public var yawKnown: Bool

    public init(latitude: Double, longitude: Double, heightAboveGround: Double, rotation: CameraRotation,
                attitudeSource: AttitudeSource, yawKnown: Bool = true)
    {
        self.latitude = latitude
        self.longitude = longitude
        self.heightAboveGround = heightAboveGround
        self.rotation = rotation
        self.attitudeSource = attitudeSource
        self.yawKnown = yawKnown
    }

    /// The pose a photo's metadata describes.
    ///
    /// Height above ground: `overrides.heightAboveGround`, else DJI `RelativeAltitude`, else senseFly `Height`,
    /// else Pix4D `AboveGroundAltitude`; EXIF GPS altitude (above sea level) is never used. The ground is taken
    /// to be level with the take-off point.
    /// Attitude: DJI gimbal angles (yaw falling back to the flight yaw), else Pix4D camera angles, else senseFly
    /// airframe angles, else nadir with north up.
    /// - Throws: `GeoError.noPosition`, `.noHeight`, `.invalidParameter` (height ≤ 0).
    public init(metadata m: ImageMetadata, overrides: CameraOverrides = CameraOverrides()) throws(GeoError) {
        guard let lat = m.latitude, let lon = m.longitude else { throw .noPosition }
        guard let h = overrides.heightAboveGround ?? m.relativeAltitude ?? m.heightAboveTakeoff ?? m.aboveGroundAltitude
        else { throw .noHeight }
        guard h > 0, h.isFinite else { throw .invalidParameter("height above ground \(h) m must be > 0") }
        latitude = lat
        longitude = lon
        heightAboveGround = h
        if let pitch = m.gimbalPitch {
            let yaw = m.gimbalYaw ?? m.flightYaw
            rotation = .gimbal(yaw: yaw ?? 0, pitch: pitch, roll: m.gimbalRoll ?? 0)
            attitudeSource = .djiGimbal
            yawKnown = yaw != nil
        } else if let pitch = m.cameraPitch {
            rotation = .gimbal(yaw: m.cameraYaw ?? 0, pitch: pitch - 90, roll: m.cameraRoll ?? 0)
            attitudeSource = .pix4dCamera
            yawKnown = m.cameraYaw != nil
        } else if let heading = m.heading {
            rotation = .airframeNadir(heading: heading, pitch: m.pitchAngle ?? 0, roll: m.rollAngle ?? 0)
            attitudeSource = .senseflyAirframe
            yawKnown = true
        } else {
            rotation = .gimbal(yaw: m.flightYaw ?? 0, pitch: -90, roll: 0)
            attitudeSource = .assumedNadir
            yawKnown = m.flightYaw != nil
        }
    }
}

extension TelemetrySample {
    /// The sample as photo metadata (position, heights, gimbal and flight angles), for frames without EXIF.
    public var metadata: ImageMetadata {
        var m = ImageMetadata()
        m.latitude = latitude
        m.longitude = longitude
        m.relativeAltitude = relativeAltitude
        m.absoluteAltitude = absoluteAltitude
        m.gimbalPitch = gimbalPitch
        m.gimbalYaw = gimbalYaw
        m.gimbalRoll = gimbalRoll
        m.flightPitch = flightPitch
        m.flightYaw = flightYaw
        m.flightRoll = flightRoll
        m.captureTime = date
        return m
    }
}
