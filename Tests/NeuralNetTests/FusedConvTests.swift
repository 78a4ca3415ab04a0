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
            for winograd in [false, true] {
                let fused = InferenceModel(network: net, batchSize: 8, threads: threads, winograd: winograd).run(x.data, count: n)
                for i in want.data.indices {
                    #expect(abs(fused[i] - generic[i]) < 1e-4 * (1 + abs(generic[i])), "\(c.name) winograd \(winograd) [\(i)]")
                    #expect(abs(fused[i] - want.data[i]) < 1e-4 * (1 + abs(want.data[i])), "\(c.name) winograd \(winograd) [\(i)]")
                }
            }
        }
    }

    @Test("an output margin leaves the core as computed in full, and skips work only for same convolutions",
          arguments: [0, 1, 5, 9, 40], [false, true])
    func outputMargin(margin: Int, winograd: Bool) throws {
        let input = InputSpec(channels: 3, height: 30, width: 48)
        let layers = [Self.conv(16), Self.relu, Self.conv(8, padding: 2, dilation: 2), Self.relu,
                      Self.conv(8, padding: 4, dilation: 4), Self.relu, Self.conv(1, kernel: 1, padding: 0)]
        let net = try Sequential(architecture: Architecture(input: input, layers: layers), seed: 5)
        var rng = RandomSource(seed: 11)
        let x = randomArray(2 * 3 * 30 * 48, &rng)
        let full = InferenceModel(network: net, batchSize: 2, threads: 2).run(x, count: 2)
        let trimmed = InferenceModel(network: net, batchSize: 2, threads: 2, outputMargin: margin, winograd: winograd)
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
        // Both 16-channel-input layers (dilations 2 and 4) run as Winograd pairs exactly when asked.
        #expect(chain.layers.map { $0.winograd != nil } == [false, winograd, winograd, false])
    }

    /// The detector's per-pixel crack network (16 maps, dilations 1, 1, 2, 4, 8, 1, a 1×1 head) on a tile whose
    /// height leaves short blocks of rows for every dilation, with a ragged needed region and stale scratch: the
    /// planar chain's Winograd pairs, the direct rows they leave and its direct path, and the channel-interleaved
    /// chain, direct and Winograd (whose last block of a row is moved left onto pixels already done), give the
    /// generic path's values.
    @Test("the crack network's shape: Winograd, direct and channel-interleaved paths give the generic path's values")
    func winogradCrackNetwork() throws {
        let input = InputSpec(channels: 3, height: 75, width: 64)
        var layers: [LayerSpec] = []
        for d in [1, 1, 2, 4, 8, 1] { layers += [Self.conv(16, padding: d, dilation: d), Self.relu] }
        let net = try Sequential(architecture: Architecture(input: input, layers: layers + [Self.conv(1, kernel: 1, padding: 0)]),
                                 seed: 7)
        var rng = RandomSource(seed: 13)
        let plane = 75 * 64
        let x = randomArray(3 * plane, &rng), stale = randomArray(3 * plane, &rng)
        let generic = InferenceModel(network: net, batchSize: 1, fused: false).run(x, count: 1)
        let rows = 20..<61
        let spans = rows.map { r in r % 7 == 3 ? 0..<0 : (r * 5 % 23)..<(r * 5 % 23 + 9 + r % 17) }
        for region in [OutputRegion(rows: 17..<58, columns: 17..<47), OutputRegion(rows: rows, spans: spans)] {
            var got: [[Float]] = []
            for winograd in [false, true] {
                let model = InferenceModel(network: net, batchSize: 1, outputMargin: 17, winograd: winograd, interleave: false)
                _ = model.run(stale, needed: region)
                got.append(model.run(x, needed: region))
                let chain = try #require(model.chain)
                #expect(model.interleaved == nil)
                #expect(chain.layers.map { $0.winograd != nil } == [false] + Array(repeating: winograd, count: 5) + [false])
            }
            for winograd in [false, true] {
                let interleaved = InferenceModel(network: net, batchSize: 1, outputMargin: 17, winograd: winograd)
                #expect(interleaved.interleaved != nil && interleaved.chain == nil && interleaved.fusedLayers == 7)
                #expect(interleaved.interleaved?.layers.map { $0.winograd != nil }
                        == [false] + Array(repeating: winograd, count: 5) + [false])
                _ = interleaved.run(stale, needed: region)
                got.append(interleaved.run(x, needed: region))
            }
            for (path, values) in zip(["direct", "winograd", "interleaved", "interleaved winograd"], got) {
                var worst = 0 as Float, at = (0, 0)
                for r in region.rows {
                    for c in region.columns(ofRow: r) {
                        let i = r * 64 + c, e = abs(values[i] - generic[i]) / (1 + abs(generic[i]))
                        if e > worst { worst = e; at = (r, c) }
                    }
                }
                #expect(worst < 1e-4, "\(path): relative error \(worst) at \(at)")
            }
        }
    }

    /// Every needed pixel of a Winograd layer is covered once: by a pair's first row, a pair's second row (`d` below)
    /// or a direct row, and panels come in the order of their first rows.
    @Test("Winograd pairs cover the needed region once, in row order", arguments: [1, 2, 4, 8])
    func winogradPairsCover(dilation: Int) throws {
        let weights = [Float](repeating: 0.1, count: 8 * 8 * 9)
        let layer = try #require(FusedConv(weight: weights, bias: [Float](repeating: 0, count: 8), inChannels: 8, outChannels: 8,
                                           kernel: 3, dilation: dilation, padding: dilation, inHeight: 50, inWidth: 48,
                                           pool: false, activation: .relu, winograd: true))
        #expect(layer.winograd != nil)
        let rows = 3..<46
        let ragged = OutputRegion(rows: rows, spans: rows.map { r in r % 6 == 0 ? 0..<0 : (r % 11)..<(r % 11 + 5 + r % 30) })
        for region in [OutputRegion(rows: 0..<50, columns: 0..<48), OutputRegion(rows: 5..<38, columns: 7..<30), ragged] {
            let (pairs, singles) = layer.pairPanels(needed: region)
            var seen = [Int](repeating: 0, count: 50 * 48)
            for p in pairs {
                for (y, x) in p.segments {
                    #expect(p.columns.contains(x) && x % 16 == 0)
                    for c in x..<(x + 16) { seen[y * 48 + c] += 1; seen[(y + dilation) * 48 + c] += 1 }
                }
            }
            for s in singles { for (y, x) in s { for c in x..<(x + 16) { seen[y * 48 + c] += 1 } } }
            for r in region.rows {
                for c in region.columns(ofRow: r) { #expect(seen[r * 48 + c] == 1, "d \(dilation) (\(r), \(c))") }
            }
            #expect(seen.allSatisfy { $0 <= 1 })
        }
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
