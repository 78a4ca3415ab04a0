#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Position, attitude and camera fields of one photo, read from its EXIF and XMP.
///
/// Every field is optional: a field is `nil` when the file does not carry it or carries garbage.
/// Angles are in degrees, distances in metres, positions in decimal degrees on WGS84.
/// Conventions of the vendors are kept as written (see each group); `Geo` converts them to a camera pose.
public struct ImageMetadata: Sendable, Equatable, Codable {
    /// Where `latitude` / `longitude` came from.
    public enum PositionSource: String, Sendable, Equatable, Codable {
        /// EXIF GPS IFD.
        case exifGPS
        /// DJI XMP `drone-dji:GpsLatitude` / `GpsLongitude`.
        case djiXMP
        /// senseFly XMP `sensefly:Latitude` / `Longitude`.
        case senseflyXMP
    }

    // MARK: Position
    /// Latitude in decimal degrees, WGS84, north positive. EXIF GPS wins over XMP when both exist.
    public var latitude: Double?
    /// Longitude in decimal degrees, WGS84, east positive.
    public var longitude: Double?
    /// Which block `latitude` and `longitude` came from.
    public var positionSource: PositionSource?
    /// EXIF GPS altitude in metres (negative below sea level when GPSAltitudeRef is 1).
    /// Above sea level or the ellipsoid: never a height above ground.
    public var gpsAltitude: Double?
    /// EXIF GPS date stamp + time stamp (UTC).
    public var gpsTime: Date?

    // MARK: Camera (EXIF)
    /// EXIF Make (IFD0), or `tiff:Make` from XMP when EXIF lacks it.
    public var make: String?
    /// EXIF Model (IFD0), or `tiff:Model` from XMP when EXIF lacks it.
    public var model: String?
    /// Focal length in millimetres (EXIF FocalLength).
    public var focalLength: Double?
    /// 35 mm equivalent focal length in millimetres (EXIF FocalLengthIn35mmFilm).
    public var focalLength35mm: Double?
    /// EXIF DateTimeOriginal. Shifted by OffsetTimeOriginal when present, otherwise read as UTC.
    public var captureTime: Date?
    /// EXIF Orientation, 1...8 (1 = as stored).
    public var orientation: Int?
    /// EXIF PixelXDimension. The decoded image size wins over this (tiles keep their parent's value).
    public var exifWidth: Int?
    /// EXIF PixelYDimension.
    public var exifHeight: Int?

    // MARK: DJI XMP (drone-dji:)
    /// `RelativeAltitude`: metres above the take-off point.
    public var relativeAltitude: Double?
    /// `AbsoluteAltitude`: metres above sea level (barometric / GNSS).
    public var absoluteAltitude: Double?
    /// `GimbalPitchDegree`: 0 = horizon, -90 = straight down.
    public var gimbalPitch: Double?
    /// `GimbalYawDegree`: clockwise from true north.
    public var gimbalYaw: Double?
    /// `GimbalRollDegree`.
    public var gimbalRoll: Double?
    /// `FlightYawDegree`: airframe heading, clockwise from true north.
    public var flightYaw: Double?
    /// `FlightPitchDegree`.
    public var flightPitch: Double?
    /// `FlightRollDegree`.
    public var flightRoll: Double?
    /// `RtkFlag`: 0 none, 16 single point, 34 float, 50 fixed.
    public var rtkFlag: Int?
    /// `RtkStdLon`: standard deviation of longitude, metres.
    public var rtkStdLon: Double?
    /// `RtkStdLat`: standard deviation of latitude, metres.
    public var rtkStdLat: Double?
    /// `RtkStdHgt`: standard deviation of height, metres.
    public var rtkStdHgt: Double?
    /// `CalibratedFocalLength`, in pixels.
    public var calibratedFocalLength: Double?
    /// `CalibratedOpticalCenterX`, in pixels.
    public var opticalCenterX: Double?
    /// `CalibratedOpticalCenterY`, in pixels.
    public var opticalCenterY: Double?

    // MARK: Pix4D camera namespace (Autel, senseFly S.O.D.A.): `Camera:` http://pix4d.com/camera/1.0
    /// `Camera:Pitch` in the Pix4D convention: 0 = looking straight down (nadir), 90 = horizon.
    public var cameraPitch: Double?
    /// `Camera:Yaw`: clockwise from north of the image's up direction.
    public var cameraYaw: Double?
    /// `Camera:Roll`.
    public var cameraRoll: Double?
    /// `Camera:AboveGroundAltitude`, metres, as the drone wrote it.
    public var aboveGroundAltitude: Double?
    /// `Camera:GPSXYAccuracy`, metres (0 means unknown).
    public var gpsXYAccuracy: Double?
    /// `Camera:GPSZAccuracy`, metres (0 means unknown).
    public var gpsZAccuracy: Double?
    /// `Camera:PerspectiveFocalLength`, millimetres (0 means unknown).
    public var perspectiveFocalLength: Double?
    /// `Camera:PrincipalPoint` x, millimetres.
    public var principalPointX: Double?
    /// `Camera:PrincipalPoint` y, millimetres.
    public var principalPointY: Double?

    // MARK: senseFly XMP (sensefly:) http://ns.sensefly.com/sensefly/1.0/
    /// `Height`: metres above the take-off point.
    public var heightAboveTakeoff: Double?
    /// `AltitudeAMSL`: metres above mean sea level.
    public var altitudeAMSL: Double?
    /// `Heading`: airframe heading, degrees clockwise from north.
    public var heading: Double?
    /// `PitchAngle`: airframe pitch, degrees (camera fixed, looking down at 0).
    public var pitchAngle: Double?
    /// `RollAngle`: airframe roll, degrees.
    public var rollAngle: Double?
    /// `GroundSpeed`, m/s.
    public var groundSpeed: Double?
    /// `AirSpeed`, m/s.
    public var airSpeed: Double?
    /// `UTCTime`.
    public var utcTime: Date?

    /// Metadata with every field `nil`.
    public init() {}

    /// Whether the frame has a horizontal position.
    public var hasPosition: Bool { latitude != nil && longitude != nil }
}
