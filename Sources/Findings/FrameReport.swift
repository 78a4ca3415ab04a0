import Geodesy

/// The findings of one frame: the top-level object of `pavewatch inspect --json`
/// (`{ "file", "width", "height", "findings": [...] }`), with the optional camera position and ground
/// footprint that geotagging adds.
public struct FrameReport: Codable, Sendable, Hashable {
    /// The image path as given to `inspect`.
    public var file: String
    /// Frame width in pixels.
    public var width: Int
    /// Frame height in pixels.
    public var height: Int
    /// Findings of the frame, possibly empty.
    public var findings: [Finding]
    /// Camera latitude in degrees, when known.
    public var latitude: Double?
    /// Camera longitude in degrees, when known.
    public var longitude: Double?
    /// Height above ground in metres, when known.
    public var altitudeM: Double?
    /// Ground sampling distance in cm per pixel, when known.
    public var gsdCmPerPx: Double?
    /// Ground footprint corners as `[[longitude, latitude], ...]`, when known. A later survey whose
    /// footprints cover a fixed ticket and see nothing there verifies the repair.
    public var footprint: [GeoPoint]?
    /// Capture time (ISO 8601), when known.
    public var capturedAt: String?
    /// True when nothing places the frame on the ground (no GPS, no telemetry, no camera file): its findings are
    /// kept and reported in pixels only. Absent (nil) for geotagged frames.
    public var noLocation: Bool?
    /// Share of the frame the detector looked at for defects: its paved surface (asphalt, concrete, pavers, lining),
    /// 0...1, from the surface map; absent when the map was off.
    public var surfaceFraction: Double?
    /// The paved surface's area on the ground in square metres (the surveyed surface): the frame's ground area times
    /// ``surfaceFraction``; absent without a ground scale.
    public var surveyedAreaM2: Double?
    /// Detection limit: the width in millimetres that a crack needs to fill one pixel at the scale the detector
    /// worked at; narrower cracks may be missed. Absent without a ground scale.
    public var detectionLimitMm: Double?
    /// True when the frame was too coarse for the leak finder (ground sampling distance above its limit, 10 mm/px by
    /// default): no leak finding there says nothing about leaks. Absent when leaks were looked for, or leak detection
    /// was off.
    public var leaksNotLookedFor: Bool?

    /// Creates a report.
    public init(file: String, width: Int, height: Int, findings: [Finding], latitude: Double? = nil,
                longitude: Double? = nil, altitudeM: Double? = nil, gsdCmPerPx: Double? = nil,
                footprint: [GeoPoint]? = nil, capturedAt: String? = nil) {
        self.file = file
        self.width = width
        self.height = height
        self.findings = findings
        self.latitude = latitude
        self.longitude = longitude
        self.altitudeM = altitudeM
        self.gsdCmPerPx = gsdCmPerPx
        self.footprint = footprint
        self.capturedAt = capturedAt
    }
}
