import ImagingCore

/// Summed-area tables of an 8-bit image: `sum[y][x]` is the sum of pixels above and left of (x, y),
/// so both planes are (H + 1) x (W + 1) with a zero first row and column (OpenCV's `integral2`).
public struct IntegralImage: Sendable, Equatable {
    /// Σ p, (H + 1) x (W + 1).
    public var sum: Plane<UInt32>
    /// Σ p², (H + 1) x (W + 1).
    public var squares: Plane<UInt64>

    /// Zeroed tables for a `width` x `height` source (to fill with ``Integral/compute(_:into:threads:)``).
    public init(width: Int, height: Int) {
        sum = Plane(width: width + 1, height: height + 1)
        squares = Plane(width: width + 1, height: height + 1)
    }

    /// Wraps existing tables (both (H + 1) x (W + 1)).
    public init(sum: Plane<UInt32>, squares: Plane<UInt64>) {
        self.sum = sum
        self.squares = squares
    }

    /// Sum of the pixels in `rect` (inside the source image).
    public func sum(in rect: Rect) -> UInt32 {
        sum[rect.maxX, rect.maxY] &- sum[rect.x, rect.maxY] &- sum[rect.maxX, rect.y] &+ sum[rect.x, rect.y]
    }

    /// Sum of squared pixels in `rect`.
    public func squareSum(in rect: Rect) -> UInt64 {
        squares[rect.maxX, rect.maxY] &- squares[rect.x, rect.maxY] &- squares[rect.maxX, rect.y] &+ squares[rect.x, rect.y]
    }

    /// Mean and (population) variance of the pixels in a non-empty `rect`.
    public func meanAndVariance(in rect: Rect) -> (mean: Double, variance: Double) {
        let n = Double(rect.area)
        let mean = Double(sum(in: rect)) / n
        return (mean, max(0, Double(squareSum(in: rect)) / n - mean * mean))
    }
}

/// Integral images (sum and sum of squares) for local means and variances.
public enum Integral {
    /// The largest pixel count whose sum always fits `UInt32`.
    public static let maximumPixelCount = Int(UInt32.max) / 255

    /// - Parameters: src: (H, W) gray8 with H × W ≤ ``maximumPixelCount``; threads: ≥ 1 (bands are summed
    ///   locally, then shifted by the rows above; integer sums, so the result does not depend on threads).
    /// - Returns: the two (H + 1) x (W + 1) tables.
    public static func compute(_ src: PixelBuffer, threads: Int = 1) -> IntegralImage {
        var table = IntegralImage(width: src.width, height: src.height)
        compute(src, into: &table, threads: threads)
        return table
    }

    /// As ``compute(_:threads:)`` into existing tables of (H + 1) x (W + 1) (every element is written).
    public static func compute(_ src: PixelBuffer, into table: inout IntegralImage, threads: Int = 1) {
        precondition(src.format == .gray8, "integral takes gray8")
        precondition(src.pixelCount <= maximumPixelCount, "image too large for 32-bit sums")
        let w = src.width, h = src.height
        precondition(table.sum.width == w + 1 && table.sum.height == h + 1 && table.squares.width == w + 1
                     && table.squares.height == h + 1, "integral tables must be (H + 1) x (W + 1)")
        guard w > 0 && h > 0 else { return }
        for x in 0...w {
            table.sum[x, 0] = 0
            table.squares[x, 0] = 0
        }
        let ps = table.sum.rowStride, qs = table.squares.rowStride
        let bands = Parallelism.bands(rows: h, threads: threads, minimumRows: 64)
        unsafe src.readPixels { s in
            unsafe table.sum.writeValues { S in
                unsafe table.squares.writeValues { Q in
                    // Phase 1: each band from a zero row.
                    let zeroS = unsafe ScratchRows<UInt32>(count: 1, width: w + 1, value: 0)
                    let zeroQ = unsafe ScratchRows<UInt64>(count: 1, width: w + 1, value: 0)
                    defer { unsafe zeroS.release(); unsafe zeroQ.release() }
                    Parallelism.forEachBand(rows: h, threads: threads, minimumRows: 64) { rows in
                        for y in rows {
                            let s0 = unsafe y == rows.lowerBound ? UnsafePointer(zeroS(0)) : UnsafePointer(S + y * ps)
                            let q0 = unsafe y == rows.lowerBound ? UnsafePointer(zeroQ(0)) : UnsafePointer(Q + y * qs)
                            unsafe integralRow(s + y * src.rowStride, s0, q0, S + (y + 1) * ps, Q + (y + 1) * qs, w)
                        }
                    }
                    guard bands.count > 1 else { return }
                    // Phase 2: carry the last row of the bands above into each band.
                    var carriesS: [[UInt32]] = [[UInt32](repeating: 0, count: w + 1)]
                    var carriesQ: [[UInt64]] = [[UInt64](repeating: 0, count: w + 1)]
                    for b in 1..<bands.count {
                        let last = bands[b - 1].upperBound
                        let cs = (0...w).map { unsafe carriesS[b - 1][$0] &+ S[last * ps + $0] }
                        let cq = (0...w).map { unsafe carriesQ[b - 1][$0] &+ Q[last * qs + $0] }
                        carriesS.append(cs)
                        carriesQ.append(cq)
                    }
                    DispatchQueueBands.run(bands.count, threads) { b in
                        guard b > 0 else { return }
                        unsafe carriesS[b].withUnsafeBufferPointer { cs in
                            unsafe carriesQ[b].withUnsafeBufferPointer { cq in
                                let c1 = cs.baseAddress!, c2 = cq.baseAddress!
                                for y in bands[b] {
                                    let rs = unsafe S + (y + 1) * ps, rq = unsafe Q + (y + 1) * qs
                                    for x in 0...w { unsafe rs[x] = unsafe rs[x] &+ c1[x] }
                                    for x in 0...w { unsafe rq[x] = unsafe rq[x] &+ c2[x] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Scalar twin of ``compute(_:threads:)``.
    public static func computeReference(_ src: PixelBuffer) -> IntegralImage {
        let w = src.width, h = src.height
        var sum = Plane<UInt32>(width: w + 1, height: h + 1)
        var sq = Plane<UInt64>(width: w + 1, height: h + 1)
        for y in 0..<h {
            for x in 0..<w {
                let v = UInt32(src[x, y])
                sum[x + 1, y + 1] = v &+ sum[x, y + 1] &+ sum[x + 1, y] &- sum[x, y]
                sq[x + 1, y + 1] = UInt64(v * v) &+ sq[x, y + 1] &+ sq[x + 1, y] &- sq[x, y]
            }
        }
        return IntegralImage(sum: sum, squares: sq)
    }
}

/// Runs `count` independent jobs on up to `threads` threads.
enum DispatchQueueBands {
    static func run(_ count: Int, _ threads: Int, _ body: (Int) -> Void) {
        Parallelism.forEachBand(rows: count, threads: threads, minimumRows: 1) { jobs in
            for j in jobs { body(j) }
        }
    }
}

private func integralRow(_ p: UnsafePointer<UInt8>, _ s0: UnsafePointer<UInt32>, _ q0: UnsafePointer<UInt64>,
                         _ s1: UnsafeMutablePointer<UInt32>, _ q1: UnsafeMutablePointer<UInt64>, _ w: Int) {
    var s: UInt32 = 0
    var q: UInt64 = 0
    unsafe s1[0] = 0
    unsafe q1[0] = 0
    for x in 0..<w {
        let v = unsafe UInt32(p[x])
        s = s &+ v
        q = q &+ UInt64(v &* v)
        unsafe s1[x &+ 1] = unsafe s0[x &+ 1] &+ s
        unsafe q1[x &+ 1] = unsafe q0[x &+ 1] &+ q
    }
}
