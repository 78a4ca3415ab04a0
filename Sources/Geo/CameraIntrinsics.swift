import Metadata

/// Pinhole intrinsics of one decoded image: focal length and principal point in that image's pixels.
///
/// Pixel coordinates are continuous: the image spans `0...width` × `0...height`, pixel (i, j) has its centre at
/// (i + 0.5, j + 0.5), x to the right, y down. Lens distortion is not modelled.
public struct CameraIntrinsics: Sendable, Equatable {
    /// Focal length in pixels of this image.
    public var focalLength: Double
    /// Principal point, pixels.
    public var cx: Double
    public var cy: Double
    /// Image size, pixels.
    public var width: Int
    public var height: Int
    /// The image is a crop (tile) of a larger photo at an unknown place in it: the principal point is assumed at
    /// the crop's centre, and positions are only as good as the parent frame's footprint.
    public var isCropOfUnknownPosition: Bool
    /// The camera database entry used, if any.
    public var spec: CameraSpec?

    public init(focalLength: Double, cx: Double, cy: Double, width: Int, height: Int,
                isCropOfUnknownPosition: Bool = false, spec: CameraSpec? = nil)
    {
        self.focalLength = focalLength
        self.cx = cx
        self.cy = cy
        self.width = width
        self.height = height
        self.isCropOfUnknownPosition = isCropOfUnknownPosition
        self.spec = spec
    }

    /// Intrinsics of a decoded image from its metadata.
    ///
    /// The decoded size wins over EXIF's PixelX/YDimension, which names the full photo: a smaller image with the
    /// same aspect ratio is a resize (focal length scaled), any other smaller image is a crop of unknown place.
    /// Focal length in pixels, first that applies: overrides (focal mm / sensor width mm), DJI
    /// `CalibratedFocalLength`, EXIF focal length (or the database's) over the database's sensor width, EXIF focal
    /// length with its 35 mm equivalent (sensor diagonal = 43.27 mm × f / f35).
    /// - Parameters:
    ///   - metadata: the photo's metadata.
    ///   - width: decoded width, pixels.
    ///   - height: decoded height, pixels.
    ///   - overrides: user values.
    /// - Throws: `GeoError.unknownCamera` when nothing gives a focal length in pixels; `.invalidParameter`.
    public init(metadata m: ImageMetadata, width: Int, height: Int,
                overrides: CameraOverrides = CameraOverrides()) throws(GeoError)
    {
        guard width > 0, height > 0 else { throw .invalidParameter("image size \(width)x\(height)") }
        let spec = CameraDatabase.lookup(make: m.make, model: m.model)
        // Without EXIF dimensions (video frames, telemetry), the decoded frame is taken as the full sensor width.
        var fullW = Double(m.exifWidth ?? width)
        var fullH = Double(m.exifHeight ?? height)
        let w = Double(width), h = Double(height)
        // A portrait (rotated) frame of a landscape camera.
        if (fullW > fullH) != (w > h), w != h, fullW != fullH { swap(&fullW, &fullH) }
        var scale = 1.0
        var crop = false
        if fullW != w || fullH != h {
            if abs(w / fullW - h / fullH) < 0.01 * max(w / fullW, h / fullH) {
                scale = w / fullW
            } else if w <= fullW && h <= fullH {
                crop = true
            } else {
                scale = w / fullW
            }
        }
        // Focal length in full-frame pixels.
        let focalMM = overrides.focalLength ?? m.focalLength ?? spec?.focalLength
        var fFull: Double?
        if let sensor = overrides.sensorWidth, let f = focalMM {
            fFull = f / sensor * fullW
        } else if overrides.focalLength == nil, let calibrated = m.calibratedFocalLength {
            fFull = calibrated
        } else if let f = focalMM, let sensor = spec?.sensorWidth {
            fFull = f / sensor * fullW
        } else if let f = focalMM, let f35 = m.focalLength35mm, f35 > 0 {
            let diagonal = 43.266_6 * f / f35
            let sensorWidth = diagonal * fullW / (fullW * fullW + fullH * fullH).squareRoot()
            fFull = f / sensorWidth * fullW
        }
        guard let fFull, fFull > 0, fFull.isFinite else { throw .unknownCamera(make: m.make, model: m.model) }
        focalLength = fFull * scale
        if crop {
            (cx, cy) = (w / 2, h / 2)
        } else if overrides.focalLength == nil, let ox = m.opticalCenterX, let oy = m.opticalCenterY,
                  ox > 0, oy > 0, ox < fullW, oy < fullH
        {
            (cx, cy) = (ox * scale, oy * scale)
        } else {
            (cx, cy) = (w / 2, h / 2)
        }
        self.width = width
        self.height = height
        isCropOfUnknownPosition = crop
        self.spec = spec
    }

    /// Ground sampling distance of a nadir view from `height` metres: metres per pixel = height / focal length.
    public func nadirGSD(height: Double) -> Double { height / focalLength }
}
