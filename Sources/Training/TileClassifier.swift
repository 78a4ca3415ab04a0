import NeuralNet

/// Runs a network over labelled tiles in batches and collects the decisions.
public struct TileClassifier {
    public let network: Sequential
    public let normalization: Normalization
    public let threads: Int
    public let batchSize: Int
    private let model: InferenceModel

    /// Compiles `network` for inference (batch norm folded; see ``InferenceModel``).
    public init(network: Sequential, normalization: Normalization, threads: Int = 1, batchSize: Int = 64) {
        self.network = network
        self.normalization = normalization
        self.threads = threads
        self.batchSize = batchSize
        self.model = InferenceModel(network: network, batchSize: batchSize, threads: threads)
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
