import Foundation

/// One layer of an ``Architecture``, in the schema of `shared/bench/README.md`
/// (`{"type": "conv", "out": 16, "kernel": 3, "stride": 1, "padding": 1, "groups": 1}`).
public struct LayerSpec: Sendable, Hashable, Codable {
    /// `conv`, `batchnorm`, `relu`, `leakyrelu`, `silu`, `maxpool`, `avgpool`, `globalavgpool`, `flatten`,
    /// `dense`, `dropout`.
    public var type: String
    public var out: Int?
    public var kernel: Int?
    public var stride: Int?
    public var padding: Int?
    public var groups: Int?
    public var dilation: Int?
    /// Negative slope of `leakyrelu`.
    public var alpha: Float?
    /// Drop probability of `dropout`.
    public var rate: Float?
    /// Name of this layer's output, for later layers' ``inputs`` (encoder-decoder graphs, ``Graph``).
    public var id: String?
    /// Outputs this layer reads (ids, or `input` for the network's input); nil: the previous layer's output.
    /// `concat` and `add` read the previous output and these, or only these when they name two or more.
    public var inputs: [String]?
    /// Integer factor of `upsample`.
    public var scale: Int?
    /// `nearest` (the only mode built here) or `bilinear` for `upsample`.
    public var mode: String?

    public init(type: String, out: Int? = nil, kernel: Int? = nil, stride: Int? = nil, padding: Int? = nil,
                groups: Int? = nil, dilation: Int? = nil, alpha: Float? = nil, rate: Float? = nil,
                id: String? = nil, inputs: [String]? = nil, scale: Int? = nil, mode: String? = nil) {
        self.type = type; self.out = out; self.kernel = kernel; self.stride = stride; self.padding = padding
        self.groups = groups; self.dilation = dilation; self.alpha = alpha; self.rate = rate
        self.id = id; self.inputs = inputs; self.scale = scale; self.mode = mode
    }
}

/// The input of a network: channels and tile size.
public struct InputSpec: Sendable, Hashable, Codable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels; self.height = height; self.width = width
    }
}

/// A network's architecture: what `models/NAME.arch.json` holds and what ``Sequential/init(architecture:seed:)``
/// builds.
public struct Architecture: Sendable, Hashable, Codable {
    public var input: InputSpec
    public var layers: [LayerSpec]
    public init(input: InputSpec, layers: [LayerSpec]) {
        self.input = input
        self.layers = layers
    }

    /// Largest value of a size a description may give (input channels, height and width; a layer's out, kernel,
    /// stride, padding, groups, dilation and scale): far beyond any real network, and small enough that no shape
    /// arithmetic overflows.
    public static let maximumDimension = 1 << 16
    /// Most parameters one layer may have (1 GiB of floats), checked before any is allocated.
    public static let maximumLayerParameters = 1 << 28

    /// The input as a shape of one sample.
    /// - Throws: ``ArchitectureError`` (layer 0) when a size is not within 1...``maximumDimension``.
    func inputShape() throws(ArchitectureError) -> Shape {
        for (name, v) in [("channels", input.channels), ("height", input.height), ("width", input.width)]
        where !(1...Self.maximumDimension).contains(v) {
            throw ArchitectureError(layer: 0, message: "input \(name) \(v) is not within 1...\(Self.maximumDimension)")
        }
        return Shape(channels: input.channels, batch: 1, height: input.height, width: input.width)
    }

    /// The same network with every optional field spelled out (conv stride 1, padding 0, groups 1,
    /// dilation 1; pooling stride = kernel; leaky slope 0.01; dropout 0.5), so that two descriptions of one
    /// network compare equal.
    public var normalized: Architecture {
        var a = self
        for i in a.layers.indices {
            var l = a.layers[i]
            l.type = l.type.lowercased()
            switch l.type {
            case "conv":
                l.kernel = l.kernel ?? 3; l.stride = l.stride ?? 1; l.padding = l.padding ?? 0
                l.groups = l.groups ?? 1; l.dilation = l.dilation ?? 1
            case "maxpool", "avgpool":
                l.kernel = l.kernel ?? 2; l.stride = l.stride ?? l.kernel
            case "leakyrelu": l.alpha = l.alpha ?? 0.01
            case "dropout": l.rate = l.rate ?? 0.5
            case "upsample": l.scale = l.scale ?? 2; l.mode = l.mode ?? "nearest"
            default: break
            }
            a.layers[i] = l
        }
        return a
    }

    /// The same layers for an input of `height × width` pixels (a fully convolutional network runs at any size).
    public func withInput(height: Int, width: Int) -> Architecture {
        Architecture(input: InputSpec(channels: input.channels, height: height, width: width), layers: layers)
    }

    /// For a chain of stride-1 "same" convolutions and activations (a per-pixel map of its input's size, such as
    /// the detector's per-pixel crack network), the pixels of context an output pixel needs on each side; nil for
    /// any other network.
    public var sameChainRadius: Int? {
        var radius = 0
        for l in normalized.layers {
            switch l.type {
            case "relu", "leakyrelu": continue
            case "conv":
                let k = l.kernel ?? 1, d = l.dilation ?? 1
                guard l.stride == 1, l.groups == 1, k % 2 == 1, l.padding == d * (k - 1) / 2 else { return nil }
                radius += d * (k - 1) / 2
            default: return nil
            }
        }
        return layers.isEmpty ? nil : radius
    }

    /// This architecture as `models/NAME.arch.json` holds it (the schema of `shared/bench/README.md`, which
    /// `compare --arch` reads): sorted keys, indented.
    public func benchJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// Why an ``Architecture`` cannot be built.
public struct ArchitectureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Index of the offending layer.
    public var layer: Int
    public var message: String
    public var description: String { "layer \(layer): \(message)" }
    /// An error at layer `layer` (0 for the network as a whole).
    public init(layer: Int, message: String) { self.layer = layer; self.message = message }
}

/// Builds one layer of a sequential kind on its input shape (shared by ``Sequential`` and ``Graph``, so both draw the
/// same seeded weights in the same order).
/// - Throws: ``ArchitectureError`` (at `index`) for an unknown type, a missing field or a shape that does not fit.
func buildLayer(_ s: LayerSpec, input shape: Shape, index i: Int, rng: inout RandomSource) throws(ArchitectureError)
    -> any Layer {
    func fail(_ m: String) -> ArchitectureError { ArchitectureError(layer: i, message: m) }
    // Sizes within bounds, and no layer larger than its budget, before anything is allocated.
    for (name, v) in [("out", s.out), ("kernel", s.kernel), ("stride", s.stride), ("padding", s.padding),
                      ("groups", s.groups), ("dilation", s.dilation), ("scale", s.scale)] {
        if let v, !(0...Architecture.maximumDimension).contains(v) {
            throw fail("\(name) \(v) is not within 0...\(Architecture.maximumDimension)")
        }
    }
    guard (1...Architecture.maximumDimension).contains(shape.height), (1...Architecture.maximumDimension).contains(shape.width),
          (1...Architecture.maximumLayerParameters).contains(shape.channels) else {
        throw fail("input \(shape) is empty or too large")
    }
    func parameters(_ factors: Int...) throws(ArchitectureError) {
        let n = factors.reduce(1.0) { $0 * Double($1) }
        guard n <= Double(Architecture.maximumLayerParameters) else {
            throw fail("\(s.type) would have \(n) parameters, more than \(Architecture.maximumLayerParameters)")
        }
    }
    switch s.type.lowercased() {
    case "conv":
        guard let out = s.out, out > 0 else { throw fail("conv needs out > 0") }
        let k = s.kernel ?? 3, st = s.stride ?? 1, p = s.padding ?? 0, g = s.groups ?? 1, d = s.dilation ?? 1
        guard k >= 1, st >= 1, p >= 0, d >= 1, g >= 1, shape.channels % g == 0, out % g == 0 else {
            throw fail("bad conv geometry")
        }
        guard shape.height + 2 * p >= d * (k - 1) + 1, shape.width + 2 * p >= d * (k - 1) + 1 else {
            throw fail("kernel larger than input \(shape)")
        }
        try parameters(out, shape.channels / g, k, k)
        return Conv2D(inChannels: shape.channels, outChannels: out, kernel: k, stride: st, padding: p,
                      dilation: d, groups: g, rng: &rng)
    case "batchnorm": return BatchNorm(channels: shape.channels)
    case "relu": return Activation(.relu)
    case "leakyrelu":
        guard (s.alpha ?? 0.01).isFinite else { throw fail("leakyrelu alpha \(s.alpha ?? 0) is not finite") }
        return Activation(.leakyReLU(s.alpha ?? 0.01))
    case "silu": return Activation(.silu)
    case "maxpool", "avgpool":
        let k = s.kernel ?? 2, st = s.stride ?? k
        guard k >= 1, st >= 1, shape.height >= k, shape.width >= k else { throw fail("bad pooling window") }
        return Pool(s.type.lowercased() == "maxpool" ? .max : .average, kernel: k, stride: st)
    case "globalavgpool": return GlobalAvgPool()
    case "flatten": return Flatten()
    case "dense":
        guard let out = s.out, out > 0 else { throw fail("dense needs out > 0") }
        guard shape.spatial == 1 else { throw fail("dense after a spatial tensor: add flatten or globalavgpool") }
        try parameters(shape.channels + 1, out)
        return Dense(inFeatures: shape.channels, outFeatures: out, rng: &rng)
    case "dropout":
        let rate = s.rate ?? 0.5
        guard rate >= 0 && rate < 1 else { throw fail("dropout rate \(rate) is not within [0, 1)") }
        return Dropout(rate: rate, seed: rng.next())
    case "upsample":
        let k = s.scale ?? 2
        guard k >= 1 else { throw fail("upsample needs scale ≥ 1") }
        guard (s.mode ?? "nearest").lowercased() == "nearest" else {
            throw fail("upsample mode \(s.mode ?? "") is not built (nearest only)")
        }
        return Upsample(scale: k)
    default:
        throw fail("unknown layer type \(s.type)")
    }
}

extension Sequential {
    /// Builds the layers of `architecture` with seeded initial weights (same seed → identical weights).
    /// - Throws: ``ArchitectureError`` for an unknown layer type, a missing field or a shape that does not fit;
    ///   skip connections (`inputs`, `concat`, `add`) need a ``Graph``.
    public convenience init(architecture: Architecture, seed: UInt64) throws(ArchitectureError) {
        var rng = RandomSource(seed: seed)
        var shape = try architecture.inputShape()
        var layers: [any Layer] = []
        for (i, s) in architecture.layers.enumerated() {
            guard s.inputs == nil, !["concat", "add"].contains(s.type.lowercased()) else {
                throw ArchitectureError(layer: i, message: "\(s.type) with inputs needs a Graph, not a Sequential")
            }
            let layer = try buildLayer(s, input: shape, index: i, rng: &rng)
            shape = layer.outputShape(for: shape)
            layers.append(layer)
        }
        self.init(input: architecture.input, layers: layers)
    }
}
