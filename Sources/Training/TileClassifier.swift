import NeuralNet

/// Runs a network over labelled tiles in batches and collects the decisions.
public struct TileClassifier {
    public let network: Sequential
    public let normalization: Normalization
    public let threads: Int
    public let batchSize: Int
    /// Test-time augmentation: the class probabilities are averaged over this many of the 8 flips / 90°
    /// rotations of each tile (1: the tile as it is; 2: plus its transpose; 4: plus both flips; 8: all).
    public let views: Int
    private let model: InferenceModel

    /// Compiles `network` for inference (batch norm folded; see ``InferenceModel``).
    /// - Parameters: views: 1, 2, 4 or 8 (see ``views``).
    public init(network: Sequential, normalization: Normalization, threads: Int = 1, batchSize: Int = 64, views: Int = 1) {
        precondition([1, 2, 4, 8].contains(views), "views must be 1, 2, 4 or 8")
        self.network = network
        self.normalization = normalization
        self.threads = threads
        self.batchSize = batchSize
        self.views = views
        self.model = InferenceModel(network: network, batchSize: batchSize, threads: threads)
    }

    /// The test-time views a model file asks for (its `testTimeViews` note; 1 without one).
    public static func views(of metadata: ModelMetadata) -> Int {
        let v = Int(metadata.notes["testTimeViews"] ?? "1") ?? 1
        return [1, 2, 4, 8].contains(v) ? v : 1
    }

    /// The dihedral transform `t` (0..<8) of a square tile: bit 2 transposes, bit 0 flips x, bit 1 flips y.
    /// View 0 is the identity, view 1 the transpose, views 2–3 add the flips of both axes.
    static func view(_ px: [UInt8], size n: Int, _ v: Int) -> [UInt8] {
        if v == 0 { return px }
        let t = [0, 4, 3, 7, 1, 2, 5, 6][v]
        var out = [UInt8](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                var sx = (t & 1) != 0 ? n - 1 - x : x, sy = (t & 2) != 0 ? n - 1 - y : y
                if (t & 4) != 0 { swap(&sx, &sy) }
                out[y * n + x] = px[sy * n + sx]
            }
        }
        return out
    }

    /// Packs tiles (floats in [0, 1]) into a normalised `(1, N, S, S)` batch.
    public static func batch(_ tiles: [[Float]], size: Int, normalization: Normalization) -> Tensor {
        var t = Tensor(zeros: Shape(channels: 1, batch: tiles.count, height: size, width: size))
        let inv = 1 / normalization.std
        for (n, tile) in tiles.enumerated() {
            for i in 0..<(size * size) { t.data[n * size * size + i] = (tile[i] - normalization.mean) * inv }
        }
        return t
    }

    /// Class probabilities for each tile (`[tile][class]`).
    /// - Parameters: tiles: gray bytes of the network's input size, row-major.
    public func probabilities(_ tiles: [[UInt8]]) -> [[Float]] {
        let size = network.input.width
        guard views == 1 else {
            var sum = rawProbabilities(tiles)
            for v in 1..<views {
                let p = rawProbabilities(tiles.map { Self.view($0, size: size, v) })
                for i in sum.indices { for k in sum[i].indices { sum[i][k] += p[i][k] } }
            }
            return sum.map { $0.map { $0 / Float(views) } }
        }
        return rawProbabilities(tiles)
    }

    private func rawProbabilities(_ tiles: [[UInt8]]) -> [[Float]] {
        let size = network.input.width
        var out: [[Float]] = []
        out.reserveCapacity(tiles.count)
        var start = 0
        while start < tiles.count {
            let chunk = tiles[start..<min(tiles.count, start + batchSize)]
            let x = Self.batch(chunk.map { $0.map { Float($0) * (1 / 255) } }, size: size, normalization: normalization)
            let n = chunk.count, k = model.outputs
            let logits = Tensor(shape: Shape(channels: k, batch: n), data: model.run(x.data, count: n))
            let p = SoftmaxCrossEntropy.probabilities(logits)
            for i in 0..<n { out.append((0..<k).map { p.data[$0 * n + i] }) }
            start += batchSize
        }
        return out
    }

    /// The confusion matrix of the arg-max decisions over `samples`.
    public func confusion(_ samples: [TileSample]) -> ConfusionMatrix {
        var cm = ConfusionMatrix(classNames: TileClass.names)
        let probs = probabilities(samples.map(\.pixels))
        for (s, p) in zip(samples, probs) {
            cm.add(truth: s.label.rawValue, predicted: p.indices.max { p[$0] < p[$1] } ?? 0)
        }
        return cm
    }
}
