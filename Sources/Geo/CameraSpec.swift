/// Sensor and lens of a camera model, as its maker's specification sheet gives them.
public struct CameraSpec: Sendable, Equatable, Codable {
    /// Human name, e.g. "DJI Phantom 4 RTK".
    public var name: String
    /// EXIF Make as written by the camera (matched case-insensitively, ignoring punctuation).
    public var make: String
    /// EXIF Model values that name this camera.
    public var models: [String]
    /// Sensor width and height, millimetres.
    public var sensorWidth: Double
    public var sensorHeight: Double
    /// Nominal focal length, millimetres (EXIF FocalLength wins when present).
    public var focalLength: Double
    /// Full-resolution image size, pixels.
    public var imageWidth: Int
    public var imageHeight: Int

    public init(name: String, make: String, models: [String], sensorWidth: Double, sensorHeight: Double,
                focalLength: Double, imageWidth: Int, imageHeight: Int)
    {
        self.name = name
        self.make = make
        self.models = models
        self.sensorWidth = sensorWidth
        self.sensorHeight = sensorHeight
        self.focalLength = focalLength
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
    }
}

/// User-supplied values that replace what the metadata and the camera database say.
public struct CameraOverrides: Sendable, Equatable, Codable {
    /// Focal length, millimetres.
    public var focalLength: Double?
    /// Sensor width, millimetres.
    public var sensorWidth: Double?
    /// Height of the camera above the ground, metres.
    public var heightAboveGround: Double?

    public init(focalLength: Double? = nil, sensorWidth: Double? = nil, heightAboveGround: Double? = nil) {
        self.focalLength = focalLength
        self.sensorWidth = sensorWidth
        self.heightAboveGround = heightAboveGround
    }
}
