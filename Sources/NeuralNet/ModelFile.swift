import Foundation

/// Input normalisation: pixels are scaled to [0, 1], then `(v − mean) / std`.
public struct Normalization: Sendable, Hashable, Codable {
    public var mean: Float
    public var std: Float
    public init(mean: Float, std: Float) {
        self.mean = mean
        self.std = std
    }
}

/// What a model file says about its network.
public struct ModelMetadata: Sendable, Hashable, Codable {
    /// Model name (e.g. `crack-v1.0`).
    public var name: String
    /// The layers, in the `arch.json` schema.
    public var architecture: Architecture
    /// Output classes in logit order (`crack`, `leak`, `background`).
    public var classNames: [String]
    /// Input normalisation.
    public var normalization: Normalization
    /// Data sets the weights were trained on.
    public var trainingData: [String]
    /// Licences of that data.
    public var licences: [String]
    /// Validation metrics (`crack.f1`, …).
    public var metrics: [String: Double]
    /// The training seed.
    public var seed: UInt64
    /// Free-form facts (training command, epoch of a checkpoint, …).
    public var notes: [String: String]
    /// Floats stored after the network's parameters (optimiser state in a checkpoint; 0 in a model).
    public var extraStateCount: Int

    public init(name: String, architecture: Architecture, classNames: [String],
                normalization: Normalization = Normalization(mean: 0, std: 1), trainingData: [String] = [],
                licences: [String] = [], metrics: [String: Double] = [:], seed: UInt64 = 0,
                notes: [String: String] = [:], extraStateCount: Int = 0) {
        self.name = name; self.architecture = architecture; self.classNames = classNames
        self.normalization = normalization; self.trainingData = trainingData; self.licences = licences
        self.metrics = metrics; self.seed = seed; self.notes = notes; self.extraStateCount = extraStateCount
    }
}

/// The `.nnw` model file: a 64-byte header, JSON metadata, then little-endian float32 weights starting at a
/// 64-byte aligned offset.
///
/// Header: magic `89 50 57 4E 4E 0D 0A 1A` (`\x89PWNN\r\n\x1a`), UInt16 major and minor version, UInt32
/// header size (64), UInt64 metadata length, UInt64 weights offset, UInt64 float count, UInt32 CRC-32 (IEEE)
/// of every byte after the header; the rest zero. All integers little-endian.
public struct ModelFile: Sendable {
    public static let magic: [UInt8] = [0x89, 0x50, 0x57, 0x4E, 0x4E, 0x0D, 0x0A, 0x1A]
    public static let majorVersion = 1
    public static let minorVersion = 0
    static let headerSize = 64

    /// The metadata.
    public var metadata: ModelMetadata
    /// Network parameters in ``Sequential/parameters`` order, then `extraStateCount` floats.
    public var weights: [Float]

    public init(metadata: ModelMetadata, weights: [Float]) {
        self.metadata = metadata
        self.weights = weights
    }

    /// A model file of `network`'s current weights (plus optional extra state).
    public init(network: Sequential, metadata: ModelMetadata, extraState: [Float] = []) {
        var md = metadata
        md.architecture = network.architecture
        md.extraStateCount = extraState.count
        self.init(metadata: md, weights: network.flatWeights() + extraState)
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = [UInt8]((try? encoder.encode(metadata)) ?? Data("{}".utf8))
        let offset = (Self.headerSize + json.count + 63) / 64 * 64
        var out = [UInt8](repeating: 0, count: offset)
        out.reserveCapacity(offset + weights.count * 4)
        out.replaceSubrange(Self.headerSize..<(Self.headerSize + json.count), with: json)
        for w in weights {
            let b = w.bitPattern
            out.append(UInt8(b & 0xFF)); out.append(UInt8(b >> 8 & 0xFF))
            out.append(UInt8(b >> 16 & 0xFF)); out.append(UInt8(b >> 24))
        }
        var header = Self.magic
        header.appendLE(UInt16(Self.majorVersion)); header.appendLE(UInt16(Self.minorVersion))
        header.appendLE(UInt32(Self.headerSize)); header.appendLE(UInt64(json.count))
        header.appendLE(UInt64(offset)); header.appendLE(UInt64(weights.count))
        header.appendLE(CRC32.checksum(out[Self.headerSize...]))
        out.replaceSubrange(0..<header.count, with: header)
        return out
    }

    /// Parses and verifies a model file.
    /// - Parameters: expecting: when given, the architecture the caller needs.
    /// - Throws: ``ModelFileError``, one case per kind of damage.
    public init(bytes: [UInt8], expecting: Architecture? = nil) throws(ModelFileError) {
        guard bytes.count >= 8 else {
            if bytes.elementsEqual(Self.magic.prefix(bytes.count)) { throw .truncated(expected: Self.headerSize, actual: bytes.count) }
            throw .badMagic
        }
        guard Array(bytes[0..<8]) == Self.magic else { throw .badMagic }
        guard bytes.count >= Self.headerSize else { throw .truncated(expected: Self.headerSize, actual: bytes.count) }
        let major = Int(bytes.readLE(UInt16.self, at: 8)), minor = Int(bytes.readLE(UInt16.self, at: 10))
        guard major == Self.majorVersion else { throw .unsupportedVersion(major: major, minor: minor) }
        let headerSize = Int(bytes.readLE(UInt32.self, at: 12))
        let metaLength = bytes.readLE(UInt64.self, at: 16), offset = bytes.readLE(UInt64.self, at: 24)
        let count = bytes.readLE(UInt64.self, at: 32), crc = bytes.readLE(UInt32.self, at: 40)
        guard headerSize == Self.headerSize else { throw .corruptHeader("header size \(headerSize)") }
        guard metaLength < 1 << 32, count < 1 << 40, offset % 64 == 0,
              offset == (UInt64(Self.headerSize) + metaLength + 63) / 64 * 64 else {
            throw .corruptHeader("metadata length \(metaLength), weights offset \(offset)")
        }
        let total = Int(offset) + Int(count) * 4
        guard bytes.count >= total else { throw .truncated(expected: total, actual: bytes.count) }
        guard bytes.count == total else { throw .trailingBytes(bytes.count - total) }
        let actual = CRC32.checksum(bytes[Self.headerSize...])
        guard actual == crc else { throw .checksumMismatch(expected: crc, actual: actual) }
        let json = Data(bytes[Self.headerSize..<(Self.headerSize + Int(metaLength))])
        let md: ModelMetadata
        do { md = try JSONDecoder().decode(ModelMetadata.self, from: json) } catch {
            throw .invalidMetadata(String(describing: error))
        }
        var w = [Float](repeating: 0, count: Int(count))
        var p = Int(offset)
        for i in w.indices {
            w[i] = Float(bitPattern: bytes.readLE(UInt32.self, at: p))
            p += 4
            guard w[i].isFinite else { throw .nonFiniteWeight(index: i) }
        }
        if let want = expecting, want.normalized != md.architecture.normalized {
            throw .architectureMismatch("file has \(md.architecture.layers.count) layers on \(md.architecture.input), expected \(want.layers.count) on \(want.input)")
        }
        // A sequence of layers, or an encoder-decoder graph (ids, inputs, concat, add, upsample).
        let parameters: Int, outputs: Int
        do {
            let network = try Sequential(architecture: md.architecture, seed: 0)
            parameters = network.parameters.reduce(0) { $0 + $1.value.count }
            outputs = network.outputShape(batch: 1).channels
        } catch let sequenceError {
            do {
                let graph = try Graph(architecture: md.architecture, seed: 0)
                parameters = graph.parameters.reduce(0) { $0 + $1.value.count }
                let i = md.architecture.input
                outputs = graph.outputShape(for: Shape(channels: i.channels, batch: 1, height: i.height, width: i.width)).channels
            } catch {
                throw .architectureMismatch(sequenceError.description)
            }
        }
        let needed = parameters + md.extraStateCount
        guard needed == w.count else {
            throw .architectureMismatch("architecture needs \(needed) floats, file has \(w.count)")
        }
        guard md.classNames.count == outputs else {
            throw .architectureMismatch("\(md.classNames.count) class names for \(outputs) outputs")
        }
        self.metadata = md
        self.weights = w
    }

    /// Reads and verifies a model file from disk.
    /// - Throws: ``ModelFileError`` (a missing file is ``ModelFileError/truncated(expected:actual:)`` with 0 bytes).
    public init(path: String, expecting: Architecture? = nil) throws(ModelFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .truncated(expected: Self.headerSize, actual: 0)
        }
        try self.init(bytes: [UInt8](data), expecting: expecting)
    }

    /// Writes the file atomically.
    public func write(to path: String) throws {
        try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The network with these weights.
    public func makeNetwork() -> Sequential {
        // The architecture was checked when the file was read or built from a network.
        guard let net = try? Sequential(architecture: metadata.architecture, seed: 0) else {
            preconditionFailure("model file architecture does not build")
        }
        let n = weights.count - metadata.extraStateCount
        net.load(flatWeights: Array(weights[0..<n]))
        return net
    }

    /// The floats after the network's parameters.
    public var extraState: [Float] { Array(weights[(weights.count - metadata.extraStateCount)...]) }
}

/// CRC-32 (IEEE 802.3, reflected, as in zlib and PNG).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`.
    public static func checksum<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

extension [UInt8] {
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        for i in 0..<(T.bitWidth / 8) { append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }

    func readLE<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var v: T = 0
        for i in 0..<(T.bitWidth / 8) { v |= T(self[offset + i]) << (8 * i) }
        return v
    }
}
