import Foundation
import Testing
@testable import NeuralNet

let tinyArchitecture = Architecture(
    input: InputSpec(channels: 1, height: 8, width: 8),
    layers: [LayerSpec(type: "conv", out: 4, kernel: 3, stride: 1, padding: 1, groups: 1), LayerSpec(type: "batchnorm"),
             LayerSpec(type: "relu"), LayerSpec(type: "maxpool", kernel: 2, stride: 2),
             LayerSpec(type: "conv", out: 6, kernel: 3, stride: 1, padding: 1, groups: 2), LayerSpec(type: "batchnorm"),
             LayerSpec(type: "leakyrelu", alpha: 0.1), LayerSpec(type: "globalavgpool"), LayerSpec(type: "dense", out: 3)])

func tinyFile(seed: UInt64 = 3) throws -> ModelFile {
    let net = try Sequential(architecture: tinyArchitecture, seed: seed)
    return ModelFile(network: net, metadata: ModelMetadata(name: "tiny", architecture: tinyArchitecture,
                                                           classNames: ["crack", "leak", "background"], seed: seed))
}

@Suite("Model files")
struct ModelFileTests {
    @Test("round trip keeps metadata and every weight bit")
    func roundTrip() throws {
        let f = try tinyFile()
        let bytes = f.encoded()
        #expect(Array(bytes[0..<8]) == ModelFile.magic)
        let offset = Int(bytes.readLE(UInt64.self, at: 24))
        #expect(offset % 64 == 0)
        let back = try ModelFile(bytes: bytes, expecting: tinyArchitecture)
        #expect(back.metadata == f.metadata)
        #expect(back.weights.map(\.bitPattern) == f.weights.map(\.bitPattern))
        // Weights are little-endian float32 at the aligned offset.
        #expect(Float(bitPattern: bytes.readLE(UInt32.self, at: offset)) == f.weights[0])
        #expect(back.makeNetwork().flatWeights() == f.weights)
    }

    @Test("truncated anywhere gives .truncated", arguments: [0, 5, 8, 40, 63, 64, -1, -4, -100])
    func truncated(cut: Int) throws {
        let bytes = try tinyFile().encoded()
        let n = cut >= 0 ? cut : bytes.count + cut
        #expect {
            _ = try ModelFile(bytes: Array(bytes[0..<n]))
        } throws: { error in
            guard case ModelFileError.truncated(let expected, let actual) = error else { return false }
            return actual == n && expected > n
        }
    }

    @Test("wrong magic gives .badMagic")
    func badMagic() throws {
        var bytes = try tinyFile().encoded()
        bytes[1] = UInt8(ascii: "Q")
        #expect(throws: ModelFileError.badMagic) { try ModelFile(bytes: bytes) }
        #expect(throws: ModelFileError.badMagic) { try ModelFile(bytes: Array("{\"not\": \"a model\"}".utf8)) }
    }

    @Test("another major version gives .unsupportedVersion")
    func version() throws {
        var bytes = try tinyFile().encoded()
        bytes[8] = 2
        #expect(throws: ModelFileError.unsupportedVersion(major: 2, minor: 0)) { try ModelFile(bytes: bytes) }
    }

    @Test("a flipped weight bit gives .checksumMismatch")
    func corrupt() throws {
        var bytes = try tinyFile().encoded()
        bytes[bytes.count - 3] ^= 0x10
        #expect { try ModelFile(bytes: bytes) } throws: { e in
            if case ModelFileError.checksumMismatch = e { return true }
            return false
        }
    }

    @Test("bytes after the weights give .trailingBytes")
    func trailing() throws {
        let bytes = try tinyFile().encoded() + [0, 0, 0, 0, 0]
        #expect(throws: ModelFileError.trailingBytes(5)) { try ModelFile(bytes: bytes) }
    }

    @Test("inconsistent header offsets give .corruptHeader")
    func header() throws {
        var bytes = try tinyFile().encoded()
        bytes[24] &+= 64  // weights offset no longer follows the metadata
        #expect { try ModelFile(bytes: bytes) } throws: { e in
            if case ModelFileError.corruptHeader = e { return true }
            return false
        }
    }

    @Test("another architecture gives .architectureMismatch")
    func otherArchitecture() throws {
        let bytes = try tinyFile().encoded()
        var other = tinyArchitecture
        other.layers[0].out = 8
        #expect { try ModelFile(bytes: bytes, expecting: other) } throws: { e in
            if case ModelFileError.architectureMismatch = e { return true }
            return false
        }
        // Weights that do not fit the stored architecture (valid checksum) are caught too.
        var f = try tinyFile()
        f.weights.removeLast()
        #expect { try ModelFile(bytes: f.encoded()) } throws: { e in
            if case ModelFileError.architectureMismatch = e { return true }
            return false
        }
    }

    @Test("metadata that is not JSON gives .invalidMetadata; NaN weights give .nonFiniteWeight")
    func metadataAndNaN() throws {
        var bytes = try tinyFile().encoded()
        bytes[64] = UInt8(ascii: "!")
        // Re-seal the checksum so only the metadata is wrong.
        let crc = CRC32.checksum(bytes[64...])
        for i in 0..<4 { bytes[40 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
        #expect { try ModelFile(bytes: bytes) } throws: { e in
            if case ModelFileError.invalidMetadata = e { return true }
            return false
        }
        var f = try tinyFile()
        f.weights[2] = .nan
        #expect(throws: ModelFileError.nonFiniteWeight(index: 2)) { try ModelFile(bytes: f.encoded()) }
    }

    @Test("CRC-32 matches the IEEE check value")
    func crc() { #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926) }

    @Test("sameChainRadius: the context a chain of same convolutions needs; nil for anything else")
    func sameChainRadius() throws {
        func conv(_ d: Int, stride: Int = 1, padding: Int? = nil) -> LayerSpec {
            LayerSpec(type: "conv", out: 4, kernel: 3, stride: stride, padding: padding ?? d, dilation: d)
        }
        let input = InputSpec(channels: 3, height: 40, width: 40)
        let chain = Architecture(input: input, layers: [conv(1), LayerSpec(type: "relu"), conv(4), LayerSpec(type: "leakyrelu"),
                                                        LayerSpec(type: "conv", out: 1, kernel: 1)])
        #expect(chain.sameChainRadius == 5)
        #expect(Architecture(input: input, layers: [conv(1, stride: 2)]).sameChainRadius == nil)
        #expect(Architecture(input: input, layers: [conv(2, padding: 1)]).sameChainRadius == nil)
        #expect(Architecture(input: input, layers: [conv(1), LayerSpec(type: "maxpool", kernel: 2)]).sameChainRadius == nil)
        #expect(Architecture(input: input, layers: []).sameChainRadius == nil)
        // The bench JSON reads back as the same network, at another size when asked.
        let back = try JSONDecoder().decode(Architecture.self, from: chain.withInput(height: 256, width: 128).benchJSON())
        #expect(back.layers == chain.layers && back.input == InputSpec(channels: 3, height: 256, width: 128))
    }
}
