import Foundation
import Testing
@testable import NeuralNet

/// Encoder-decoder pieces: nearest upsampling and graphs with skip connections (concat, add), against plain
/// references and finite differences at awkward shapes.
@Suite("Encoder-decoder graphs")
struct GraphTests {
    /// A small U-Net on 3 × 8 × 10 tiles: a stride-2 encoder, an upsampling decoder, a concatenated and an added skip,
    /// five output classes per pixel.
    static let unet = Architecture(input: InputSpec(channels: 3, height: 8, width: 10), layers: [
        LayerSpec(type: "conv", out: 6, kernel: 3, padding: 1), LayerSpec(type: "relu", id: "e1"),
        LayerSpec(type: "conv", out: 8, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "leakyrelu"),
        LayerSpec(type: "conv", out: 8, kernel: 3, padding: 1, id: "e2"),
        LayerSpec(type: "upsample", scale: 2, mode: "nearest"),
        LayerSpec(type: "concat", inputs: ["e1"]),
        LayerSpec(type: "conv", out: 6, kernel: 3, padding: 1), LayerSpec(type: "relu"),
        LayerSpec(type: "add", inputs: ["e1"]),
        LayerSpec(type: "conv", out: 5, kernel: 1),
    ])

    @Test("upsample copies each pixel into its block", arguments: [(1, 1, 1, 1, 2), (3, 2, 5, 7, 2), (2, 1, 3, 4, 3)])
    func upsampleForward(c: Int, n: Int, h: Int, w: Int, scale: Int) {
        var rng = RandomSource(seed: 11)
        let x = Tensor(shape: Shape(channels: c, batch: n, height: h, width: w), data: randomArray(c * n * h * w, &rng))
        let y = Upsample(scale: scale).forward(x, context: PassContext(training: false))
        #expect(y.shape == Shape(channels: c, batch: n, height: h * scale, width: w * scale))
        for ci in 0..<c { for ni in 0..<n { for yy in 0..<(h * scale) { for xx in 0..<(w * scale) {
            #expect(y[ci, ni, yy, xx] == x[ci, ni, yy / scale, xx / scale])
        } } } }
    }

    @Test("upsample's backward against finite differences", arguments: [2, 3])
    func upsampleGradient(scale: Int) {
        checkGradients(Upsample(scale: scale), input: Shape(channels: 3, batch: 2, height: 3, width: 5), seed: 12)
    }

    /// The U-Net with its activations replaced (by SiLU, smooth, or by identities).
    static func unet(activation: LayerSpec) -> Architecture {
        var a = unet
        a.layers = a.layers.map { l in
            guard ["relu", "leakyrelu"].contains(l.type) else { return l }
            var r = activation
            r.id = l.id
            return r
        }
        return a
    }

    @Test("a U-Net's backward (concat and add skips, stride 2, upsampling) against finite differences")
    func unetGradient() throws {
        // SiLU instead of ReLU: a central difference across a ReLU's kink is not its derivative.
        let g = try Graph(architecture: Self.unet(activation: LayerSpec(type: "silu")), seed: 13)
        #expect(g.outputShape(for: Shape(channels: 3, batch: 2, height: 8, width: 10))
                == Shape(channels: 5, batch: 2, height: 8, width: 10))
        checkGradients(g, input: Shape(channels: 3, batch: 2, height: 8, width: 10), seed: 14)
    }

    @Test("the same U-Net without activations (no kinks for the finite differences) against finite differences")
    func linearUnetGradient() throws {
        let linear = Self.unet(activation: LayerSpec(type: "dropout", rate: 0))
        checkGradients(try Graph(architecture: linear, seed: 13), input: Shape(channels: 3, batch: 2, height: 8, width: 10),
                       seed: 14, tolerance: 1e-2)
    }

    @Test("a graph without skips is the sequence of its layers (same seed, same weights, same output)")
    func sequentialEquivalent() throws {
        let plain = Architecture(input: InputSpec(channels: 2, height: 9, width: 7), layers: [
            LayerSpec(type: "conv", out: 4, kernel: 3, padding: 1), LayerSpec(type: "relu"),
            LayerSpec(type: "conv", out: 4, kernel: 3, stride: 2, padding: 1), LayerSpec(type: "upsample", scale: 2),
            LayerSpec(type: "conv", out: 1, kernel: 1),
        ])
        let g = try Graph(architecture: plain, seed: 21), s = try Sequential(architecture: plain, seed: 21)
        #expect(g.parameters.map(\.value) == s.parameters.map(\.value))
        var rng = RandomSource(seed: 22)
        let x = Tensor(shape: Shape(channels: 2, batch: 3, height: 9, width: 7), data: randomArray(2 * 3 * 9 * 7, &rng))
        let ctx = PassContext(training: false)
        #expect(g.forward(x, context: ctx) == s.forward(x, context: ctx))
    }

    @Test("the architecture JSON keeps ids and inputs (the bench's format) and builds the same graph")
    func json() throws {
        let data = try JSONEncoder().encode(Self.unet)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"inputs\":[\"e1\"]") && text.contains("\"id\":\"e2\"") && text.contains("\"scale\":2"))
        let back = try JSONDecoder().decode(Architecture.self, from: data)
        #expect(back == Self.unet)
        #expect(try Graph(architecture: back, seed: 1).architecture == Self.unet)
        // Files of the sequential models, written before these fields existed, read as before.
        let old = #"{"input":{"channels":3,"height":64,"width":64},"layers":[{"type":"conv","out":4,"kernel":3}]}"#
        let a = try JSONDecoder().decode(Architecture.self, from: Data(old.utf8))
        #expect(a.layers[0].id == nil && a.layers[0].inputs == nil)
    }

    @Test("multiply-adds per input pixel count every convolution at its own resolution")
    func cost() throws {
        let g = try Graph(architecture: Self.unet, seed: 1)
        // Full resolution: 3→6 (27 per output), 14→6 after the concat (126 per output), 6→5 1×1 (6);
        // half resolution (a quarter of the pixels): 6→8 (54), 8→8 (72).
        let full: Double = 6 * 27 + 6 * 126 + 5 * 6
        let half: Double = (8 * 54 + 8 * 72) / 4
        let expected = full + half
        #expect(abs(g.multiplyAddsPerPixel - expected) < 1e-9, "\(g.multiplyAddsPerPixel)")
    }

    /// The draft of the detector's encoder-decoder (models/segmenter-draft.arch.json: RGB in; surface, crack, leak,
    /// look-alike and other out) builds, keeps the tile's size, and stays within its budget of a third of today's
    /// per-pixel crack network (12.1 k multiply-adds per pixel).
    @Test("the segmenter draft builds and costs at most 4,500 multiply-adds per pixel")
    func segmenterDraft() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/segmenter-draft.arch.json")
        let a = try JSONDecoder().decode(Architecture.self, from: Data(contentsOf: url))
        let g = try Graph(architecture: a, seed: 1)
        #expect(g.outputShape(for: Shape(channels: 3, batch: 1, height: 256, width: 256))
                == Shape(channels: 5, batch: 1, height: 256, width: 256))
        #expect(g.multiplyAddsPerPixel <= 4500, "\(g.multiplyAddsPerPixel)")
        #expect(g.multiplyAddsPerPixel > 3000, "\(g.multiplyAddsPerPixel)")
    }

    @Test("shapes that do not fit are named: an odd tile against a stride-2 skip, unknown inputs, add of other channels")
    func errors() {
        var odd = Self.unet
        odd.input = InputSpec(channels: 3, height: 7, width: 9)
        #expect(throws: ArchitectureError.self) { try Graph(architecture: odd, seed: 1) }
        var unknown = Self.unet
        unknown.layers[6].inputs = ["e9"]
        #expect { try Graph(architecture: unknown, seed: 1) } throws: { "\($0)".contains("unknown input e9") }
        var add = Self.unet
        add.layers[9].inputs = ["e2"]
        #expect(throws: ArchitectureError.self) { try Graph(architecture: add, seed: 1) }
        #expect(throws: ArchitectureError.self) { try Sequential(architecture: Self.unet, seed: 1) }
    }
}
