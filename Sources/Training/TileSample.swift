/// The class labels of the crack / leak / background classifier, in logit order.
public enum TileClass: Int, Sendable, CaseIterable, Codable {
    case crack = 0, leak = 1, background = 2

    /// `crack`, `leak`, `background`.
    public var name: String { String(describing: self) }

    /// The class names in logit order.
    public static let names = allCases.map(\.name)

    /// The class a `--tiles` folder name stands for (`Positive` / `Negative` read as crack / background).
    public init?(folderName: String) {
        switch folderName.lowercased() {
        case "crack", "positive", "cracks": self = .crack
        case "leak", "leaks", "leakage", "wet": self = .leak
        case "background", "negative", "none": self = .background
        default: return nil
        }
    }
}

/// One labelled gray tile, `size × size` bytes, with the photo it was cut from (train/validation splits
/// keep every photo on one side).
public struct TileSample: Sendable {
    /// Row-major gray pixels.
    public var pixels: [UInt8]
    /// Side length.
    public var size: Int
    /// The label.
    public var label: TileClass
    /// Source photo, `dataset/stem`.
    public var source: String

    public init(pixels: [UInt8], size: Int, label: TileClass, source: String) {
        precondition(pixels.count == size * size, "tile pixels do not fill \(size)x\(size)")
        self.pixels = pixels
        self.size = size
        self.label = label
        self.source = source
    }
}
