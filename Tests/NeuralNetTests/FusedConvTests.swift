import Testing
@testable import NeuralNet

/// The fused tile-by-tile convolutions (`StorageConv.swift`) against the generic im2col + GEMM path and the
/// layer-by-layer inference pass, at awkward shapes.
@Suite("Fused convolution")
struct FusedConvTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: InputSpec
        var layers: [LayerSpec]
        var testDescription: String { name }
    }

    static func conv(_ out: Int, kernel: Int = 3, padding: Int = 1, dilation: Int = 1, stride: Int = 1) -> LayerSpec {
        LayerSpec(type: "conv", out: out, kernel: kernel, stride: stride, padding: padding, groups: 1, dilation: dilation)
    }
    static let bn = LayerSpec(type: "batchnorm"), relu = LayerSpec(type: "relu"), pool = LayerSpec(type: "maxpool", kernel: 2)
    static let head = [LayerSpec(type: "globalavgpool"), LayerSpec(type: "dense", out: 3)]

    static let cases: [Case] = [
        Case(name: "committed shape 64x64, 16/32/64/64", input: InputSpec(channels: 1, height: 64, width: 64),
             layers: [conv(16), bn, relu, pool, conv(32), bn, relu, pool, conv(64), bn, relu, pool, conv(64), bn, relu] + head),
        Case(name: "odd channels, 2 input channels, 32x32", input: InputSpec(channels: 2, height: 32, width: 32),
             layers: [conv(5), bn, relu, pool, conv(13), relu, conv(11), bn] + head),
        Case(name: "8-wide output, dilation 2, padding 2", input: InputSpec(channels: 3, height: 16, width: 16),
             layers: [conv(9), relu, pool, conv(7, padding: 2, dilation: 2), LayerSpec(type: "leakyrelu", alpha: 0.1)] + head),
        Case(name: "no padding, 5x5 kernel, short last panel", input: InputSpec(channels: 1, height: 52, width: 52),
             layers: [conv(6, kernel: 5, padding: 0), relu, pool, conv(4, kernel: 3, padding: 0)] + head),
        Case(name: "unfusable tail: stride 2, then 1x1", input: InputSpec(channels: 1, height: 32, width: 32),
             layers: [conv(8), relu, conv(8, stride: 2), relu, conv(6, kernel: 1, padding: 0)] + head),
        Case(name: "16-wide taps read in place, dilations 1 and 4, 4- and 1-channel layers (half-row passes)",
             input: InputSpec(channels: 3, height: 20, width: 48),
             layers: [conv(16), relu, conv(12, padding: 4, dilation: 4), LayerSpec(type: "leakyrelu", alpha: 0.1),
                      conv(4), relu, conv(1, kernel: 1, padding: 0)] + head),
        Case(name: "width not a multiple of 8 falls back", input: InputSpec(channels: 1, height: 12, width: 12),
             layers: [conv(4), relu, pool] + head),
    ]

    @Test("fused inference matches the generic path and the network", arguments: cases)
    func matches(c: Case) throws {
        let net = try Sequential(architecture: Architecture(input: c.input, layers: c.layers), seed: 3)
        var rng = RandomSource(seed: 9)
        let n = 5
        let x = Tensor(shape: Shape(channels: c.input.channels, batch: n, height: c.input.height, width: c.input.width),
                       data: randomArray(n * c.input.channels * c.input.height * c.input.width, &rng))
        _ = net.forward(x, context: PassContext(training: true))  // running statistics off 0 / 1
        let want = net.forward(x, context: PassContext(training: false))
        let generic = InferenceModel(network: net, batchSize: n, fused: false).run(x.data, count: n)
        for threads in [1, 2] {
            let fused = InferenceModel(network: net, batchSize: 8, threads: threads).run(x.data, count: n)
            for i in want.data.indices {
                #expect(abs(fused[i] - generic[i]) < 1e-4 * (1 + abs(generic[i])), "\(c.name) [\(i)]")
                #expect(abs(fused[i] - want.data[i]) < 1e-4 * (1 + abs(want.data[i])), "\(c.name) [\(i)]")
            }
        }
    }

    @Test("an output margin leaves the core as computed in full, and skips work only for same convolutions",
          arguments: [0, 1, 5, 9, 40])
    func outputMargin(margin: Int) throws {
        let input = InputSpec(channels: 3, height: 30, width: 48)
        let layers = [Self.conv(16), Self.relu, Self.conv(8, padding: 2, dilation: 2), Self.relu,
                      Self.conv(8, padding: 4, dilation: 4), Self.relu, Self.conv(1, kernel: 1, padding: 0)]
        let net = try Sequential(architecture: Architecture(input: input, layers: layers), seed: 5)
        var rng = RandomSource(seed: 11)
        let x = randomArray(2 * 3 * 30 * 48, &rng)
        let full = InferenceModel(network: net, batchSize: 2, threads: 2).run(x, count: 2)
        let trimmed = InferenceModel(network: net, batchSize: 2, threads: 2, outputMargin: margin)
        // Run a different batch first: skipped pixels keep stale values, which must not reach the core.
        _ = trimmed.run(randomArray(x.count, &rng), count: 2)
        let got = trimmed.run(x, count: 2)
        let e = min(margin, 14)
        for n in 0..<2 {
            for r in e..<(30 - e) {
                for c in e..<(48 - e) {
                    let i = n * 30 * 48 + r * 48 + c
                    #expect(abs(got[i] - full[i]) < 1e-5 * (1 + abs(full[i])), "margin \(margin) tile \(n) (\(r), \(c))")
                }
            }
        }
        let chain = try #require(trimmed.chain)
        let computed = chain.computedPixels, all = chain.layers.reduce(0) { $0 + $1.outHeight * $1.outWidth }
        #expect(margin == 0 ? computed == all : computed < all)
        // One tile with only a part of its map needed (a box of paved cells): that part as computed in full.
        let region = OutputRegion(rows: (margin % 7 + 3)..<(margin % 7 + 12), columns: (margin % 5 + 17)..<(margin % 5 + 30))
        // Tile 0 of the (C, N, H, W) batch, and tile 1 run first to leave stale values behind.
        let plane = 30 * 48
        let tile = (0..<3).flatMap { c in x[(2 * c) * plane..<(2 * c + 1) * plane] }
        _ = trimmed.run((0..<3).flatMap { c in x[(2 * c + 1) * plane..<(2 * c + 2) * plane] }, needed: region)
        let part = trimmed.run(tile, needed: region)
        for r in region.rows {
            for c in region.columns {
                #expect(abs(part[r * 48 + c] - full[r * 48 + c]) < 1e-5 * (1 + abs(full[r * 48 + c])),
                        "margin \(margin) region (\(r), \(c))")
            }
        }
        #expect(chain.computedPixels(chain.plans(needed: region)) < all)
        // A region with its own columns on each row (some rows empty): those pixels as computed in full, for
        // less work than their bounding box.
        let rows = (margin % 3 + 4)..<(margin % 3 + 24)
        let spans = rows.map { r in r % 5 == 2 ? 0..<0 : (r * 7 % 20 + 1)..<(r * 7 % 20 + 6 + r % 9) }
        let ragged = OutputRegion(rows: rows, spans: spans)
        _ = trimmed.run((0..<3).flatMap { c in x[(2 * c + 1) * plane..<(2 * c + 2) * plane] }, needed: ragged)
        let partial = trimmed.run(tile, needed: ragged)
        for (r, columns) in zip(rows, spans) {
            for c in columns {
                #expect(abs(partial[r * 48 + c] - full[r * 48 + c]) < 1e-5 * (1 + abs(full[r * 48 + c])),
                        "margin \(margin) spans (\(r), \(c))")
            }
        }
        let box = OutputRegion(rows: rows, columns: ragged.columns)
        #expect(chain.computedPixels(chain.plans(needed: ragged)) < chain.computedPixels(chain.plans(needed: box)))
    }

    @Test("the committed shape really runs fused: pooled 16-wide, plain 8-wide layers")
    func plan() throws {
        let c = Self.cases[0]
        let net = try Sequential(architecture: Architecture(input: c.input, layers: c.layers), seed: 3)
        let model = InferenceModel(network: net, batchSize: 4)
        #expect(model.fusedLayers == 4)
        #expect(FusedConv.segment(outHeight: 8, outWidth: 8, pool: false) == 8)
        #expect(FusedConv.segment(outHeight: 8, outWidth: 8, pool: true) == nil)
        #expect(FusedConv.segment(outHeight: 12, outWidth: 12, pool: false) == nil)
    }
}
