import Dispatch
import Foundation
import ImagingCore
import NeuralNet

/// Benchmark stages of the NeuralNet module (see Benchmarks/README.md for the stage names).
///
/// - `gemm`: 1024×1024×1024 float32 multiply (2·1024³ FLOP; GFLOP/s = 2147.5 / ms).
/// - `cnn_tiles`: the committed classifier (`models/crack-v1.0.nnw`, or `$PAVEWATCH_MODEL`) over every
///   whole 64×64 tile of the gray frame, in batches of 64, one ``InferenceModel`` (scratch allocated once)
///   per thread; includes converting the pixels to normalised floats, as the onnxruntime baseline does.
///   With `$PAVEWATCH_ARCH` (the architecture JSON that `compare --arch` gives onnxruntime, e.g.
///   `models/segmenter-draft.arch.json`) that network runs instead with seeded weights (speed does not depend on
///   them): an encoder-decoder through ``GraphInference`` over every whole tile of its input size (RGB for
///   three channels), one tile at a time per thread; a chain of "same" convolutions (the per-pixel crack network,
///   `models/crack-pixel-v2.1.arch.json`) through the detector's own engine (``ChainTileRunner``).
let nnStages: [BenchStage] = [
    BenchStage(name: "gemm") { input in
        let n = 1024
        var rng = RandomSource(seed: 1)
        let a = (0..<(n * n)).map { _ in rng.normal() }, b = (0..<(n * n)).map { _ in rng.normal() }
        let box = GEMMBox(c: [Float](repeating: 0, count: n * n), workspace: GEMMWorkspace(threads: input.threads))
        let threads = input.threads
        return {
            GEMM.multiply(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: &box.c, ldc: n,
                          threads: threads, workspace: box.workspace)
        }
    },
    BenchStage(name: "cnn_tiles") { input in
        if let archPath = ProcessInfo.processInfo.environment["PAVEWATCH_ARCH"] {
            let arch = try JSONDecoder().decode(Architecture.self, from: Data(contentsOf: URL(fileURLWithPath: archPath)))
            let frame = arch.input.channels == 3 ? input.rgb : input.gray
            if let radius = arch.sameChainRadius {
                return try ChainTileRunner(architecture: arch, radius: radius, frame: input.gray, threads: input.threads).run
            }
            return try GraphTileRunner(graph: Graph(architecture: arch, seed: 1), frame: frame, threads: input.threads).run
        }
        let path = ProcessInfo.processInfo.environment["PAVEWATCH_MODEL"] ?? "models/crack-v1.0.nnw"
        let file = try ModelFile(path: path)
        return TileRunner(file: file, frame: input.gray, threads: input.threads).run
    },
]

/// The destination and scratch of the `gemm` stage, reused across timed runs.
private final class GEMMBox: @unchecked Sendable {
    var c: [Float]
    let workspace: GEMMWorkspace
    init(c: [Float], workspace: GEMMWorkspace) {
        self.c = c
        self.workspace = workspace
    }
}

/// Classifies every tile of a frame with one worker per thread; each worker owns its model copy, input
/// batch and output buffer (allocated here, once).
private final class TileRunner: @unchecked Sendable {
    /// One thread's model and buffers.
    final class Worker {
        let model: InferenceModel
        var input: [Float]
        var output: [Float]
        /// Arg-max class per tile of this worker's batches (kept so the work cannot be optimised away).
        var decisions: [UInt8]
        init(model: InferenceModel, tile: Int, tiles: Int) {
            self.model = model
            input = [Float](repeating: 0, count: model.batchSize * tile * tile)
            output = [Float](repeating: 0, count: model.batchSize * model.outputs)
            decisions = [UInt8](repeating: 0, count: tiles)
        }
    }

    let frame: PixelBuffer
    let workers: [Worker]
    let tile: Int, columns: Int, count: Int, batch = 64
    let mean: Float, invStd: Float

    init(file: ModelFile, frame: PixelBuffer, threads: Int) {
        self.frame = frame
        let net = file.makeNetwork()
        let tile = net.input.width
        self.tile = tile
        columns = frame.width / tile
        let count = columns * (frame.height / tile)
        self.count = count
        workers = (0..<max(1, threads)).map { _ in
            Worker(model: InferenceModel(network: net, batchSize: 64, threads: 1), tile: tile, tiles: count)
        }
        mean = file.metadata.normalization.mean
        invStd = 1 / file.metadata.normalization.std
    }

    func run() {
        let batches = (count + batch - 1) / batch, t = workers.count
        DispatchQueue.concurrentPerform(iterations: t) { w in
            let worker = workers[w]
            var b = w
            while b < batches {
                let first = b * batch, n = min(batch, count - first)
                fill(worker, first: first, n: n)
                worker.model.run(worker.input, count: n, into: &worker.output)
                let k = worker.model.outputs
                for i in 0..<n {
                    var best = 0
                    for c in 1..<k where worker.output[c * n + i] > worker.output[best * n + i] { best = c }
                    worker.decisions[first + i] = UInt8(best)
                }
                b += t
            }
        }
    }

    private func fill(_ worker: Worker, first: Int, n: Int) {
        let scale = invStd / 255, shift = -mean * invStd, plane = tile * tile
        for i in 0..<n {
            let tx = (first + i) % columns * tile, ty = (first + i) / columns * tile
            for y in 0..<tile {
                let src = (ty + y) * frame.rowStride + tx, dst = i * plane + y * tile
                for x in 0..<tile { worker.input[dst + x] = Float(frame.bytes[src + x]) * scale + shift }
            }
        }
    }
}

/// Runs an encoder-decoder over every whole tile of a frame (the `cnn_tiles` baseline's tiling: input size, no
/// overlap, pixels / 255), tiles split over the threads, one ``GraphInference`` and input buffer per thread.
private final class GraphTileRunner: @unchecked Sendable {
    let frame: PixelBuffer
    let engines: [GraphInference]
    let th: Int, tw: Int, channels: Int, columns: Int, count: Int
    /// Largest first logit per thread (kept so the work cannot be optimised away); each thread writes its own.
    let sinks: UnsafeMutableBufferPointer<Float>

    init(graph: Graph, frame: PixelBuffer, threads: Int) throws {
        self.frame = frame
        th = graph.input.height; tw = graph.input.width; channels = graph.input.channels
        guard channels == frame.format.channels else {
            throw ArchitectureError(layer: 0, message: "the architecture takes \(channels) channels, the frame has \(frame.format.channels)")
        }
        columns = frame.width / tw
        count = columns * (frame.height / th)
        engines = try (0..<max(1, threads)).map { _ in try GraphInference(graph: graph) }
        sinks = .allocate(capacity: max(1, threads))
        sinks.initialize(repeating: 0)
    }

    deinit { sinks.deallocate() }

    func run() {
        let t = engines.count, plane = th * tw, c = channels
        DispatchQueue.concurrentPerform(iterations: t) { w in
            var x = [Float](repeating: 0, count: c * plane)
            var best = -Float.infinity
            var i = w
            while i < count {
                let tx = i % columns * tw, ty = i / columns * th
                for y in 0..<th {
                    let row = (ty + y) * frame.rowStride + tx * c
                    for px in 0..<tw {
                        for k in 0..<c { x[k * plane + y * tw + px] = Float(frame.bytes[row + px * c + k]) * (1 / 255) }
                    }
                }
                best = max(best, engines[w].run(x, count: 1)[0])
                i += t
            }
            sinks[w] = best
        }
    }
}

/// Runs a chain of stride-1 "same" convolutions (the detector's per-pixel crack network) over every whole tile of
/// a frame as the detector's ``CrackMap`` does: each tile cut with a margin of the network's receptive radius
/// (edge pixels repeated outside the frame), the wavefront engine (``InferenceModel`` with an output margin)
/// computing only the tile's core. The input channels all hold the gray pixels / 255 (speed does not depend on
/// the values; the detector feeds its filter features). Tiles split over the threads, one engine per thread.
private final class ChainTileRunner: @unchecked Sendable {
    let frame: PixelBuffer
    let engines: [InferenceModel]
    let tile: Int, radius: Int, inputWidth: Int, inputHeight: Int, channels: Int, columns: Int, count: Int
    /// Largest logit per thread (kept so the work cannot be optimised away); each thread writes its own.
    let sinks: UnsafeMutableBufferPointer<Float>

    init(architecture: Architecture, radius: Int, frame: PixelBuffer, threads: Int) throws {
        self.frame = frame
        self.radius = radius
        tile = architecture.input.height
        channels = architecture.input.channels
        guard architecture.input.width == tile else {
            throw ArchitectureError(layer: 0, message: "the per-pixel chain wants square tiles, not \(architecture.input.width)×\(tile)")
        }
        // As CrackMap: rows of a multiple of 16 pixels for the fused convolutions.
        inputHeight = tile + 2 * radius
        inputWidth = (tile + 2 * radius + 15) / 16 * 16
        let network = try Sequential(architecture: architecture.withInput(height: inputHeight, width: inputWidth), seed: 1)
        columns = frame.width / tile
        count = columns * (frame.height / tile)
        engines = (0..<max(1, threads)).map { _ in InferenceModel(network: network, batchSize: 1, outputMargin: radius) }
        sinks = .allocate(capacity: max(1, threads))
        sinks.initialize(repeating: 0)
    }

    deinit { sinks.deallocate() }

    func run() {
        let t = engines.count, plane = inputWidth * inputHeight, c = channels, r = radius
        let needed = OutputRegion(rows: r..<(r + tile), columns: r..<(r + tile))
        DispatchQueue.concurrentPerform(iterations: t) { w in
            var x = [Float](repeating: 0, count: c * plane)
            var best = -Float.infinity
            var i = w
            while i < count {
                let tx = i % columns * tile - r, ty = i / columns * tile - r
                for y in 0..<inputHeight {
                    let row = min(max(ty + y, 0), frame.height - 1) * frame.rowStride
                    for px in 0..<inputWidth {
                        let v = Float(frame.bytes[row + min(max(tx + px, 0), frame.width - 1)]) * (1 / 255)
                        for k in 0..<c { x[k * plane + y * inputWidth + px] = v }
                    }
                }
                // As the detector: one output map per tile.
                let out = engines[w].run(x, needed: needed)
                best = max(best, out[(r + tile / 2) * inputWidth + r + tile / 2])
                i += t
            }
            sinks[w] = best
        }
    }
}
