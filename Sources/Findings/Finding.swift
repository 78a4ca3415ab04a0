import Geodesy

/// One detected defect in one frame: what `pavewatch inspect --json` writes per finding.
///
/// Pixel fields come from the detector (issue 5); the optional geographic fields from geotagging (issue 6).
/// JSON keys: `class`, `subtype`, `confidence`, `bbox` (`[x, y, w, h]`), `outline` (`[[x, y], ...]`),
/// `lengthPx`, `widthPx`, `areaPx`, `latitude`, `longitude`, `uncertaintyM`, `lengthM`, `widthMm`, `areaM2`,
/// `geoOutline` (a GeoJSON `Polygon` or `LineString`). Absent optional keys decode as `nil`.
public struct Finding: Codable, Sendable, Hashable {
    /// Crack or leak.
    public var defectClass: DefectClass
    /// Crack subtype (`longitudinal`, `transverse`, `block`, `alligator`); `nil` for leaks or when unknown.
    public var subtype: String?
    /// Detector confidence in 0...1.
    public var confidence: Double
    /// Pixel bounding box.
    public var bbox: BoundingBox
    /// Pixel outline, `[[x, y], ...]`.
    public var outline: [[Double]]
    /// Skeleton length in pixels (cracks).
    public var lengthPx: Double?
    /// Mean width in pixels (cracks).
    public var widthPx: Double?
    /// Area in pixels.
    public var areaPx: Double?
    /// Latitude of the finding's centre in degrees; `nil` when the frame has no position.
    public var latitude: Double?
    /// Longitude of the finding's centre in degrees.
    public var longitude: Double?
    /// Horizontal location uncertainty in metres (1 sigma).
    public var uncertaintyM: Double?
    /// Crack length in metres.
    public var lengthM: Double?
    /// Crack width in millimetres.
    public var widthMm: Double?
    /// Area in square metres (leaks, and cracks where measured).
    public var areaM2: Double?
    /// Ground outline.
    public var geoOutline: GeoOutline?

    /// Creates a finding; geographic fields default to absent.
    public init(defectClass: DefectClass, subtype: String? = nil, confidence: Double,
                bbox: BoundingBox, outline: [[Double]] = [], lengthPx: Double? = nil,
                widthPx: Double? = nil, areaPx: Double? = nil, latitude: Double? = nil,
                longitude: Double? = nil, uncertaintyM: Double? = nil, lengthM: Double? = nil,
                widthMm: Double? = nil, areaM2: Double? = nil, geoOutline: GeoOutline? = nil) {
        self.defectClass = defectClass
        self.subtype = subtype
        self.confidence = confidence
        self.bbox = bbox
        self.outline = outline
        self.lengthPx = lengthPx
        self.widthPx = widthPx
        self.areaPx = areaPx
        self.latitude = latitude
        self.longitude = longitude
        self.uncertaintyM = uncertaintyM
        self.lengthM = lengthM
        self.widthMm = widthMm
        self.areaM2 = areaM2
        self.geoOutline = geoOutline
    }

    /// The finding's position, when it has one.
    public var location: GeoPoint? {
        guard let latitude, let longitude else { return nil }
        return GeoPoint(latitude: latitude, longitude: longitude)
    }

    private enum CodingKeys: String, CodingKey {
        case defectClass = "class"
        case subtype, confidence, bbox, outline, lengthPx, widthPx, areaPx
        case latitude, longitude, uncertaintyM, lengthM, widthMm, areaM2, geoOutline
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        defectClass = try c.decode(DefectClass.self, forKey: .defectClass)
        subtype = try c.decodeIfPresent(String.self, forKey: .subtype)
        confidence = try c.decode(Double.self, forKey: .confidence)
        bbox = try c.decode(BoundingBox.self, forKey: .bbox)
        outline = try c.decodeIfPresent([[Double]].self, forKey: .outline) ?? []
        lengthPx = try c.decodeIfPresent(Double.self, forKey: .lengthPx)
        widthPx = try c.decodeIfPresent(Double.self, forKey: .widthPx)
        areaPx = try c.decodeIfPresent(Double.self, forKey: .areaPx)
        latitude = try c.decodeIfPresent(Double.self, forKey: .latitude)
        longitude = try c.decodeIfPresent(Double.self, forKey: .longitude)
        uncertaintyM = try c.decodeIfPresent(Double.self, forKey: .uncertaintyM)
        lengthM = try c.decodeIfPresent(Double.self, forKey: .lengthM)
        widthMm = try c.decodeIfPresent(Double.self, forKey: .widthMm)
        areaM2 = try c.decodeIfPresent(Double.self, forKey: .areaM2)
        geoOutline = try c.decodeIfPresent(GeoOutline.self, forKey: .geoOutline)
    }
}
