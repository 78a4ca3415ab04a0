import Foundation
import Geodesy
import Yams

/// A pixel of a fixed camera's image and the ground position it shows.
public struct GroundControlPoint: Sendable, Equatable, Codable {
    /// Pixel coordinates (x right, y down; pixel centres at +0.5).
    public var x: Double
    public var y: Double
    /// WGS84 degrees.
    public var latitude: Double
    public var longitude: Double

    public init(x: Double, y: Double, latitude: Double, longitude: Double) {
        self.x = x
        self.y = y
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// Why a fixed-camera file could not be used.
public enum FixedCameraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The YAML did not parse or lacks a field (the decoder's message).
    case invalidFile(String)
    /// The control points do not determine a homography.
    case badControlPoints(Homography.FitError)

    public var description: String {
        switch self {
        case .invalidFile(let m): "camera file: \(m)"
        case .badControlPoints(.tooFewPoints(let n)): "camera file: \(n) ground control points, at least 4 are needed"
        case .badControlPoints(.duplicatePoints(let a, let b)):
            "camera file: ground control points \(a + 1) and \(b + 1) coincide"
        case .badControlPoints(.collinear): "camera file: the ground control points lie on one line"
        case .badControlPoints(.degenerate):
            "camera file: the ground control points are degenerate (three of four on one line?)"
        case .badControlPoints(.countMismatch): "camera file: pixel and ground lists differ in length"
        case .badControlPoints(.nonFinite): "camera file: a coordinate is not a finite number"
        }
    }
}

/// A fixed camera (pole, building) whose image maps to the ground by a homography fitted to ground control points.
///
/// Ground coordinates are east/north metres on the plane tangent to WGS84 at the control points' centroid.
public struct FixedCamera: GroundProjection {
    public var name: String?
    public var controlPoints: [GroundControlPoint]
    /// One-sigma accuracy of the surveyed control points, metres (file `gcp_accuracy_m`, default 0.5).
    public var controlPointAccuracy: Double
    public let plane: LocalTangentPlane
    /// Pixel → ground (ENU metres).
    public let imageToGround: Homography
    /// Ground (ENU metres) → pixel.
    public let groundToImage: Homography
    /// RMS distance between the control points' ground positions and their pixels mapped to the ground, metres.
    public let reprojectionErrorMetres: Double
    /// RMS distance between the control points' pixels and their ground positions mapped to the image, pixels.
    public let reprojectionErrorPixels: Double

    /// Fits the homography.
    /// - Parameters:
    ///   - controlPoints: ≥ 4 points, not all on a line, no two equal; with exactly 4, no three on a line.
    ///   - name: a label.
    ///   - controlPointAccuracy: one-sigma survey accuracy of the points, metres.
    /// - Throws: `FixedCameraError.badControlPoints`.
    public init(controlPoints: [GroundControlPoint], name: String? = nil, controlPointAccuracy: Double = 0.5)
        throws(FixedCameraError)
    {
        guard !controlPoints.isEmpty else { throw .badControlPoints(.tooFewPoints(0)) }
        let n = Double(controlPoints.count)
        let centroid = GeoPoint(latitude: controlPoints.map(\.latitude).reduce(0, +) / n,
                                longitude: controlPoints.map(\.longitude).reduce(0, +) / n)
        let plane = LocalTangentPlane(origin: centroid)
        let pixels = controlPoints.map { SIMD2($0.x, $0.y) }
        let ground = controlPoints.map { p -> SIMD2<Double> in
            let e = plane.enu(GeoPoint(latitude: p.latitude, longitude: p.longitude))
            return SIMD2(e.x, e.y)
        }
        do throws(Homography.FitError) {
            let (forward, rmsMetres) = try Homography.fit(from: pixels, to: ground)
            let (backward, rmsPixels) = try Homography.fit(from: ground, to: pixels)
            imageToGround = forward
            groundToImage = backward
            reprojectionErrorMetres = rmsMetres
            reprojectionErrorPixels = rmsPixels
        } catch {
            throw .badControlPoints(error)
        }
        self.plane = plane
        self.controlPoints = controlPoints
        self.name = name
        self.controlPointAccuracy = controlPointAccuracy
    }

    /// The file layout.
    struct File: Decodable {
        struct Point: Decodable {
            var pixel: [Double]
            var latitude: Double?
            var longitude: Double?
            var lat: Double?
            var lon: Double?
        }

        var name: String?
        var gcp_accuracy_m: Double?
        var control_points: [Point]
    }

    /// Reads a camera file:
    /// ```yaml
    /// name: Harbour St pole 12
    /// gcp_accuracy_m: 0.3          # optional, default 0.5
    /// control_points:              # at least 4
    ///   - pixel: [412.0, 905.5]
    ///     latitude: 51.92251
    ///     longitude: 4.47921       # `lat` / `lon` also accepted
    /// ```
    /// - Throws: `FixedCameraError.invalidFile` or `.badControlPoints`.
    public static func load(yaml: String) throws(FixedCameraError) -> FixedCamera {
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: yaml)
        } catch {
            throw .invalidFile(String(describing: error))
        }
        var points: [GroundControlPoint] = []
        for (i, p) in file.control_points.enumerated() {
            guard p.pixel.count == 2 else { throw .invalidFile("control point \(i + 1): pixel needs [x, y]") }
            guard let lat = p.latitude ?? p.lat, let lon = p.longitude ?? p.lon else {
                throw .invalidFile("control point \(i + 1): latitude and longitude are required")
            }
            guard abs(lat) <= 90, abs(lon) <= 180 else { throw .invalidFile("control point \(i + 1): position out of range") }
            points.append(GroundControlPoint(x: p.pixel[0], y: p.pixel[1], latitude: lat, longitude: lon))
        }
        let accuracy = file.gcp_accuracy_m ?? 0.5
        guard accuracy.isFinite, accuracy > 0 else { throw .invalidFile("gcp_accuracy_m must be a positive number, not \(accuracy)") }
        return try FixedCamera(controlPoints: points, name: file.name, controlPointAccuracy: accuracy)
    }

    /// ENU metres of the ground under a pixel.
    /// - Throws: `GeoError.aboveHorizon` when the pixel is at or beyond the image of the ground's horizon line
    ///   (the side opposite the control points).
    public func groundPoint(x: Double, y: Double) throws(GeoError) -> SIMD2<Double> {
        let p = SIMD2(x, y)
        let reference = SIMD2(controlPoints[0].x, controlPoints[0].y)
        let w = imageToGround.w(p), w0 = imageToGround.w(reference)
        guard w * w0 > 0, abs(w) > 1e-9 * abs(w0), let g = imageToGround.apply(p) else {
            throw .aboveHorizon(x: x, y: y)
        }
        return g
    }

    /// The pixel showing a latitude/longitude.
    /// - Throws: `GeoError.behindCamera` when the point maps to infinity.
    public func pixel(latitude: Double, longitude: Double) throws(GeoError) -> SIMD2<Double> {
        let e = plane.enu(GeoPoint(latitude: latitude, longitude: longitude))
        guard let p = groundToImage.apply(SIMD2(e.x, e.y)) else { throw .behindCamera }
        return p
    }

    /// One-sigma horizontal uncertainty of a pixel's ground position, metres: control point accuracy,
    /// the fit's RMS reprojection error in metres, and the pixel RMS error times the local GSD (which grows
    /// towards the horizon), root-sum-square.
    /// - Throws: `GeoError.aboveHorizon`.
    public func locationUncertainty(x: Double, y: Double) throws(GeoError) -> Double {
        let gsd = try groundSampleDistance(x: x, y: y)
        let terms = [controlPointAccuracy, reprojectionErrorMetres, reprojectionErrorPixels * gsd, gsd]
        return terms.map { $0 * $0 }.reduce(0, +).squareRoot()
    }
}
