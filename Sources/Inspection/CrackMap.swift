import Foundation
import ImagingCore
import NeuralNet
import Synchronization

/// The crack probability map of a whole frame, computed tile by tile.
///
/// Each tile is cut with a margin of ``margin(_:)`` pixels (edge pixels repeated outside the frame), its
/// features and probabilities are computed, and only its core is kept. Features need ``CrackFeatures/halo``
/// pixels of context and the network its receptive radius, both inside the margin, so the map does
/// not depend on the tiling: no seams at tile borders.
public enum CrackMap {
    /// Margin around each tile's core for a model, pixels.
    public static func margin(_ model: CrackModel) -> Int { CrackFeatures.halo + model.receptiveRadius + 1 }

    private final class Sink: Sendable {
        let values: Mutex<[Float]>
        init(count: Int) { values = Mutex([Float](repeating: 0, count: count)) }
    }

    /// How the network runs over a tile.
    public enum Engine: Sendable {
        /// ``InferenceModel``: the convolutions fused tile by tile in the GEMM micro-kernel (the default).
        case inference
        /// The training layers' forward pass (``Sequential``), the reference that tests compare against.
        case reference
    }

    /// The tile cores of a `width × height` map for a core size (at least 16), row by row; the last column and row
    /// are cut at the edge.
    public static func tiles(width: Int, height: Int, tileSize: Int) -> [(x: Int, y: Int, w: Int, h: Int)] {
        let t = max(16, tileSize)
        var grid: [(x: Int, y: Int, w: Int, h: Int)] = []
        for y in stride(from: 0, to: height, by: t) {
            for x in stride(from: 0, to: width, by: t) { grid.append((x, y, min(t, width - x), min(t, height - y))) }
        }
        return grid
    }

    /// Crack probability per pixel.
    /// - Parameters: gray: (H, W) gray8; model: the crack model; tileSize: core size (≥ 16);
    ///   threads: workers (tiles run in parallel, one network per worker); engine: see ``Engine``;
    ///   active: the cascade's test of a tile core (x, y, width, height in `gray` pixels): the network runs only
    ///   on tiles it accepts, the others keep probability 0 (nil: every tile).
    /// - Returns: `H × W` probabilities in 0...1, row-major.
    public static func probabilities(_ gray: PixelBuffer, model: CrackModel, tileSize: Int = 256,
                                     threads: Int = 1, engine: Engine = .inference,
                                     active: ((_ x: Int, _ y: Int, _ width: Int, _ height: Int) -> Bool)? = nil)
        -> [Float] {
        let w = gray.width, h = gray.height
        guard w > 0 && h > 0 else { return [] }
        let scale = CrackFeatures.contrastScale(gray)
        var grid = tiles(width: w, height: h, tileSize: tileSize)
        if let active { grid.removeAll { !active($0.x, $0.y, $0.w, $0.h) } }
        let tiles = grid
        let sink = Sink(count: w * h)
        guard !tiles.isEmpty else { return sink.values.withLock { $0 } }
        let workers = max(1, min(threads, tiles.count))
        let m = margin(model)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var nets: [SIMD2<Int>: Sequential] = [:]
            var compiled: [SIMD2<Int>: InferenceModel] = [:]
            for index in stride(from: worker, to: tiles.count, by: workers) {
                let tile = tiles[index]
                // The fused convolutions want rows of a multiple of 16 pixels: widen the right margin.
                let ch = tile.h + 2 * m
                let cw = engine == .inference ? (tile.w + 2 * m + 15) / 16 * 16 : tile.w + 2 * m
                let crop = CrackFeatures.crop(gray, x: tile.x - m, y: tile.y - m, width: cw, height: ch)
                let features = CrackFeatures.compute(crop, scale: scale)
                let key = SIMD2(cw, ch)
                let logits: [Float]
                switch engine {
                case .inference:
                    let net = compiled[key] ?? InferenceModel(network: model.network(height: ch, width: cw), batchSize: 1)
                    compiled[key] = net
                    logits = net.run(features, count: 1)
                case .reference:
                    let net = nets[key] ?? model.network(height: ch, width: cw)
                    nets[key] = net
                    logits = CrackModel.logits(features, net: net)
                }
                sink.values.withLock { out in
                    for r in 0..<tile.h {
                        let src = (r + m) * cw + m, dst = (tile.y + r) * w + tile.x
                        for c in 0..<tile.w { out[dst + c] = 1 / (1 + exp(-logits[src + c])) }
                    }
                }
            }
        }
        return sink.values.withLock { $0 }
    }
}
