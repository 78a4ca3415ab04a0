import Filters
import Foundation
import ImagingCore
import Kernels
import NeuralNet
import Synchronization

/// The crack probability map of a whole frame, computed tile by tile.
///
/// Each tile is cut with a margin of ``margin(_:)`` pixels (edge pixels repeated outside the frame), its
/// probabilities are computed, and only its core is kept. The per-pixel kind of model needs
/// ``CrackFeatures/halo`` pixels of context for its features and its receptive radius, the segmenter kind its
/// receptive radius, both inside the margin (a segmenter's tiles also start on multiples of its alignment), so the
/// map does not depend on the tiling: no seams at tile borders.
public enum CrackMap {
    /// Margin around each tile's core for a model, pixels.
    public static func margin(_ model: CrackModel) -> Int {
        switch model.kind {
        case .pixel: CrackFeatures.halo + model.receptiveRadius + 1
        case .segmenter: roundUp(model.receptiveRadius + 1, to: model.alignment)
        }
    }

    static func roundUp(_ n: Int, to k: Int) -> Int { (n + k - 1) / max(1, k) * max(1, k) }

    private final class Sink: Sendable {
        let values: Mutex<[Float]>
        init(count: Int) { values = Mutex([Float](repeating: 0, count: count)) }
    }

    /// How the network runs over a tile.
    public enum Engine: Sendable {
        /// ``InferenceModel`` / ``GraphInference``: folded, fused inference (the default).
        case inference
        /// The training layers' forward pass (``Sequential`` / ``Graph``), the reference that tests compare against.
        case reference
    }

    /// A tile core: top-left corner and size in map pixels.
    public typealias Tile = (x: Int, y: Int, w: Int, h: Int)

    /// The cascade's cut of a tile core: the part the network must cover.
    public struct Cut: Sendable {
        /// The box of the part (map pixels, inside the tile core).
        public var box: Tile
        /// Per row of ``box`` (top to bottom), the columns needed on that row (map pixels, inside the box's columns;
        /// possibly empty); nil: the whole box.
        public var spans: [Range<Int>]?

        /// Creates a cut: a box, or a box with its own columns on each row.
        public init(box: Tile, spans: [Range<Int>]? = nil) {
            precondition(spans == nil || spans!.count == box.h, "one span per row of the box")
            self.box = box
            self.spans = spans
        }

        /// The columns needed on map row `y` (a row of the box).
        public func columns(ofRow y: Int) -> Range<Int> { spans?[y - box.y] ?? box.x..<(box.x + box.w) }

        /// Map pixels the cut covers.
        public var pixels: Int { spans.map { $0.reduce(0) { $0 + $1.count } } ?? box.w * box.h }
    }

    /// The tile cores of a `width × height` map for a core size (at least 16), row by row; the last column and row
    /// are cut at the edge.
    public static func tiles(width: Int, height: Int, tileSize: Int) -> [Tile] {
        let t = max(16, tileSize)
        var grid: [Tile] = []
        for y in stride(from: 0, to: height, by: t) {
            for x in stride(from: 0, to: width, by: t) { grid.append((x, y, min(t, width - x), min(t, height - y))) }
        }
        return grid
    }

    /// The core size a model's tiles use for a requested size: a multiple of the model's alignment.
    public static func tileSize(_ requested: Int, model: CrackModel) -> Int { roundUp(max(16, requested), to: model.alignment) }

    /// Crack probability per pixel.
    /// - Parameters: image: (H, W) gray8 or rgb8 (the per-pixel kind works on gray, the segmenter on colour; each is
    ///   converted when the other is given); model: the crack model; tileSize: core size (≥ 16, rounded up to the
    ///   model's alignment); threads: workers (tiles run in parallel, one network per worker); engine: see
    ///   ``Engine``; active: the cascade's cut of a tile core (x, y, width, height in `image` pixels): the part of
    ///   the core the network must cover (a box, or per row its columns), or nil to skip the tile; pixels it leaves
    ///   out keep probability 0 (the per-pixel kind computes only that part; the segmenter the whole tile). Nil:
    ///   every tile, whole.
    /// - Returns: `H × W` probabilities in 0...1, row-major.
    public static func probabilities(_ image: PixelBuffer, model: CrackModel, tileSize: Int = 256,
                                     threads: Int = 1, engine: Engine = .inference,
                                     active: ((_ x: Int, _ y: Int, _ width: Int, _ height: Int) -> Cut?)? = nil)
        -> [Float] {
        let w = image.width, h = image.height
        guard w > 0 && h > 0 else { return [] }
        let t = Self.tileSize(tileSize, model: model)
        let grid: [(tile: Tile, needed: Cut)] = tiles(width: w, height: h, tileSize: t).compactMap { tile in
            guard let active else { return (tile, Cut(box: tile)) }
            return active(tile.x, tile.y, tile.w, tile.h).map { (tile, $0) }
        }
        // Every tile runs at one core shape (edge tiles padded with repeated edge pixels beyond the frame, which the
        // margin keeps out of the core's values), so each worker needs one compiled network, kept between frames.
        let core = (w: min(t, roundUp(w, to: model.alignment)), h: min(t, roundUp(h, to: model.alignment)))
        switch model.kind {
        case .pixel:
            let gray = image.format == .gray8 ? image : ColorConversion.gray(image, threads: max(1, threads))
            let scale = CrackFeatures.contrastScale(gray, rule: model.contrastScale)
            return run(grid, width: w, height: h, threads: threads) {
                pixelWorker(gray, model: model, core: core, scale: scale, engine: engine)
            }
        case .segmenter(let crackClass):
            let rgb = colour(image)
            return run(grid, width: w, height: h, threads: threads) {
                segmenterWorker(rgb, model: model, core: core, crackClass: crackClass, engine: engine)
            }
        }
    }

    /// A worker: maps a tile to the probabilities of its core (row-major; at least the needed part, a sub-rectangle
    /// of the core, computed: 0 or values elsewhere) with its own network, then gives the network back to the
    /// model's pool when the frame is done.
    private struct Worker {
        var map: (_ tile: Tile, _ needed: Cut) -> [Float]
        var finish: () -> Void
    }

    /// Runs `tiles` over `threads` workers; each worker is made once per frame (its network taken from the model's
    /// pool or compiled) and finished after its last tile.
    private static func run(_ tiles: [(tile: Tile, needed: Cut)], width w: Int, height h: Int, threads: Int,
                            makeWorker: @Sendable () -> Worker) -> [Float] {
        let sink = Sink(count: w * h)
        guard !tiles.isEmpty else { return sink.values.withLock { $0 } }
        let workers = max(1, min(threads, tiles.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let core = makeWorker()
            defer { core.finish() }
            for index in stride(from: worker, to: tiles.count, by: workers) {
                let (tile, needed) = tiles[index]
                let p = core.map(tile, needed)
                sink.values.withLock { out in
                    for y in needed.box.y..<(needed.box.y + needed.box.h) {
                        let src = (y - tile.y) * tile.w - tile.x
                        for x in needed.columns(ofRow: y) { out[y * w + x] = p[src + x] }
                    }
                }
            }
        }
        return sink.values.withLock { $0 }
    }

    /// A worker of the per-pixel kind: features of the tile with its margin, then the network. Every tile is cut at
    /// the frame's `core` size plus margins.
    private static func pixelWorker(_ gray: PixelBuffer, model: CrackModel, core: (w: Int, h: Int), scale: Float,
                                    engine: Engine) -> Worker {
        let m = margin(model)
        // The fused convolutions want rows of a multiple of 16 pixels: widen the right margin.
        let ch = core.h + 2 * m
        let cw = engine == .inference ? roundUp(core.w + 2 * m, to: 16) : core.w + 2 * m
        let key = CompiledNetworkPool.Key(width: cw, height: ch)
        var compiled: InferenceModel?
        var net: Sequential?
        switch engine {
        case .inference:
            // Only the core is kept: the network skips the margin's rings it does not need.
            compiled = model.compiled.take(key)
                ?? InferenceModel(network: model.network(height: ch, width: cw), batchSize: 1, outputMargin: m)
        case .reference:
            net = model.network(height: ch, width: cw)
        }
        let map: (Tile, Cut) -> [Float] = { tile, needed in
            let crop = CrackFeatures.crop(gray, x: tile.x - m, y: tile.y - m, width: cw, height: ch)
            let features = CrackFeatures.compute(crop, scale: scale)
            // The needed part of the core, in the network's map (the core starts at (m, m)).
            let rows = needed.box.y..<(needed.box.y + needed.box.h), dx = m - tile.x, dy = m - tile.y
            let region = needed.spans == nil
                ? OutputRegion(rows: (rows.lowerBound + dy)..<(rows.upperBound + dy),
                               columns: (needed.box.x + dx)..<(needed.box.x + needed.box.w + dx))
                : OutputRegion(rows: (rows.lowerBound + dy)..<(rows.upperBound + dy),
                               spans: rows.map { y in let c = needed.columns(ofRow: y); return (c.lowerBound + dx)..<(c.upperBound + dx) })
            let logits = compiled.map { $0.run(features, needed: region) } ?? CrackModel.logits(features, net: net!)
            var out = [Float](repeating: 0, count: tile.w * tile.h)
            for y in rows {
                let src = (y + dy) * cw + dx, dst = (y - tile.y) * tile.w - tile.x
                for x in needed.columns(ofRow: y) { out[dst + x] = 1 / (1 + exp(-logits[src + x])) }
            }
            return out
        }
        return Worker(map: map, finish: { if let compiled { model.compiled.give(key, compiled) } })
    }

    /// A worker of the segmenter kind: the tile with its margin as RGB floats (−1…1), the encoder-decoder, and the
    /// softmax probability of the crack class. Every tile is cut at the frame's `core` size plus margins.
    private static func segmenterWorker(_ rgb: PixelBuffer, model: CrackModel, core: (w: Int, h: Int), crackClass: Int,
                                        engine: Engine) -> Worker {
        let m = margin(model), a = model.alignment
        // Heights a multiple of the alignment; widths so that the coarsest layer's rows are a multiple of 8
        // pixels (its convolutions then run fused).
        let ch = roundUp(core.h + 2 * m, to: a), cw = roundUp(core.w + 2 * m, to: 8 * a)
        let key = CompiledNetworkPool.Key(width: cw, height: ch)
        var compiled: GraphInference? = engine == .inference ? model.compiled.take(key) : nil
        let graph = compiled == nil ? model.graph(height: ch, width: cw) : nil
        if engine == .inference, compiled == nil, let graph {
            // The model's graph always compiles (convolutions, activations, upsampling, concat and add only).
            compiled = try! GraphInference(graph: graph)
        }
        let plane = cw * ch
        let map: (Tile, Cut) -> [Float] = { tile, _ in
            let crop = CrackFeatures.crop(rgb, x: tile.x - m, y: tile.y - m, width: cw, height: ch)
            var x = [Float](repeating: 0, count: 3 * plane)
            for r in 0..<ch {
                let row = r * crop.rowStride
                for c in 0..<cw {
                    for k in 0..<3 { x[k * plane + r * cw + c] = Float(crop.bytes[row + 3 * c + k]) / 127.5 - 1 }
                }
            }
            let logits = compiled.map { $0.run(x, count: 1) }
                ?? graph!.forward(Tensor(shape: Shape(channels: 3, batch: 1, height: ch, width: cw), data: x),
                                 context: PassContext(training: false)).data
            let classes = logits.count / plane
            var out = [Float](repeating: 0, count: tile.w * tile.h)
            for r in 0..<tile.h {
                for c in 0..<tile.w {
                    let i = (r + m) * cw + m + c, own = logits[crackClass * plane + i]
                    var sum: Float = 0
                    for k in 0..<classes { sum += exp(logits[k * plane + i] - own) }
                    out[r * tile.w + c] = 1 / sum
                }
            }
            return out
        }
        return Worker(map: map, finish: { if let compiled { model.compiled.give(key, compiled) } })
    }

    /// The image as rgb8: gray replicated into three channels, alpha dropped.
    static func colour(_ image: PixelBuffer) -> PixelBuffer {
        guard image.format != .rgb8 else { return image }
        var out = PixelBuffer(width: image.width, height: image.height, format: .rgb8)
        let c = image.format.channels
        for y in 0..<image.height {
            for x in 0..<image.width {
                let s = y * image.rowStride + x * c, d = y * out.rowStride + 3 * x
                for k in 0..<3 { out.bytes[d + k] = image.bytes[s + (c == 1 ? 0 : k)] }
            }
        }
        return out
    }
}
