import Foundation
import NeuralNet

/// Errors of loading the detector's model.
public struct DetectorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error with a message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The per-pixel crack model: a small fully convolutional network (four 3×3 convolutions with dilations
/// 1, 2, 4, 8 and a 1×1 head, receptive field 31 px) from the ``CrackFeatures`` channels to one crack logit
/// per pixel. Its weights are a value, so one model serves any tile size and any number of threads.
public struct CrackModel: Sendable {
    /// Trained parameters in model-file order.
    public let weights: [Float]
    /// Model-file metadata (name, training data, metrics, seed).
    public let metadata: ModelMetadata
    /// Feature maps per hidden layer.
    public static let hiddenChannels = 12
    /// Pixels of context the network needs on each side of an output pixel.
    public static let receptiveRadius = 15
    /// File name of the committed model in `models/`.
    public static let defaultFileName = "crack-pixel-v1.0.nnw"

    /// The network for tiles of `height × width` pixels with fresh weights from `seed`.
    public static func makeNetwork(height: Int, width: Int, seed: UInt64) -> Sequential {
        var rng = RandomSource(seed: seed)
        let c = hiddenChannels
        let layers: [any Layer] = [
            Conv2D(inChannels: CrackFeatures.channels, outChannels: c, kernel: 3, padding: 1, rng: &rng),
            Activation(.relu),
            Conv2D(inChannels: c, outChannels: c, kernel: 3, padding: 2, dilation: 2, rng: &rng),
            Activation(.relu),
            Conv2D(inChannels: c, outChannels: c, kernel: 3, padding: 4, dilation: 4, rng: &rng),
            Activation(.relu),
            Conv2D(inChannels: c, outChannels: c, kernel: 3, padding: 8, dilation: 8, rng: &rng),
            Activation(.relu),
            Conv2D(inChannels: c, outChannels: 1, kernel: 1, rng: &rng),
        ]
        return Sequential(input: InputSpec(channels: CrackFeatures.channels, height: height, width: width),
                          layers: layers)
    }

    /// Wraps trained weights.
    public init(weights: [Float], metadata: ModelMetadata) {
        self.weights = weights
        self.metadata = metadata
    }

    /// Reads a model file written by the detector trainer.
    /// - Throws: ``DetectorError`` when the file is missing, corrupt or of another architecture.
    public init(path: String) throws {
        let file: ModelFile
        do { file = try ModelFile(path: path) } catch { throw DetectorError("\(path): \(error)") }
        let expected = Self.makeNetwork(height: 8, width: 8, seed: 0).parameters.reduce(0) { $0 + $1.value.count }
        guard file.weights.count == expected else {
            throw DetectorError("\(path): \(file.weights.count) weights, the crack model has \(expected)")
        }
        self.init(weights: file.weights, metadata: file.metadata)
    }

    /// The trained network for tiles of `height × width` (one per worker: networks are not thread-safe).
    public func network(height: Int, width: Int) -> Sequential {
        let net = Self.makeNetwork(height: height, width: width, seed: 0)
        net.load(flatWeights: weights)
        return net
    }

    /// Crack probabilities of a tile's features.
    /// - Parameters: features: `channels × H × W` from ``CrackFeatures/compute(_:scale:threads:)``;
    ///   net: from ``network(height:width:)`` for the same size.
    /// - Returns: `H × W` probabilities in 0...1.
    public static func probabilities(_ features: [Float], net: Sequential, threads: Int = 1) -> [Float] {
        let s = Shape(channels: CrackFeatures.channels, batch: 1, height: net.input.height, width: net.input.width)
        let y = net.forward(Tensor(shape: s, data: features), context: PassContext(training: false, threads: threads))
        return y.data.map { 1 / (1 + exp(-$0)) }
    }

    /// Searches for a model file: the path itself if given, else `models/NAME` under the current directory,
    /// `$PAVEWATCH_MODELS/NAME`, and `models/NAME` in the repository the executable was built in.
    /// - Throws: ``DetectorError`` naming every place searched.
    public static func locate(_ path: String?, name: String = defaultFileName) throws -> String {
        let fm = FileManager.default
        if let path {
            guard fm.fileExists(atPath: path) else { throw DetectorError("model file \(path) not found") }
            return path
        }
        var candidates = [fm.currentDirectoryPath + "/models/" + name]
        if let env = ProcessInfo.processInfo.environment["PAVEWATCH_MODELS"] { candidates.append(env + "/" + name) }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.path + "/models/" + name)
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { fm.fileExists(atPath: $0) }) { return found }
        throw DetectorError("crack model \(name) not found; looked in: " + candidates.joined(separator: ", ")
                            + " (set PAVEWATCH_MODELS or pass a model path)")
    }
}
