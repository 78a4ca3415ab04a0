import Metadata

/// What `pavewatch info` prints about a frame's ground geometry (JSON keys as the CLI issues name them).
public struct FrameGeoSummary: Sendable, Equatable, Codable {
    /// Ground sampling distance at the image centre, centimetres per pixel.
    public var gsdCmPerPx: Double?
    /// Footprint corners as `[longitude, latitude]` (not closed).
    public var footprint: [[Double]]?
    /// One-sigma location uncertainty at the image centre, metres.
    public var uncertaintyM: Double?
    /// Why there is no geometry (`nil` when there is).
    public var problem: String?

    public init(gsdCmPerPx: Double? = nil, footprint: [[Double]]? = nil, uncertaintyM: Double? = nil,
                problem: String? = nil)
    {
        self.gsdCmPerPx = gsdCmPerPx
        self.footprint = footprint
        self.uncertaintyM = uncertaintyM
        self.problem = problem
    }
}

extension FrameGeometry {
    /// GSD, footprint and uncertainty of a decoded frame, or the reason there are none. Never throws.
    /// - Parameters:
    ///   - metadata: the frame's metadata.
    ///   - width: decoded width, pixels.
    ///   - height: decoded height, pixels.
    ///   - overrides: focal length, sensor width, height above ground.
    public static func summary(metadata: ImageMetadata, width: Int, height: Int,
                               overrides: CameraOverrides = CameraOverrides()) -> FrameGeoSummary
    {
        do throws(GeoError) {
            let g = try FrameGeometry(metadata: metadata, width: width, height: height, overrides: overrides)
            let fp = g.footprint()
            let cx = g.intrinsics.cx, cy = g.intrinsics.cy
            return FrameGeoSummary(gsdCmPerPx: g.gsdCentimetresPerPixel, footprint: fp.isEmpty ? nil : fp,
                                   uncertaintyM: try? g.locationUncertainty(x: cx, y: cy),
                                   problem: fp.isEmpty ? "no pixel of the frame sees the ground" : nil)
        } catch {
            return FrameGeoSummary(problem: error.message)
        }
    }
}

extension GeoError {
    /// A one-line explanation for users.
    public var message: String {
        switch self {
        case .noPosition: "no position (EXIF GPS, XMP or telemetry)"
        case .noHeight: "no height above ground (relative altitude); give one with an override"
        case .unknownCamera(let make, let model):
            "unknown camera \(make ?? "?") \(model ?? "?"): give focal length and sensor width"
        case .aboveHorizon(let x, let y): "pixel (\(x), \(y)) is at or above the horizon"
        case .behindCamera: "the point is behind the camera"
        case .invalidParameter(let p): "invalid parameter: \(p)"
        }
    }
}
