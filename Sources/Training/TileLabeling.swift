/// Rules that turn pixel labels into tile labels.
public struct TileLabeling: Sendable, Hashable, Codable {
    /// A tile is `crack` when at least this fraction of its pixels are crack.
    public var crackFraction: Double
    /// A tile is `background` when at most this fraction of its pixels are labelled (tiles in between are
    /// ambiguous and skipped, in training and in evaluation alike).
    public var backgroundFraction: Double
    /// A tile is `leak` when at least this fraction of its pixels are leak.
    public var leakFraction: Double

    public init(crackFraction: Double = 0.01, backgroundFraction: Double = 0.001, leakFraction: Double = 0.3) {
        self.crackFraction = crackFraction
        self.backgroundFraction = backgroundFraction
        self.leakFraction = leakFraction
    }

    /// The label of a tile from its crack, leak and other-damage pixel fractions, or nil when ambiguous.
    public func label(crack: Double, leak: Double = 0, other: Double = 0) -> TileClass? {
        if leak >= leakFraction { return .leak }
        if crack >= crackFraction && leak <= backgroundFraction { return .crack }
        if crack <= backgroundFraction && leak <= backgroundFraction && other <= backgroundFraction { return .background }
        return nil
    }

    /// What one mask value means.
    public enum PixelKind: Sendable { case background, crack, leak, other }

    /// Cuts `image` into `size` tiles every `stride` pixels and labels each from `mask`.
    /// - Parameters: classify: what each mask byte means.
    public func tiles(image: GrayImage, mask: GrayImage, size: Int, stride: Int, source: String,
                      classify: (UInt8) -> PixelKind) -> [TileSample] {
        precondition(image.width == mask.width && image.height == mask.height, "mask size differs from image \(source)")
        guard image.width >= size && image.height >= size else { return [] }
        var lut = [Int](repeating: 0, count: 256)
        for v in 0..<256 {
            switch classify(UInt8(v)) {
            case .background: lut[v] = 0
            case .crack: lut[v] = 1
            case .leak: lut[v] = 2
            case .other: lut[v] = 3
            }
        }
        var out: [TileSample] = []
        for y in Swift.stride(from: 0, through: image.height - size, by: stride) {
            for x in Swift.stride(from: 0, through: image.width - size, by: stride) {
                var counts = [0, 0, 0, 0]
                for r in y..<(y + size) {
                    for c in x..<(x + size) { counts[lut[Int(mask.pixels[r * mask.width + c])]] += 1 }
                }
                let n = Double(size * size)
                if let l = label(crack: Double(counts[1]) / n, leak: Double(counts[2]) / n, other: Double(counts[3]) / n) {
                    out.append(TileSample(pixels: image.crop(x: x, y: y, size: size), size: size, label: l, source: source))
                }
            }
        }
        return out
    }
}
