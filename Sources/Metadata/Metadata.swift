// TEMPORARY stand-in on main until the Metadata parser lands from its branch (it replaces this file).
/// Metadata read from an image file.
public struct ImageMetadata: Sendable, Equatable, Codable {
    public var orientation: Int?
    public init() {}
    public static func parse(jpeg bytes: [UInt8]) throws -> ImageMetadata { ImageMetadata() }
}
