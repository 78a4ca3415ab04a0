import Filters
import Foundation
import ImagingCore
import NeuralNet

/// A second opinion on crack regions from the tile classifier (`models/crack-v1.0.nnw`: one 64×64 gray tile →
/// crack / leak / background). The per-pixel model sees 35 px of context; the classifier sees a whole tile and
/// was trained on other negatives, so a region both agree on is kept, and texture that only the pixel model
/// mistakes for a crack (joints, planking, grain) is dropped.
public struct TileGate: Sendable {
    /// The classifier file.
    public let file: ModelFile
    /// Index of the `crack` class among the outputs.
    public let crackIndex: Int
    /// Index of the `leak` class among the outputs (nil: the classifier has none).
    public let leakIndex: Int?
    /// Tile side in pixels (the classifier's input).
    public let size: Int
    /// File name of the classifier in `models/`.
    public static let defaultFileName = "crack-v1.0.nnw"

    /// Reads the classifier.
    /// - Throws: ``DetectorError`` when the file is unreadable, not one-channel square input, or has no `crack` class.
    public init(path: String) throws {
        do { file = try ModelFile(path: path) } catch { throw DetectorError("\(path): \(error)") }
        let input = file.metadata.architecture.input
        guard input.channels == 1, input.width == input.height,
              let k = file.metadata.classNames.firstIndex(of: "crack") else {
            throw DetectorError("\(path): not a gray tile classifier with a crack class")
        }
        crackIndex = k
        leakIndex = file.metadata.classNames.firstIndex(of: "leak")
        size = input.width
    }

    /// Crack probability of tiles centred on points of a gray frame (pixels outside repeat the edge).
    /// - Parameters: gray: (H, W) gray8; centres: tile centres; threads: ≥ 1.
    /// - Returns: one probability per centre.
    public func crackProbabilities(_ gray: PixelBuffer, centres: [SIMD2<Int>], threads: Int = 1) -> [Float] {
        probabilities(gray, centres: centres, classIndex: crackIndex, threads: threads)
    }

    /// Probability of one class for tiles centred on points of a gray frame (pixels outside repeat the edge).
    /// - Parameters: gray: (H, W) gray8; centres: tile centres; classIndex: an output index (``crackIndex``,
    ///   ``leakIndex``); threads: ≥ 1.
    /// - Returns: one probability per centre.
    public func probabilities(_ gray: PixelBuffer, centres: [SIMD2<Int>], classIndex: Int, threads: Int = 1) -> [Float] {
        guard !centres.isEmpty else { return [] }
        let model = InferenceModel(network: file.makeNetwork(), batchSize: max(1, min(64, centres.count)),
                                   threads: threads)
        let norm = file.metadata.normalization, s = size, inv = 1 / norm.std
        var out: [Float] = []
        var start = 0
        while start < centres.count {
            let chunk = centres[start..<min(centres.count, start + model.batchSize)]
            var x = [Float](repeating: 0, count: model.batchSize * s * s)
            for (n, c) in chunk.enumerated() {
                let crop = CrackFeatures.crop(gray, x: c.x - s / 2, y: c.y - s / 2, width: s, height: s)
                for v in 0..<s {
                    for u in 0..<s {
                        x[n * s * s + v * s + u] = (Float(crop.bytes[v * crop.rowStride + u]) / 255 - norm.mean) * inv
                    }
                }
            }
            let k = model.outputs
            let logits = model.run(x, count: chunk.count)
            let p = SoftmaxCrossEntropy.probabilities(Tensor(shape: Shape(channels: k, batch: chunk.count), data: logits))
            for i in 0..<chunk.count { out.append(p.data[classIndex * chunk.count + i]) }
            start += model.batchSize
        }
        return out
    }
}
