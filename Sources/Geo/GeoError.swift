/// Why a frame could not be placed on the ground.
public enum GeoError: Error, Sendable, Equatable {
    /// The frame has no latitude/longitude (EXIF, XMP or telemetry).
    case noPosition
    /// No height above ground: no relative altitude / senseFly height / Autel above-ground altitude and no override.
    /// (EXIF GPS altitude is above sea level and is never used as flight height.)
    case noHeight
    /// Neither the camera database, DJI calibration, a 35 mm equivalent nor an override gives the focal length in
    /// pixels. Names the make and model found.
    case unknownCamera(make: String?, model: String?)
    /// The pixel's ray does not meet the ground in front of the camera within the allowed range
    /// (at or above the horizon, or too close to it).
    case aboveHorizon(x: Double, y: Double)
    /// The ground point lies behind the camera.
    case behindCamera
    /// A parameter is out of its valid range (named).
    case invalidParameter(String)
}
