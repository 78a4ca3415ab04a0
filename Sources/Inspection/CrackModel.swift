import Filters
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

/// The crack model, of one of two kinds (``Kind``). The per-pixel kind: a small fully convolutional network (3×3
/// convolutions with growing dilations and a 1×1 head, no pooling, so the output has the input's size) from the
/// ``CrackFeatures`` channels to one crack logit per pixel. The segmenter kind: an encoder-decoder (``Graph``) from
/// RGB to class logits per pixel (background, crack, look-alikes…), whose crack class gives the probability. The layer list comes from the model file, so files of the committed spec (four
/// 12-channel layers, ``Spec/v1_0``) and of the larger ``Spec/wide`` (six 16-channel layers) load alike. Its weights are a value, so one model serves any tile
/// size and any number of threads.
public struct CrackModel: Sendable {
    /// Trained parameters in model-file order.
    public let weights: [Float]
    /// Model-file metadata (name, architecture, training data, metrics, seed).
    public let metadata: ModelMetadata
    /// Pixels of context the network needs on each side of an output pixel.
    public let receptiveRadius: Int
    /// What the network maps.
    public enum Kind: Sendable, Hashable {
        /// ``CrackFeatures`` channels of a gray frame → one crack logit per pixel.
        case pixel
        /// RGB (0…255 mapped to −1…1) → one logit per class and pixel; the probability of class `crackClass`
        /// (softmax) is the crack probability.
        case segmenter(crackClass: Int)
    }
    /// This model's kind.
    public let kind: Kind
    /// Input pixels per pixel of the network's coarsest layer: a tile must start on a multiple of it (1 for the
    /// per-pixel kind).
    public let alignment: Int
    /// Compiled networks kept between frames (see ``CompiledNetworkPool``); shared by copies of this value.
    let compiled = CompiledNetworkPool()
    /// File name of the committed model in `models/`.
    public static let defaultFileName = "crack-pixel-v2.1.nnw"

    /// How the per-pixel kind measures a frame's contrast scale: the model's note `contrastScale` (`std` or `mad`;
    /// absent: `std`, as every model before crack-pixel-v2.3 was trained).
    public var contrastScale: CrackFeatures.ScaleRule {
        metadata.notes["contrastScale"].flatMap(CrackFeatures.ScaleRule.init(rawValue:)) ?? .std
    }

    /// A network shape: hidden feature maps and one 3×3 convolution (then ReLU) per dilation, then a 1×1 head.
    public struct Spec: Sendable, Hashable {
        public var hidden: Int
        public var dilations: [Int]
        public init(hidden: Int, dilations: [Int]) { self.hidden = hidden; self.dilations = dilations }
        /// crack-pixel-v1.0 and v1.1: 12 maps, dilations 1, 2, 4, 8 (4,273 parameters, receptive radius 15).
        public static let v1_0 = Spec(hidden: 12, dilations: [1, 2, 4, 8])
        /// crack-pixel-v1.2 and v1.3 (the default): 16 maps, dilations 1, 1, 2, 4, 8, 1 (12,065 parameters, receptive
        /// radius 17).
        public static let wide = Spec(hidden: 16, dilations: [1, 1, 2, 4, 8, 1])
    }

    /// The layer list of a spec for tiles of `height × width`.
    public static func architecture(_ spec: Spec, height: Int, width: Int) -> Architecture {
        var layers: [LayerSpec] = []
        for d in spec.dilations {
            layers.append(LayerSpec(type: "conv", out: spec.hidden, kernel: 3, stride: 1, padding: d, groups: 1, dilation: d))
            layers.append(LayerSpec(type: "relu"))
        }
        layers.append(LayerSpec(type: "conv", out: 1, kernel: 1, stride: 1, padding: 0, groups: 1, dilation: 1))
        return Architecture(input: InputSpec(channels: CrackFeatures.channels, height: height, width: width), layers: layers)
    }

    /// The network of `spec` for tiles of `height × width` pixels with fresh weights from `seed`.
    public static func makeNetwork(_ spec: Spec = .v1_0, height: Int, width: Int, seed: UInt64) -> Sequential {
        // The spec's layers always build (3×3 convolutions with "same" padding on any size ≥ 1).
        try! Sequential(architecture: architecture(spec, height: height, width: width), seed: seed)
    }

    /// Checks that an architecture is a per-pixel crack network and returns its receptive radius.
    static func validate(_ a: Architecture) -> Int? {
        guard a.input.channels == CrackFeatures.channels, let last = a.layers.last, last.type == "conv",
              last.out == 1 else { return nil }
        return a.sameChainRadius
    }

    /// Checks that a model is a segmenter: RGB in, a `conv` head with one output per class name, a class named
    /// `crack`, and a graph that builds. Returns its kind, receptive radius and alignment.
    static func validateSegmenter(_ m: ModelMetadata) -> (kind: Kind, radius: Int, alignment: Int)? {
        let a = m.architecture
        guard a.input.channels == 3, let last = a.layers.last, last.type == "conv", let out = last.out, out >= 2,
              out == m.classNames.count, let crack = m.classNames.firstIndex(of: "crack"),
              let graph = try? Graph(architecture: a, seed: 0) else { return nil }
        let field = graph.receptiveField
        return (.segmenter(crackClass: crack), field.radius, field.alignment)
    }

    /// Wraps trained weights.
    /// - Parameters: metadata: its architecture must be a per-pixel crack network or a segmenter (checked by the
    ///   file reader).
    public init(weights: [Float], metadata: ModelMetadata) {
        self.weights = weights
        self.metadata = metadata
        if let radius = Self.validate(metadata.architecture) {
            receptiveRadius = radius; kind = .pixel; alignment = 1
        } else if let s = Self.validateSegmenter(metadata) {
            receptiveRadius = s.radius; kind = s.kind; alignment = s.alignment
        } else {
            receptiveRadius = 0; kind = .pixel; alignment = 1
        }
    }

    /// Reads a model file written by the detector trainer.
    /// - Throws: ``DetectorError`` when the file is missing, corrupt or not a per-pixel crack network.
    public init(path: String) throws {
        let file: ModelFile
        do { file = try ModelFile(path: path) } catch { throw DetectorError("\(path): \(error)") }
        try self.init(file: file, source: path)
    }

    /// Checks a parsed model file the way ``init(path:)`` does (what `Fuzz/run model` feeds).
    /// - Parameters: source: the file's name, used in errors.
    /// - Throws: ``DetectorError`` when the file is not a per-pixel crack network or a segmenter, or its weights do
    ///   not fit its architecture.
    public init(file: ModelFile, source path: String) throws(DetectorError) {
        let expected: Int
        if Self.validate(file.metadata.architecture) != nil,
           let net = try? Sequential(architecture: file.metadata.architecture, seed: 0) {
            expected = net.parameters.reduce(0) { $0 + $1.value.count }
        } else if Self.validateSegmenter(file.metadata) != nil,
                  let graph = try? Graph(architecture: file.metadata.architecture, seed: 0) {
            expected = graph.parameters.reduce(0) { $0 + $1.value.count }
        } else {
            throw DetectorError("\(path): neither a per-pixel crack network (3 feature channels, same-size convolutions, "
                                + "one output map) nor a segmenter (RGB in, one output per class name, a class named crack)")
        }
        guard file.weights.count == expected else {
            throw DetectorError("\(path): \(file.weights.count) weights, its architecture has \(expected)")
        }
        self.init(weights: file.weights, metadata: file.metadata)
    }

    /// The trained network for tiles of `height × width` (one per worker: networks are not thread-safe).
    public func network(height: Int, width: Int) -> Sequential {
        var a = metadata.architecture
        a.input = InputSpec(channels: CrackFeatures.channels, height: height, width: width)
        // Validated when the model was read; same-size convolutions build on any tile size.
        let net = try! Sequential(architecture: a, seed: 0)
        net.load(flatWeights: weights)
        return net
    }

    /// The trained segmenter for tiles of `height × width` (a multiple of ``alignment``; one per worker).
    /// - Precondition: the model is of the segmenter kind.
    public func graph(height: Int, width: Int) -> Graph {
        var a = metadata.architecture
        a.input = InputSpec(channels: 3, height: height, width: width)
        // Validated when the model was read; the tile size is a multiple of the alignment.
        let g = try! Graph(architecture: a, seed: 0)
        g.load(flatWeights: weights)
        return g
    }

    /// Crack probabilities of a tile's features.
    /// - Parameters: features: `channels × H × W` from ``CrackFeatures/compute(_:scale:threads:)``;
    ///   net: from ``network(height:width:)`` for the same size.
    /// - Returns: `H × W` probabilities in 0...1.
    public static func probabilities(_ features: [Float], net: Sequential, threads: Int = 1) -> [Float] {
        logits(features, net: net, threads: threads).map { 1 / (1 + exp(-$0)) }
    }

    /// Crack logits of a tile's features (as ``probabilities(_:net:threads:)`` before the sigmoid).
    public static func logits(_ features: [Float], net: Sequential, threads: Int = 1) -> [Float] {
        let s = Shape(channels: CrackFeatures.channels, batch: 1, height: net.input.height, width: net.input.width)
        return net.forward(Tensor(shape: s, data: features), context: PassContext(training: false, threads: threads)).data
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
