import Foundation
// TEMPORARY stand-in on main until the Metadata parser lands from its branch (it replaces this file).
/// Metadata read from an image file.
public struct ImageMetadata: Sendable, Equatable, Codable {
    public var orientation: Int?
    public var latitude: Double?
    public var longitude: Double?
    public var gpsAltitude: Double?
    public var relativeAltitude: Double?
    public var gimbalPitch: Double?
    public var gimbalYaw: Double?
    public var flightYaw: Double?
    public var make: String?
    public var model: String?
    public var focalLength: Double?
    public var focalLength35mm: Double?
    public var captureTime: Date?
    public init() {}
    public static func parse(jpeg bytes: [UInt8]) throws -> ImageMetadata { ImageMetadata() }
}
