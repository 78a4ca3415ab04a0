import Dispatch

/// Fused inference convolutions: 3×3 (any k, dilation, padding; stride 1, one group) convolution + bias +
/// activation, optionally followed by 2×2 max pooling, for one tile at a time, so a tile's activations stay in
/// L1 / L2 (see ``InferenceModel``).
///
/// No column matrix is written: the 8×32 register kernel (``GEMM``'s) reads each panel of 32 output pixels'
/// taps (`K = C·k·k` rows) straight from the zero-bordered input, so no bounds checks are needed, two segments of
/// 16 pixels at a time through a table of tap offsets (``InPlaceRows``); layers whose width is a multiple of 8 but
/// not of 16 gather their four 8-pixel segments into the kernel's `K × 32` layout first. The kernel runs over the
/// pre-packed weights, and its
/// epilogue adds the bias, applies the activation and, for a pooled layer, takes the 2×2 maximum (a panel
/// then holds 16 columns of two neighbouring output rows) before storing. Pooling before the activation is
/// exact: bias + ReLU (or leaky ReLU) is monotonic, so it commutes with the maximum.
///
/// The reference is the generic path (im2col, ``GEMM``, ``Kernels/biasActivate(_:bias:planeCount:activation:)``,
/// ``Kernels/maxPool(x:planes:height:width:kernel:stride:y:argmax:)``); tests compare the two.
struct FusedConv: Sendable {
    /// Input channels, output channels, kernel side, dilation, padding.
    let inChannels: Int, outChannels: Int, kernel: Int, dilation: Int, padding: Int
    /// Input size (without border).
    let inHeight: Int, inWidth: Int
    /// Convolution output size (before pooling).
    let outHeight: Int, outWidth: Int
    /// 2×2 max pooling (stride 2) after the activation.
    let pool: Bool
    let activation: Kernels.Activation
    /// Weights as panels of 8 output channels: `[panel][k][8]`, zero rows past `outChannels`.
    let packed: [Float]
    /// Bias, zero-padded to a multiple of 8.
    let bias: [Float]
    /// Output pixels per gathered segment (16, or 8 for 8-wide outputs).
    let segment: Int
    /// Byte offset of each kernel row `(channel, ky, kx)` from a segment's first pixel in the padded input.
    let tapOffsets: [Int]
    /// The weights for Winograd F(2, 3) down the columns (``WinogradWeights``): unpooled 3×3 layers of 16-pixel
    /// segments with at least 4 input channels, when asked for; nil: the direct convolution only.
    let winograd: WinogradWeights?

    /// Whether layers run Winograd F(2, 3) where they can unless told otherwise (here and in ``InterleavedChain``):
    /// where the build targets AVX-512 (`NEURALNET_WIDE_REGISTERS`), where it was measured (planar: the crack
    /// network 7-9 % faster on one core; interleaved: 15 %, a 9 MP flight 12 %; `Benchmarks/README.md`); elsewhere,
    /// unmeasured, the direct kernels run.
    #if NEURALNET_WIDE_REGISTERS
    static let winogradByDefault = true
    #else
    static let winogradByDefault = false
    #endif

    /// `C·k·k`.
    var depth: Int { inChannels * kernel * kernel }
    /// Padded input plane: `(H + 2p) × (W + 2p)`.
    var inRowStride: Int { inWidth + 2 * padding }
    var inPlane: Int { (inHeight + 2 * padding) * inRowStride }
    /// Output size after the optional pooling.
    var storedHeight: Int { pool ? outHeight / 2 : outHeight }
    var storedWidth: Int { pool ? outWidth / 2 : outWidth }

    /// Whether a layer of this geometry can run fused; nil when not, else the segment length.
    static func segment(outHeight: Int, outWidth: Int, pool: Bool) -> Int? {
        guard outHeight >= 1 && outWidth >= 1 else { return nil }
        if pool { return outWidth % 16 == 0 && outHeight % 2 == 0 ? 16 : nil }
        if outWidth % 16 == 0 { return 16 }
        if outWidth % 8 == 0 { return 8 }
        return nil
    }

    /// - Parameters: weight `(out, in, k, k)` with batch norm folded in; bias `(out)`; the geometry must pass
    ///   ``segment(outHeight:outWidth:pool:)``; winograd: run pairs of rows through Winograd F(2, 3) where the layer
    ///   allows it (see ``winograd``).
    init?(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, dilation: Int, padding: Int,
          inHeight: Int, inWidth: Int, pool: Bool, activation: Kernels.Activation,
          winograd: Bool = FusedConv.winogradByDefault) {
        let oh = inHeight + 2 * padding - dilation * (kernel - 1), ow = inWidth + 2 * padding - dilation * (kernel - 1)
        guard let seg = Self.segment(outHeight: oh, outWidth: ow, pool: pool) else { return nil }
        precondition(weight.count == outChannels * inChannels * kernel * kernel && bias.count == outChannels)
        self.inChannels = inChannels; self.outChannels = outChannels; self.kernel = kernel
        self.dilation = dilation; self.padding = padding; self.inHeight = inHeight; self.inWidth = inWidth
        outHeight = oh; outWidth = ow; self.pool = pool; self.activation = activation; segment = seg
        let k = inChannels * kernel * kernel, panels = (outChannels + 7) / 8
        var p = [Float](repeating: 0, count: panels * k * 8)
        for o in 0..<outChannels {
            for j in 0..<k { p[(o / 8) * k * 8 + j * 8 + o % 8] = weight[o * k + j] }
        }
        packed = p
        self.bias = bias + [Float](repeating: 0, count: panels * 8 - outChannels)
        let row = inWidth + 2 * padding, plane = (inHeight + 2 * padding) * row
        tapOffsets = (0..<inChannels).flatMap { c in
            (0..<kernel).flatMap { ky in (0..<kernel).map { kx in (c * plane + (ky * row + kx) * dilation) * 4 } }
        }
        self.winograd = winograd && kernel == 3 && !pool && seg == 16 && inChannels >= 4
            ? WinogradWeights(weight: weight, inChannels: inChannels, outChannels: outChannels, dilation: dilation,
                              plane: plane, rowStride: row)
            : nil
    }

    /// The panels of a Winograd layer (``winograd``): `pairs` of output rows `y` and `y + d` over the same 16-pixel
    /// segments (each panel up to two segments of one row `y`, with the columns of all that row's segments: rows are
    /// taken in blocks of `2d` from the region's first, the first `d` of a block paired with the next `d`), and the
    /// rows of a last short block that have no partner, as direct `singles` (up to two segments a panel). A pair
    /// covers the columns of both its rows.
    func pairPanels(needed: OutputRegion? = nil) -> (pairs: [(segments: [(Int, Int)], columns: Range<Int>)],
                                                     singles: [[(Int, Int)]]) {
        let region = (needed ?? OutputRegion(rows: 0..<outHeight, columns: 0..<outWidth))
            .clamped(height: outHeight, width: outWidth)
        var pairs: [(segments: [(Int, Int)], columns: Range<Int>)] = [], singles: [(Int, Int)] = []
        func segments(_ columns: Range<Int>, row: Int, into list: inout [(Int, Int)]) {
            guard !columns.isEmpty else { return }
            for x in stride(from: columns.lowerBound / segment * segment, to: columns.upperBound, by: segment) {
                list.append((row, x))
            }
        }
        let rows = region.rowPairs(dilation: dilation)
        for (y, columns) in rows.pairs {
            var row: [(Int, Int)] = []
            segments(columns, row: y, into: &row)
            guard let first = row.first, let last = row.last else { continue }
            for g in grouped(row) { pairs.append((g, first.1..<(last.1 + segment))) }
        }
        for (y, columns) in rows.singles { segments(columns, row: y, into: &singles) }
        return (pairs, grouped(singles))
    }

    /// Segments two to a panel, in order.
    private func grouped(_ segs: [(Int, Int)]) -> [[(Int, Int)]] {
        stride(from: 0, to: segs.count, by: 2).map { Array(segs[$0..<min(segs.count, $0 + 2)]) }
    }

    /// Output pixel panels: each is 32 / `segment` segments, given as `(row, column)` of their first pixel.
    /// Pooled layers pair rows `2r` and `2r + 1` over the same 16 columns. The last unpooled panel may be short.
    /// - Parameter needed: the output pixels that must be computed (unpooled layers; nil: all): its rows, and on
    ///   each row the segments that meet that row's columns. Pooled layers compute every pixel.
    func panels(needed: OutputRegion? = nil) -> [[(Int, Int)]] {
        var out: [[(Int, Int)]] = []
        if pool {
            for r in stride(from: 0, to: outHeight, by: 2) {
                for x in stride(from: 0, to: outWidth, by: 16) { out.append([(r, x), (r + 1, x)]) }
            }
            return out
        }
        let region = (needed ?? OutputRegion(rows: 0..<outHeight, columns: 0..<outWidth))
            .clamped(height: outHeight, width: outWidth)
        var segs: [(Int, Int)] = []
        for r in region.rows {
            let columns = region.columns(ofRow: r)
            guard !columns.isEmpty else { continue }
            for x in stride(from: columns.lowerBound / segment * segment, to: columns.upperBound, by: segment) {
                segs.append((r, x))
            }
        }
        let per = 32 / segment
        var i = 0
        while i < segs.count {
            out.append(Array(segs[i..<min(segs.count, i + per)]))
            i += per
        }
        return out
    }

    /// Whether the output has the input's size and each output pixel reads input pixels at most ``radius`` away
    /// (a "same" convolution, unpooled).
    var isSame: Bool { !pool && outHeight == inHeight && outWidth == inWidth && padding == radius }
    /// How far from an output pixel its taps reach.
    var radius: Int { dilation * (kernel - 1) / 2 }
}

/// The part of a per-pixel output map (rows and columns of one tile's output) that a caller needs; the rest
/// need not be computed: a rectangle, or per row its own columns (the paved part of a tile, row by row).
public struct OutputRegion: Sendable, Hashable {
    /// Output rows needed.
    public var rows: Range<Int>
    /// Output columns needed: on every row, or with ``spans`` the hull of the spans.
    public var columns: Range<Int>
    /// Per row of ``rows`` (in order), the columns needed on that row (possibly empty); nil: ``columns`` on
    /// every row.
    public var spans: [Range<Int>]?

    /// Creates a rectangular region.
    public init(rows: Range<Int>, columns: Range<Int>) {
        self.rows = rows
        self.columns = columns
    }

    /// Creates a region with its own columns on each row.
    /// - Parameters: rows: the rows; spans: one column range per row of `rows` (empty: nothing on that row).
    public init(rows: Range<Int>, spans: [Range<Int>]) {
        precondition(spans.count == rows.count, "one span per row")
        self.rows = rows
        let filled = spans.filter { !$0.isEmpty }
        columns = (filled.map(\.lowerBound).min() ?? 0)..<(filled.map(\.upperBound).max() ?? 0)
        self.spans = spans
    }

    /// The columns needed on `row` (empty outside ``rows``).
    public func columns(ofRow row: Int) -> Range<Int> {
        guard rows.contains(row) else { return 0..<0 }
        return spans?[row - rows.lowerBound] ?? columns
    }

    /// The region grown by `n` pixels on every side (not clamped): what a "same" convolution of radius `n` must
    /// compute for this region of its output to be right. With spans, row `r` gets the hull of the spans of rows
    /// `r − n … r + n`, widened by `n`.
    func grown(by n: Int) -> OutputRegion {
        let grownRows = (rows.lowerBound - n)..<(rows.upperBound + n)
        guard let spans else {
            return OutputRegion(rows: grownRows, columns: (columns.lowerBound - n)..<(columns.upperBound + n))
        }
        let wide = grownRows.map { r -> Range<Int> in
            var lo = Int.max, hi = Int.min
            for q in max(rows.lowerBound, r - n)..<min(rows.upperBound, r + n + 1) where !spans[q - rows.lowerBound].isEmpty {
                lo = min(lo, spans[q - rows.lowerBound].lowerBound)
                hi = max(hi, spans[q - rows.lowerBound].upperBound)
            }
            return lo <= hi ? (lo - n)..<(hi + n) : 0..<0
        }
        return OutputRegion(rows: grownRows, spans: wide)
    }

    /// The rows in pairs `y`, `y + d` for Winograd F(2, 3) down the columns: rows taken in blocks of `2d` from the
    /// first, the first `d` of a block paired with the next `d`, each pair with the hull of both rows' columns
    /// (pairs whose rows are both empty left out); the rows of a last short block without a partner as `singles`
    /// (empty ones left out). Every row is a pair's first, a pair's second or a single, once.
    func rowPairs(dilation d: Int) -> (pairs: [(row: Int, columns: Range<Int>)], singles: [(row: Int, columns: Range<Int>)]) {
        var pairs: [(row: Int, columns: Range<Int>)] = [], singles: [(row: Int, columns: Range<Int>)] = []
        for y in rows where (y - rows.lowerBound) % (2 * d) < d {
            let own = columns(ofRow: y)
            guard y + d < rows.upperBound else {
                if !own.isEmpty { singles.append((y, own)) }
                continue
            }
            let other = columns(ofRow: y + d)
            let hull = own.isEmpty ? other : other.isEmpty ? own
                : min(own.lowerBound, other.lowerBound)..<max(own.upperBound, other.upperBound)
            if !hull.isEmpty { pairs.append((y, hull)) }
        }
        return (pairs, singles)
    }

    /// The region cut to a `height × width` map.
    func clamped(height: Int, width: Int) -> OutputRegion {
        let kept = rows.clamped(to: 0..<height)
        guard let spans else { return OutputRegion(rows: kept, columns: columns.clamped(to: 0..<width)) }
        return OutputRegion(rows: kept, spans: kept.map { spans[$0 - rows.lowerBound].clamped(to: 0..<width) })
    }
}

/// A chain of ``FusedConv`` layers run tile by tile, each layer writing into the next one's zero-bordered
/// input; the last writes into a `(C, N, H, W)` batch tensor. Scratch memory is allocated once per worker.
final class FusedChain: @unchecked Sendable {
    let layers: [FusedConv]
    /// Panel segment offsets per layer: `[layer][panel]` → up to 4 `(input offset, output offset)` pairs
    /// plus the count of valid segments.
    private var plans: [[Panel]]
    private let workers: [Scratch]
    /// Whether every layer is a "same" convolution, so that a needed output region can leave work out.
    let trimmable: Bool
    /// Per layer, how far below the last layer's current row it runs in the wavefront (see `tiles`): the radii
    /// of the layers after it, plus a row per later layer, as panels run on across row ends.
    private let ahead: [Int]

    /// One panel's segments (no allocation: a plan for a tile's own region is built per tile).
    struct Panel {
        /// Offset of each segment's first pixel in the padded input plane (the top-left tap); `count` are valid.
        var input: SIMD4<Int>
        /// Offset of each segment's first stored pixel in the output plane (pooled: the pooled pixel, once).
        var output: SIMD4<Int>
        /// Segments in the panel (1...4).
        var count: Int
        /// Stored outputs (pooled: 1, else `count`).
        var outputs: Int
        /// The output rows of the panel's first and last segments (a panel may go on to a later row; unpooled
        /// layers; a Winograd pair: the second row of its last segment), for the wavefront order of a trimmable chain.
        var row = 0, lastRow = 0
        /// A Winograd pair (``FusedConv/pairPanels(needed:)``): the offset from each segment's stored pixel on row `y`
        /// to the one on row `y + d` in the output plane; 0 for a direct panel. A pair's ``input`` holds its segments'
        /// columns (its row is ``row``).
        var pairStride = 0
        /// A Winograd pair: the columns of all the segments of its row, which the input transform covers.
        var pairColumns = 0..<0
    }

    /// Output pixels the chain computes per tile, over all layers (pooled layers: before pooling).
    var computedPixels: Int { computedPixels(plans) }

    /// Output pixels a plan computes per tile.
    func computedPixels(_ plans: [[Panel]]) -> Int {
        zip(plans, layers).reduce(0) { sum, p in sum + p.0.reduce(0) { $0 + $1.count * ($1.pairStride == 0 ? 1 : 2) } * p.1.segment }
    }

    /// Per-worker buffers: one zero-bordered input per layer (borders are never written), the gather panel,
    /// the accumulator spill and a Winograd panel's transformed inputs and products.
    final class Scratch: @unchecked Sendable {
        let inputs: [UnsafeMutablePointer<Float>]
        let panel: UnsafeMutablePointer<Float>
        let acc: UnsafeMutablePointer<SIMD16<Float>>
        /// Per layer, a Winograd layer's transformed pair row (``WinogradWeights/transform(row:columns:input:t:)``),
        /// and which row it holds (−1: none; reset for every tile); the four products of one block of output channels
        /// (4 × 16 vectors).
        let transformed: [UnsafeMutablePointer<Float>]
        var transformedRow: [Int]
        let products: UnsafeMutablePointer<SIMD16<Float>>
        let sizes: [Int]
        init(layers: [FusedConv]) {
            sizes = layers.map { $0.inChannels * $0.inPlane }
            inputs = sizes.map { n in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
                unsafe p.initialize(repeating: 0, count: n)
                return unsafe p
            }
            let depth = layers.map(\.depth).max() ?? 1
            unsafe panel = UnsafeMutablePointer<Float>.allocate(capacity: depth * 32)
            unsafe panel.initialize(repeating: 0, count: depth * 32)
            unsafe acc = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 16)
            unsafe acc.initialize(repeating: SIMD16<Float>(), count: 16)
            unsafe transformed = layers.map { l in
                let floats = max(1, l.winograd?.transformedFloats ?? 0)
                let p = UnsafeMutablePointer<Float>.allocate(capacity: floats)
                unsafe p.initialize(repeating: 0, count: floats)
                return unsafe p
            }
            transformedRow = layers.map { _ in -1 }
            unsafe products = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: 64)
            unsafe products.initialize(repeating: SIMD16<Float>(), count: 64)
        }
        deinit {
            for p in unsafe transformed { unsafe p.deallocate() }
            unsafe products.deallocate()
            for p in unsafe inputs { unsafe p.deallocate() }
            unsafe panel.deallocate()
            unsafe acc.deallocate()
        }
    }

    /// - Parameters:
    ///   - layers: each layer's stored output is the next one's input.
    ///   - workers: ≥ 1.
    ///   - outputMargin: the last layer's output pixels within this many of the tile's edges are not needed, so
    ///     they are not computed (their values in the output are unspecified), nor is anything only they depend
    ///     on: layer j skips a ring `outputMargin − (the radii of the layers after j)` wide. Applied only when
    ///     every layer is a "same" convolution (``FusedConv/isSame``); otherwise every pixel is computed.
    init(layers: [FusedConv], workers: Int, outputMargin: Int = 0) {
        precondition(!layers.isEmpty)
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outChannels == b.inChannels && a.storedHeight == b.inHeight && a.storedWidth == b.inWidth)
        }
        self.layers = layers
        trimmable = layers.allSatisfy(\.isSame)
        // A Winograd layer's panel at row y also writes row y + d, reading rows up to y + d + radius.
        ahead = layers.indices.map { li in
            layers[(li + 1)...].reduce(0) { $0 + $1.radius + ($1.winograd == nil ? 0 : $1.dilation) } + (layers.count - 1 - li)
        }
        let h = layers[0].outHeight, w = layers[0].outWidth
        let margin = max(0, min(outputMargin, (h - 1) / 2, (w - 1) / 2))
        plans = []
        self.workers = (0..<max(1, workers)).map { _ in Scratch(layers: layers) }
        plans = plans(needed: OutputRegion(rows: margin..<(h - margin), columns: margin..<(w - margin)))
    }

    /// The panels of every layer when only `needed` of the last layer's output is needed: layer j computes that
    /// region grown by the radii of the layers after it (everything when the chain is not ``trimmable``).
    func plans(needed: OutputRegion) -> [[Panel]] {
        var plans: [[Panel]] = []
        for (li, l) in layers.enumerated() {
            let grow = layers[(li + 1)...].reduce(0) { $0 + $1.radius }
            let region = trimmable ? needed.grown(by: grow) : nil
            // Output plane of layer li: the next layer's padded input, or the unpadded batch plane.
            let next = li + 1 < layers.count ? layers[li + 1] : nil
            let outPad = next?.padding ?? 0, outRow = l.storedWidth + 2 * outPad
            if l.winograd != nil {
                let (pairs, singles) = l.pairPanels(needed: region)
                func panel(_ segs: [(Int, Int)], pair columns: Range<Int>?) -> Panel {
                    var panel = Panel(input: .zero, output: .zero, count: segs.count, outputs: segs.count,
                                      row: segs[0].0, lastRow: segs[segs.count - 1].0 + (columns == nil ? 0 : l.dilation),
                                      pairStride: columns == nil ? 0 : l.dilation * outRow, pairColumns: columns ?? 0..<0)
                    for (q, seg) in segs.enumerated() {
                        panel.input[q] = columns == nil ? seg.0 * l.inRowStride + seg.1 : seg.1
                        panel.output[q] = (seg.0 + outPad) * outRow + seg.1 + outPad
                    }
                    return panel
                }
                // In order of first rows (the wavefront's order); the singles are the last short block's rows.
                plans.append((pairs.map { panel($0.segments, pair: $0.columns) } + singles.map { panel($0, pair: nil) })
                    .enumerated().sorted { ($0.element.row, $0.offset) < ($1.element.row, $1.offset) }.map(\.element))
                continue
            }
            plans.append(l.panels(needed: region).map { segs in
                var panel = Panel(input: .zero, output: .zero, count: segs.count, outputs: l.pool ? 1 : segs.count,
                                  row: segs[0].0, lastRow: segs[segs.count - 1].0)
                for (q, seg) in segs.enumerated() {
                    panel.input[q] = seg.0 * l.inRowStride + seg.1
                    panel.output[q] = l.pool ? (segs[0].0 / 2 + outPad) * outRow + segs[0].1 / 2 + outPad
                                             : (seg.0 + outPad) * outRow + seg.1 + outPad
                }
                return panel
            })
        }
        return plans
    }

    /// Runs the `batch` tiles of `x` (`(C, N, H, W)`) through the chain into `y` (`(C', N, H', W')`), the
    /// tiles split over the workers (results do not depend on the split).
    /// - Parameter needed: for one tile (`batch` 1) of a ``trimmable`` chain, the part of the output needed
    ///   (within the output margin given at init); the rest of `y` is left unspecified. Nil: the init's margin.
    func run(x: [Float], batch: Int, y: inout [Float], needed: OutputRegion? = nil) {
        let first = layers[0], last = layers[layers.count - 1]
        let inPlane = first.inHeight * first.inWidth, outPlane = last.storedHeight * last.storedWidth
        precondition(x.count >= first.inChannels * batch * inPlane && y.count >= last.outChannels * batch * outPlane)
        let t = min(workers.count, batch)
        let plans = needed.map { self.plans(needed: $0) } ?? self.plans
        unsafe x.withUnsafeBufferPointer { xb in
            unsafe y.withUnsafeMutableBufferPointer { yb in
                let job = unsafe Job(x: xb.baseAddress!, y: yb.baseAddress!, plans: plans)
                if t <= 1 {
                    self.tiles(0..<batch, batch: batch, job: job, scratch: workers[0])
                } else {
                    DispatchQueue.concurrentPerform(iterations: t) { w in
                        self.tiles((batch * w / t)..<(batch * (w + 1) / t), batch: batch, job: job, scratch: self.workers[w])
                    }
                }
            }
        }
    }

    /// The input and output of one ``run(x:batch:y:)``; workers write disjoint tiles of `y`.
    @safe struct Job: @unchecked Sendable {
        let x: UnsafePointer<Float>
        let y: UnsafeMutablePointer<Float>
        let plans: [[Panel]]
    }

    private func tiles(_ range: Range<Int>, batch: Int, job: Job, scratch s: Scratch) {
        let first = layers[0], last = layers[layers.count - 1]
        let inPlane = first.inHeight * first.inWidth, outPlane = last.storedHeight * last.storedWidth
        for n in range {
            for li in layers.indices { s.transformedRow[li] = -1 }
            // Copy the tile into the first layer's bordered input.
            let p = first.padding, row = first.inRowStride
            for c in 0..<first.inChannels {
                let src = unsafe job.x + (c * batch + n) * inPlane
                let dst = unsafe s.inputs[0] + c * first.inPlane + p * row + p
                for r in 0..<first.inHeight {
                    unsafe (dst + r * row).update(from: src + r * first.inWidth, count: first.inWidth)
                }
            }
            // Layer `li` over the panels `range` of its plan.
            func run(_ li: Int, _ range: Range<Int>) {
                let l = layers[li], plan = job.plans[li][range]
                if li + 1 < layers.count {
                    unsafe Self.layer(l, index: li, plan: plan, input: s.inputs[li], output: s.inputs[li + 1],
                                      outChannelStride: layers[li + 1].inPlane, scratch: s)
                } else {
                    unsafe Self.layer(l, index: li, plan: plan, input: s.inputs[li], output: job.y + n * outPlane,
                                      outChannelStride: batch * outPlane, scratch: s)
                }
            }
            guard trimmable && layers.count > 1 else {
                for li in layers.indices { run(li, job.plans[li].indices) }
                continue
            }
            // A wavefront down the tile: each layer runs a few rows behind the one before it, as far as the rows it
            // reads are done, so a layer reads rows its predecessor wrote moments ago (in cache) instead of a whole
            // tile's planes written long before (16 channels of a 256-px tile with margins: 7 MB per layer). The
            // same panels with the same inputs, so the same values as layer after layer.
            var cursor = [Int](repeating: 0, count: layers.count)
            // How far each layer runs per step: with the last layer at row y, layer li runs its panels that start
            // up to y + ahead[li], so that the next layer finds its rows done and the wavefront keeps moving.
            let final = job.plans[layers.count - 1]
            var y = final.first?.row ?? 0
            let end = final.last?.row ?? 0
            while true {
                for li in layers.indices {
                    let plan = job.plans[li]
                    // Every row of the layer before that lies above its first panel not yet run is done (panels
                    // come in order of their first rows); a panel runs only when the rows it reads are done.
                    let before = li == 0 ? nil : job.plans[li - 1]
                    let ready = before.map { cursor[li - 1] < $0.count ? $0[cursor[li - 1]].row - 1 : Int.max } ?? Int.max
                    var e = cursor[li]
                    while e < plan.count && plan[e].row <= y + ahead[li] && plan[e].lastRow + layers[li].radius <= ready {
                        e += 1
                    }
                    if e > cursor[li] { run(li, cursor[li]..<e) }
                    cursor[li] = e
                }
                if y >= end { break }
                y = min(end, y + Self.wavefrontRows)
            }
            for li in layers.indices where cursor[li] < job.plans[li].count { run(li, cursor[li]..<job.plans[li].count) }
        }
    }

    /// Rows of the last layer's output per step of the wavefront.
    static let wavefrontRows = 4

    /// One layer over one tile.
    private static func layer(_ l: FusedConv, index: Int, plan: ArraySlice<Panel>, input: UnsafeMutablePointer<Float>,
                              output: UnsafeMutablePointer<Float>, outChannelStride: Int, scratch: Scratch) {
        let depth = l.depth, seg = l.segment
        unsafe l.packed.withUnsafeBufferPointer { wb in
            unsafe l.tapOffsets.withUnsafeBufferPointer { ob in
                for panel in plan {
                    if panel.pairStride != 0, let wino = l.winograd {
                        unsafe Self.pair(l, wino, index: index, panel: panel, input: input, output: output,
                                         outChannelStride: outChannelStride, scratch: scratch)
                        continue
                    }
                    let last = panel.count - 1
                    let i0 = panel.input[0], i1 = panel.input[min(1, last)]
                    if seg == 8 {
                        // Gather the K × 32 panel from four 8-pixel segments.
                        var dst = unsafe scratch.panel
                        let i2 = panel.input[min(2, last)], i3 = panel.input[min(3, last)]
                        let plane = unsafe UnsafeRawPointer(input)
                        for tap in l.tapOffsets {
                            typealias H = SIMD8<Float>
                            let d = unsafe UnsafeMutableRawPointer(dst)
                            unsafe d.storeBytes(of: plane.loadUnaligned(fromByteOffset: i0 * 4 + tap, as: H.self), as: H.self)
                            unsafe d.storeBytes(of: plane.loadUnaligned(fromByteOffset: i1 * 4 + tap, as: H.self),
                                                toByteOffset: 32, as: H.self)
                            unsafe d.storeBytes(of: plane.loadUnaligned(fromByteOffset: i2 * 4 + tap, as: H.self),
                                                toByteOffset: 64, as: H.self)
                            unsafe d.storeBytes(of: plane.loadUnaligned(fromByteOffset: i3 * 4 + tap, as: H.self),
                                                toByteOffset: 96, as: H.self)
                            unsafe dst += 32
                        }
                    }
                    var ir = 0
                    while ir < l.outChannels {
                        let a = unsafe wb.baseAddress! + ir * depth
                        if seg == 8 {
                            unsafe GEMM.kernel(kc: depth, a: a, b: scratch.panel, acc: scratch.acc)
                        } else {
                            let left = unsafe InPlaceRows(base: UnsafeRawPointer(input + i0), offsets: ob.baseAddress!)
                            let right = unsafe InPlaceRows(base: UnsafeRawPointer(input + i1), offsets: ob.baseAddress!)
                            unsafe GEMM.kernel(kc: depth, a: a, left: left, right: right, rows: min(8, l.outChannels - ir),
                                               acc: scratch.acc)
                        }
                        let rows = min(8, l.outChannels - ir)
                        for r in 0..<rows {
                            let bias = l.bias[ir + r]
                            let out = unsafe UnsafeMutableRawPointer(output + (ir + r) * outChannelStride)
                            let v0 = unsafe scratch.acc[2 * r], v1 = unsafe scratch.acc[2 * r + 1]
                            if l.pool {
                                let m = v0.replacing(with: v1, where: v0 .< v1)
                                let e = m.evenHalf, o = m.oddHalf
                                let p = Self.activate(e.replacing(with: o, where: e .< o) + SIMD8(repeating: bias), l.activation)
                                unsafe out.storeBytes(of: p, toByteOffset: panel.output[0] * 4, as: SIMD8<Float>.self)
                            } else if seg == 16 {
                                let b = SIMD16<Float>(repeating: bias)
                                unsafe out.storeBytes(of: Self.activate(v0 + b, l.activation), toByteOffset: panel.output[0] * 4,
                                                      as: SIMD16<Float>.self)
                                if panel.outputs > 1 {
                                    unsafe out.storeBytes(of: Self.activate(v1 + b, l.activation),
                                                          toByteOffset: panel.output[1] * 4, as: SIMD16<Float>.self)
                                }
                            } else {
                                let b = SIMD8<Float>(repeating: bias)
                                for q in 0..<panel.outputs {
                                    let h = q == 0 ? v0.lowHalf : q == 1 ? v0.highHalf : q == 2 ? v1.lowHalf : v1.highHalf
                                    unsafe out.storeBytes(of: Self.activate(h + b, l.activation),
                                                          toByteOffset: panel.output[q] * 4, as: SIMD8<Float>.self)
                                }
                            }
                        }
                        ir += 8
                    }
                }
            }
        }
    }

    /// One Winograd pair panel (up to two 16-pixel segments of row `y`): the input transform of the row's columns
    /// (once per row, kept in the scratch for the row's other panels), then per block of 8 output channels the four
    /// products `m_i` on the 8×32 register kernel reading the transformed rows in place, then the output transform,
    /// bias and activation for rows `y` and `y + d`.
    @inline(__always)
    private static func pair(_ l: FusedConv, _ wino: WinogradWeights, index: Int, panel: Panel, input: UnsafeMutablePointer<Float>,
                             output: UnsafeMutablePointer<Float>, outChannelStride: Int, scratch: Scratch) {
        let depth = wino.depth, t = unsafe scratch.transformed[index], m = scratch.products
        if scratch.transformedRow[index] != panel.row {
            let c = panel.pairColumns
            unsafe wino.transform(row: panel.row, columns: c.lowerBound..<(c.upperBound + 2 * l.dilation), input: input, t: t)
            scratch.transformedRow[index] = panel.row
        }
        let plane = (depth / 3) * wino.rowStride
        unsafe wino.packed.withUnsafeBufferPointer { wb in
            unsafe wino.offsets.withUnsafeBufferPointer { ob in
                var o0 = 0
                while o0 < l.outChannels {
                    for i in 0..<4 {
                        let rows = unsafe UnsafeRawPointer(t + i * plane)
                        let left = unsafe InPlaceRows(base: rows + panel.input[0] * 4, offsets: ob.baseAddress!)
                        let right = unsafe InPlaceRows(base: rows + panel.input[min(1, panel.count - 1)] * 4, offsets: ob.baseAddress!)
                        unsafe GEMM.kernel(kc: depth, a: wb.baseAddress! + ((o0 / 8) * 4 + i) * depth * 8, left: left,
                                           right: right, rows: 8, acc: m + 16 * i)
                    }
                    let rows = min(8, l.outChannels - o0)
                    // The activation chosen once per block, so that the stores below run without a branch per vector.
                    switch l.activation {
                    case .relu: unsafe Self.pairOutputs(m, rows: rows, panel: panel, bias: l.bias, o0: o0, output: output,
                                                        outChannelStride: outChannelStride, .relu)
                    case .identity: unsafe Self.pairOutputs(m, rows: rows, panel: panel, bias: l.bias, o0: o0, output: output,
                                                            outChannelStride: outChannelStride, .identity)
                    case .leaky(let a): unsafe Self.pairOutputs(m, rows: rows, panel: panel, bias: l.bias, o0: o0, output: output,
                                                                outChannelStride: outChannelStride, .leaky(a))
                    }
                    o0 += 8
                }
            }
        }
    }

    /// The output transform of a pair panel for one block of output channels: rows `y` (`m0 + m1 + m2`) and `y + d`
    /// (`m1 − m2 − m3`), plus the bias, through the activation.
    @inline(__always)
    private static func pairOutputs(_ m: UnsafeMutablePointer<SIMD16<Float>>, rows: Int, panel: Panel, bias: [Float], o0: Int,
                                    output: UnsafeMutablePointer<Float>, outChannelStride: Int, _ a: Kernels.Activation) {
        for r in 0..<rows {
            let b = SIMD16<Float>(repeating: bias[o0 + r])
            for q in 0..<panel.count {
                let k = 2 * r + q
                let m0 = unsafe m[k], m1 = unsafe m[16 + k], m2 = unsafe m[32 + k], m3 = unsafe m[48 + k]
                let out = unsafe UnsafeMutableRawPointer(output + (o0 + r) * outChannelStride + panel.output[q])
                unsafe out.storeBytes(of: Self.activate(m0 + m1 + m2 + b, a), as: SIMD16<Float>.self)
                unsafe out.storeBytes(of: Self.activate(m1 - m2 - m3 + b, a), toByteOffset: panel.pairStride * 4,
                                      as: SIMD16<Float>.self)
            }
        }
    }

    /// `a` lane by lane. On the concrete `SIMD16<Float>` on purpose: the same code generic over the vector width
    /// compiled to a lane-by-lane loop through the stack that took more than half of a frame's network time.
    @inline(__always)
    static func activate(_ v: SIMD16<Float>, _ a: Kernels.Activation) -> SIMD16<Float> {
        switch a {
        case .identity: return v
        case .relu: return v.replacing(with: SIMD16<Float>(), where: v .< SIMD16<Float>())
        case .leaky(let alpha): return v.replacing(with: v * SIMD16<Float>(repeating: alpha), where: v .< SIMD16<Float>())
        }
    }

    /// ``activate(_:_:)`` on 8 lanes. Written out rather than through the 16-lane version, which was compiled as
    /// a call of its own in the pooled epilogue (5 % of the tile classifier's time).
    @inline(__always)
    static func activate(_ v: SIMD8<Float>, _ a: Kernels.Activation) -> SIMD8<Float> {
        switch a {
        case .identity: return v
        case .relu: return v.replacing(with: SIMD8<Float>(), where: v .< SIMD8<Float>())
        case .leaky(let alpha): return v.replacing(with: v * SIMD8<Float>(repeating: alpha), where: v .< SIMD8<Float>())
        }
    }
}
