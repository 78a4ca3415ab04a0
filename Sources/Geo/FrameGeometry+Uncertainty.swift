import Foundation
import Metadata

/// How well a camera's horizontal position is known.
public struct PositionAccuracy: Sendable, Equatable, Codable {
    public enum Source: String, Sendable, Equatable, Codable {
        /// DJI RTK fixed solution (`RtkFlag` 50).
        case rtkFixed
        /// DJI RTK float solution (`RtkFlag` 34).
        case rtkFloat
        /// An accuracy the file states (`Camera:GPSXYAccuracy`).
        case reported
        /// Nothing stated: the accuracy class of consumer GNSS receivers.
        case consumerGNSS
        /// Ground control points (fixed camera).
        case groundControl
    }

    /// One-sigma horizontal position error, metres.
    public var horizontal: Double
    /// One-sigma error of the height above ground, metres.
    public var vertical: Double
    /// One-sigma error of the camera's tilt (pitch/roll) and heading, degrees.
    public var tilt: Double
    public var heading: Double
    public var source: Source

    /// Consumer GNSS class: about 2.5 m one-sigma horizontally (≈ 5 m at 95 %), barometric height ±1 m.
    public static let consumerHorizontal = 2.5
    public static let consumerVertical = 1.0

    public init(horizontal: Double, vertical: Double, tilt: Double, heading: Double, source: Source) {
        self.horizontal = horizontal
        self.vertical = vertical
        self.tilt = tilt
        self.heading = heading
        self.source = source
    }

    /// The accuracy the metadata implies.
    /// - RTK fixed: `RtkStdLon/Lat` (root-sum-square) and `RtkStdHgt`, or 5 cm / 10 cm when absent.
    /// - RTK float: the standard deviations, or 0.5 m / 1 m.
    /// - `Camera:GPSXYAccuracy` / `GPSZAccuracy` when > 0.
    /// - Otherwise the consumer GNSS class.
    /// Attitude: gimbal-stabilised cameras 0.5° tilt, airframe-fixed cameras 2°; heading 2° from a compass,
    /// 1° with RTK fixed (dual antenna or RTK-aided).
    public init(metadata m: ImageMetadata, attitude: CameraPose.AttitudeSource) {
        let tilt = attitude == .senseflyAirframe || attitude == .assumedNadir ? 2.0 : 0.5
        let std = { () -> Double? in
            guard let lon = m.rtkStdLon, let lat = m.rtkStdLat else { return nil }
            return (lon * lon + lat * lat).squareRoot()
        }()
        switch m.rtkFlag {
        case 50:
            self.init(horizontal: std ?? 0.05, vertical: m.rtkStdHgt ?? 0.1, tilt: tilt, heading: 1, source: .rtkFixed)
        case 34:
            self.init(horizontal: std ?? 0.5, vertical: m.rtkStdHgt ?? 1, tilt: tilt, heading: 2, source: .rtkFloat)
        default:
            if let xy = m.gpsXYAccuracy, xy > 0 {
                let z = m.gpsZAccuracy.flatMap { $0 > 0 ? $0 : nil } ?? Self.consumerVertical
                self.init(horizontal: xy, vertical: z, tilt: tilt, heading: 2, source: .reported)
            } else {
                self.init(horizontal: Self.consumerHorizontal, vertical: Self.consumerVertical, tilt: tilt,
                          heading: 2, source: .consumerGNSS)
            }
        }
    }
}

extension FrameGeometry {
    /// The accuracy of this frame's camera position and attitude.
    public var accuracy: PositionAccuracy {
        PositionAccuracy(metadata: metadata ?? ImageMetadata(), attitude: pose.attitudeSource)
    }

    /// One-sigma horizontal uncertainty, metres, of the ground position of a pixel.
    ///
    /// Root-sum-square of independent terms at ground distance `D` from the nadir point, height `H`:
    /// camera position σp; height error σH·D/H; tilt error σt·(H² + D²)/H (the ground moves by dD/dα);
    /// heading error σψ·D; and, for a crop of unknown place in its parent photo, half the parent frame's
    /// ground diagonal at nadir. It grows with obliqueness through D.
    /// - Throws: `GeoError.aboveHorizon` for refused pixels.
    public func locationUncertainty(x: Double, y: Double) throws(GeoError) -> Double {
        let a = accuracy
        let g = try groundPoint(x: x, y: y)
        let d = (g * g).sum().squareRoot()
        let h = pose.heightAboveGround
        let rad = Double.pi / 180
        var terms = [
            a.horizontal,
            a.vertical * d / h,
            a.tilt * rad * (h * h + d * d) / h,
            a.heading * rad * d,
        ]
        if intrinsics.isCropOfUnknownPosition, let spec = intrinsics.spec {
            let parent = Double(spec.imageWidth * spec.imageWidth + spec.imageHeight * spec.imageHeight).squareRoot()
            let fullFocal = intrinsics.focalLength  // crops keep the parent's pixel scale
            terms.append(h / fullFocal * parent / 2)
        }
        return (terms.map { $0 * $0 }.reduce(0, +)).squareRoot()
    }
}
