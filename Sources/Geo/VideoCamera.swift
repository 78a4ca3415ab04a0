import Foundation
import Metadata
import Yams

/// Why a video camera file could not be used.
public struct VideoCameraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file and what is wrong with it.
    public var message: String
    public var description: String { message }
}

/// The camera of a survey video (`--camera FILE`): its intrinsics and, for a camera on a vehicle, how it is
/// mounted. Frames of a video carry no EXIF, so this is where their focal length comes from.
///
/// ```yaml
/// name: survey van front camera
/// horizontal_fov: 94          # degrees across the frame; or focal_length_px (+ cx, cy) of the decoded frame
/// # A forward-looking vehicle camera (omit for a drone: its height and gimbal come from the telemetry):
/// height_above_road: 1.45     # metres
/// pitch: -14                  # degrees; 0 horizon, -90 straight down
/// roll: 0                     # degrees, optional
/// yaw_offset: 0               # degrees clockwise from the direction of travel, optional (180: rear camera)
/// detection_limit_mm: 10      # findings where a pixel covers more ground than this are dropped (default 10)
/// ```
/// A vehicle camera is oriented by the GPS track's heading; its ground projection is the same pinhole model as a
/// drone frame's (``FrameGeometry``).
public struct VideoCamera: Sendable, Equatable, Decodable {
    public var name: String?
    /// Horizontal field of view of the decoded frame, degrees.
    public var horizontalFOV: Double?
    /// Focal length in pixels of the decoded frame (wins over the field of view).
    public var focalLengthPx: Double?
    /// Principal point, pixels (default: the frame's centre).
    public var cx: Double?
    public var cy: Double?
    /// Height of the camera above the road, metres: set for a vehicle camera.
    public var heightAboveRoad: Double?
    /// Camera pitch (0 horizon, -90 down) and roll, degrees; for a drone they replace the telemetry's gimbal angles.
    public var pitch: Double?
    public var roll: Double?
    /// Degrees clockwise from the direction of travel (vehicle cameras).
    public var yawOffset: Double?
    /// Coarsest ground sampling distance at which findings are kept, millimetres per pixel.
    public var detectionLimitMm: Double?

    /// The default detection limit: 10 mm per pixel, the ASTM D6433 boundary between low and medium crack widths.
    public static let defaultDetectionLimitMm = 10.0

    enum CodingKeys: String, CodingKey {
        case name, cx, cy, pitch, roll
        case horizontalFOV = "horizontal_fov", focalLengthPx = "focal_length_px", heightAboveRoad = "height_above_road"
        case yawOffset = "yaw_offset", detectionLimitMm = "detection_limit_mm"
    }

    public init(name: String? = nil, horizontalFOV: Double? = nil, focalLengthPx: Double? = nil,
                heightAboveRoad: Double? = nil, pitch: Double? = nil, roll: Double? = nil, yawOffset: Double? = nil,
                detectionLimitMm: Double? = nil)
    {
        self.name = name
        self.horizontalFOV = horizontalFOV
        self.focalLengthPx = focalLengthPx
        self.heightAboveRoad = heightAboveRoad
        self.pitch = pitch
        self.roll = roll
        self.yawOffset = yawOffset
        self.detectionLimitMm = detectionLimitMm
    }

    /// Whether the camera rides on a vehicle (its height is given; its heading is the track's).
    public var isVehicle: Bool { heightAboveRoad != nil }

    /// The detection limit in use, millimetres per pixel.
    public var detectionLimit: Double { detectionLimitMm ?? Self.defaultDetectionLimitMm }

    /// Reads a camera file.
    /// - Parameters: yaml: the text; file: the name used in errors.
    /// - Throws: ``VideoCameraError`` naming the file and the field.
    public static func load(yaml: String, file: String) throws(VideoCameraError) -> VideoCamera {
        let c: VideoCamera
        do { c = try YAMLDecoder().decode(VideoCamera.self, from: yaml) } catch {
            throw VideoCameraError(message: "\(file): not a camera file (\(error))")
        }
        func check(_ name: String, _ v: Double?, _ range: ClosedRange<Double>) throws(VideoCameraError) {
            if let v, !range.contains(v) {
                throw VideoCameraError(message: "\(file): \(name) must be within \(range.lowerBound)...\(range.upperBound), not \(v)")
            }
        }
        try check("horizontal_fov", c.horizontalFOV, 1...179)
        try check("focal_length_px", c.focalLengthPx, 1...1_000_000)
        try check("cx", c.cx, -1_000_000...1_000_000)
        try check("cy", c.cy, -1_000_000...1_000_000)
        try check("height_above_road", c.heightAboveRoad, 0.05...1000)
        try check("pitch", c.pitch, -90...30)
        try check("roll", c.roll, -90...90)
        try check("yaw_offset", c.yawOffset, -360...360)
        try check("detection_limit_mm", c.detectionLimitMm, 0.01...10_000)
        if c.horizontalFOV == nil && c.focalLengthPx == nil {
            throw VideoCameraError(message: "\(file): give horizontal_fov or focal_length_px")
        }
        if c.isVehicle && c.pitch == nil {
            throw VideoCameraError(message: "\(file): a vehicle camera (height_above_road) needs its pitch")
        }
        return c
    }

    /// Focal length in pixels for a decoded frame `width` pixels wide.
    public func focalLengthPixels(width: Int) -> Double? {
        if let f = focalLengthPx { return f }
        guard let fov = horizontalFOV else { return nil }
        return Double(width) / 2 / tan(fov / 2 * .pi / 180)
    }

    /// The metadata a video frame is geotagged with: the telemetry's position, heights and gimbal, this camera's
    /// intrinsics and, for a vehicle camera, its mounting height and angles turned to the direction of travel.
    /// - Parameters:
    ///   - sample: the telemetry at the frame's time (nil: no position).
    ///   - heading: direction of travel, degrees clockwise from north (vehicle cameras; nil: unknown).
    ///   - width: decoded frame width, pixels.
    ///   - height: decoded frame height, pixels.
    public func metadata(sample: TelemetrySample?, heading: Double?, width: Int, height: Int) -> ImageMetadata {
        var m = sample?.metadata ?? ImageMetadata()
        m.calibratedFocalLength = focalLengthPixels(width: width)
        m.exifWidth = width
        m.exifHeight = height
        m.opticalCenterX = cx
        m.opticalCenterY = cy
        if let h = heightAboveRoad {
            m.relativeAltitude = h
            m.gimbalYaw = heading.map { h in
                let y = (h + (yawOffset ?? 0)).truncatingRemainder(dividingBy: 360)
                return y < 0 ? y + 360 : y
            }
            m.flightYaw = nil
        }
        if let pitch { m.gimbalPitch = pitch }
        if pitch != nil || heightAboveRoad != nil { m.gimbalRoll = roll ?? 0 }
        return m
    }
}

extension FrameGeometry {
    /// Ground distance from the nadir point, metres, at which the image's centre column reaches a ground sampling
    /// distance of `limitMm` millimetres per pixel: the range beyond which findings are too coarse to keep. Nil when
    /// the whole column stays finer (a nadir frame) or no pixel of it sees the ground.
    public func range(whereGSDReaches limitMm: Double) -> Double? {
        let x = intrinsics.cx
        let limit = limitMm / 1000
        // Walk up the centre column from the bottom; GSD grows towards the horizon.
        var previous: (y: Double, gsd: Double)?
        let steps = 256
        for k in 0...steps {
            let y = Double(intrinsics.height) * (1 - Double(k) / Double(steps))
            guard let gsd = try? groundSampleDistance(x: x, y: y) else { break }
            if gsd >= limit {
                guard let p = previous else { return 0 }
                // Refine between the two rows.
                var lo = y, hi = p.y
                for _ in 0..<30 {
                    let mid = (lo + hi) / 2
                    if let g = try? groundSampleDistance(x: x, y: mid), g < limit { hi = mid } else { lo = mid }
                }
                guard let g = try? groundPoint(x: x, y: hi) else { return nil }
                return (g * g).sum().squareRoot()
            }
            previous = (y, gsd)
        }
        return nil
    }
}
