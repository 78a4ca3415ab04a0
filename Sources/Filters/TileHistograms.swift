import ImagingCore
import Kernels

/// Histograms of small-integer labels (LBP bins) over a grid of tiles: the texture descriptor of each tile.
public struct TileHistograms: Sendable, Equatable {
    /// Tiles across and down.
    public let tilesX: Int
    public let tilesY: Int
    /// Bins per histogram.
    public let bins: Int
    /// Tile size in pixels (edge tiles may be smaller).
    public let tileWidth: Int
    public let tileHeight: Int
    /// Counts, tile-major: `counts[(ty * tilesX + tx) * bins + b]`.
    public var counts: [UInt32]

    /// Counts of tile (tx, ty).
    public func histogram(tx: Int, ty: Int) -> ArraySlice<UInt32> {
        let start = (ty * tilesX + tx) * bins
        return counts[start..<(start + bins)]
    }

    /// Counts of tile (tx, ty) divided by the tile's pixel count (sums to 1).
    public func normalized(tx: Int, ty: Int) -> [Float] {
        let h = histogram(tx: tx, ty: ty)
        let total = max(1, h.reduce(0, +))
        return h.map { Float($0) / Float(total) }
    }

    /// Histograms of LBP codes per tile.
    /// - Parameters: codes: (H, W) gray8 of raw LBP codes (``LocalBinaryPattern/codes(_:mapping:border:threads:)``
    ///   with `.raw`); mapping: how codes group into bins; tileWidth, tileHeight: ≥ 1.
    /// - Returns: ⌈W / tileWidth⌉ x ⌈H / tileHeight⌉ histograms of `mapping.binCount` bins.
    public static func lbp(_ codes: PixelBuffer, mapping: LBPMapping, tileWidth: Int, tileHeight: Int) -> TileHistograms {
        precondition(codes.format == .gray8, "codes must be gray8")
        precondition(tileWidth >= 1 && tileHeight >= 1, "tiles must be at least 1x1")
        let table = mapping.table
        let tx = (codes.width + tileWidth - 1) / tileWidth, ty = (codes.height + tileHeight - 1) / tileHeight
        let bins = mapping.binCount
        var counts = [UInt32](repeating: 0, count: tx * ty * bins)
        for y in 0..<codes.height {
            let rowBase = (y / tileHeight) * tx
            let row = codes.row(y)
            var x = 0
            for code in row {
                counts[(rowBase + x / tileWidth) * bins + Int(table[Int(code)])] += 1
                x += 1
            }
        }
        return TileHistograms(tilesX: tx, tilesY: ty, bins: bins, tileWidth: tileWidth, tileHeight: tileHeight,
                              counts: counts)
    }
}
