import ImagingCore

/// A flat structuring element.
public enum StructuringElement: Sendable, Hashable {
    /// A `width` x `height` rectangle, anchored at its centre (`width / 2`, `height / 2`) like OpenCV.
    case rectangle(width: Int, height: Int)
    /// A horizontal line of `length` pixels (a `length` x 1 rectangle).
    case horizontalLine(length: Int)
    /// A vertical line of `length` pixels (a 1 x `length` rectangle).
    case verticalLine(length: Int)

    /// Width and height of the element's bounding box.
    public var size: (width: Int, height: Int) {
        switch self {
        case let .rectangle(w, h): (w, h)
        case let .horizontalLine(n): (n, 1)
        case let .verticalLine(n): (1, n)
        }
    }
}

/// A morphological operation.
public enum MorphologyOperation: String, Sendable, Hashable, CaseIterable {
    /// Minimum over the element.
    case erode
    /// Maximum over the element.
    case dilate
    /// Erode, then dilate.
    case open
    /// Dilate, then erode.
    case close
    /// Source minus its opening (bright details smaller than the element), saturating at 0 like OpenCV.
    case topHat
    /// Closing minus the source (dark details smaller than the element: cracks), saturating at 0.
    case blackHat
}

/// Grey-level morphology with flat rectangles and lines of any size.
///
/// The vertical pass is van Herk / Gil-Werman (three minima or maxima per pixel whatever the height, on
/// whole rows). The horizontal pass uses the doubling decomposition (⌈log₂ width⌉ vector passes over a
/// row), which on this machine is faster than the serial per-row van Herk recurrence.
/// Borders: `constant` means the neutral value (255 for erosion, 0 for dilation, OpenCV's default), so
/// it and `replicate` give the same result; `reflect101` mirrors.
public enum Morphology {
    /// Applies `operation` with `element`.
    /// - Parameters: src: (H, W) gray8; element: sizes ≥ 1; border: edge rule; threads: ≥ 1.
    /// - Returns: (H, W) gray8.
    public static func apply(_ operation: MorphologyOperation, to src: PixelBuffer, element: StructuringElement,
                             border: BorderMode = .constant, threads: Int = 1) -> PixelBuffer {
        var dst = PixelBuffer(width: src.width, height: src.height, format: .gray8)
        apply(operation, to: src, into: &dst, element: element, border: border, threads: threads)
        return dst
    }

    /// As ``apply(_:to:element:border:threads:)`` into an existing (H, W) gray8 buffer. Opening, closing and
    /// the hats run both operations in one banded pass: the first operation's rows are kept in a window of
    /// about 128 + 2 × height rows per band, not in a whole intermediate image.
    public static func apply(_ operation: MorphologyOperation, to src: PixelBuffer, into dst: inout PixelBuffer,
                             element: StructuringElement, border: BorderMode = .constant, threads: Int = 1) {
        precondition(src.format == .gray8, "morphology takes gray8")
        checkSameSize(src, dst)
        let (kw, kh) = element.size
        precondition(kw >= 1 && kh >= 1, "structuring element must be at least 1x1")
        guard src.width > 0 && src.height > 0 else { return }
        let erodeFirst = operation == .erode || operation == .open || operation == .topHat
        let finish: Finish = operation == .topHat ? .sourceMinus : operation == .blackHat ? .minusSource : .none
        let single = operation == .erode || operation == .dilate
        morphology(src, &dst, kw, kh, erodeFirst, single, border, finish, threads)
    }

    /// Scalar twin of ``apply(_:to:element:border:threads:)``: the min/max over every window, directly.
    public static func applyReference(_ operation: MorphologyOperation, to src: PixelBuffer,
                                      element: StructuringElement, border: BorderMode = .constant) -> PixelBuffer {
        let (kw, kh) = element.size
        func filter(_ img: PixelBuffer, erode: Bool) -> PixelBuffer {
            var out = PixelBuffer(width: img.width, height: img.height, format: .gray8)
            let neutral: UInt8 = erode ? 255 : 0
            for y in 0..<img.height {
                for x in 0..<img.width {
                    var best = neutral
                    for j in 0..<kh {
                        for i in 0..<kw {
                            let v: UInt8
                            if let yy = border.index(y + j - kh / 2, count: img.height),
                               let xx = border.index(x + i - kw / 2, count: img.width) {
                                v = img[xx, yy]
                            } else {
                                v = neutral
                            }
                            best = erode ? min(best, v) : max(best, v)
                        }
                    }
                    out[x, y] = best
                }
            }
            return out
        }
        func difference(_ a: PixelBuffer, _ b: PixelBuffer) -> PixelBuffer {
            var out = a
            for y in 0..<a.height { for x in 0..<a.width { out[x, y] = a[x, y] > b[x, y] ? a[x, y] - b[x, y] : 0 } }
            return out
        }
        switch operation {
        case .erode: return filter(src, erode: true)
        case .dilate: return filter(src, erode: false)
        case .open: return filter(filter(src, erode: true), erode: false)
        case .close: return filter(filter(src, erode: false), erode: true)
        case .topHat: return difference(src, filter(filter(src, erode: true), erode: false))
        case .blackHat: return difference(filter(filter(src, erode: false), erode: true), src)
        }
    }
}

/// What the last pass does with its result.
private enum Finish {
    case none
    /// result − source, saturating (black-hat).
    case minusSource
    /// source − result, saturating (top-hat).
    case sourceMinus
}

/// Per-band scratch of one min or max filter with a kw x kh rectangle.
@unsafe private struct MorphScratch {
    let line: ScratchRows<UInt8>       // 2 padded rows for the horizontal passes
    let blocks: ScratchRows<UInt8>     // 2 blocks of kh rows for van Herk
    let constant: ScratchRows<UInt8>   // a row of the neutral value

    init(w: Int, kw: Int, kh: Int, neutral: UInt8) {
        unsafe line = ScratchRows(count: 2, width: w + kw, value: neutral)
        unsafe blocks = ScratchRows(count: 2 * kh, width: w, value: neutral)
        unsafe constant = ScratchRows(count: 1, width: w, value: neutral)
    }

    func release() {
        unsafe line.release()
        unsafe blocks.release()
        unsafe constant.release()
    }
}

/// Erodes (isMin) or dilates output rows `rows` of a w-wide image: vertical van Herk / Gil-Werman over
/// blocks of kh virtual rows read through `sourceRow` (already border-mapped), then the horizontal doubling
/// passes; `emit(y, row)` receives each finished row.
private func filterRows(_ rows: Range<Int>, _ w: Int, _ kw: Int, _ kh: Int, _ isMin: Bool, _ border: BorderMode,
                        _ neutral: UInt8, _ scratch: MorphScratch, _ sourceRow: (Int) -> UnsafePointer<UInt8>,
                        _ destination: ((Int) -> UnsafeMutablePointer<UInt8>)?,
                        _ emit: (Int, UnsafePointer<UInt8>) -> Void) {
    let ax = kw / 2, ay = kh / 2
    let t = unsafe scratch.line(0) + ax
    // Row y from the vertical result already in `t`: written straight to `destination(y)` when there is
    // one (the last doubling pass stores there), else handed to `emit`.
    func horizontalInLine(_ y: Int) {
        let target = unsafe destination.map { unsafe $0(y) }
        if kw == 1 {
            if let target = unsafe target { unsafe target.update(from: t, count: w) } else { unsafe emit(y, t) }
            return
        }
        unsafe padHorizontal(t, w, ax, kw - 1 - ax, border, neutral)
        let r = unsafe horizontalDoubling(scratch.line(0), scratch.line(1), w + kw - 1, kw, isMin, into: target)
        if unsafe target == nil { unsafe emit(y, r) }
    }
    func horizontal(_ y: Int, _ col: UnsafePointer<UInt8>) {
        unsafe t.update(from: col, count: w)
        horizontalInLine(y)
    }
    if kh == 1 {
        for y in rows { unsafe horizontal(y, sourceRow(y)) }
        return
    }
    let start = rows.lowerBound - ay
    // Two blocks of kh rows: suffix minima/maxima H of block c (slot 0) and prefix G of block c + 1
    // (slot 1). Output row c·kh + i is H_c[i] combined with G_{c+1}[i − 1] (H_c[0] alone for i = 0).
    func slot(_ b: Int, _ i: Int) -> UnsafeMutablePointer<UInt8> { unsafe scratch.blocks(b * kh + i) }
    func suffix(_ c: Int) {
        let first = start + c * kh
        unsafe slot(0, kh - 1).update(from: sourceRow(first + kh - 1), count: w)
        for i in stride(from: kh - 2, through: 0, by: -1) {
            unsafe combine(slot(0, i), UnsafePointer(slot(0, i + 1)), sourceRow(first + i), w, isMin)
        }
    }
    func prefix(_ c: Int) {
        let first = start + c * kh
        unsafe slot(1, 0).update(from: sourceRow(first), count: w)
        for i in 1..<kh {
            unsafe combine(slot(1, i), UnsafePointer(slot(1, i - 1)), sourceRow(first + i), w, isMin)
        }
    }
    suffix(0)
    var c = 0
    while rows.lowerBound + c * kh < rows.upperBound {
        prefix(c + 1)
        for i in 0..<kh {
            let y = rows.lowerBound + c * kh + i
            if y >= rows.upperBound { break }
            if i == 0 {
                unsafe horizontal(y, UnsafePointer(slot(0, 0)))
            } else {
                unsafe combine(t, UnsafePointer(slot(0, i)), UnsafePointer(slot(1, i - 1)), w, isMin)
                horizontalInLine(y)
            }
        }
        c += 1
        if rows.lowerBound + c * kh < rows.upperBound { suffix(c) }
    }
}

/// One filter (`single`) or two in sequence (dilate then erode, or erode then dilate when `erodeFirst`),
/// banded; the second filter reads the first's rows from a sliding window of rows per band.
private func morphology(_ src: PixelBuffer, _ dst: inout PixelBuffer, _ kw: Int, _ kh: Int, _ erodeFirst: Bool,
                        _ single: Bool, _ border: BorderMode, _ finish: Finish, _ threads: Int) {
    let w = src.width, h = src.height, ss = src.rowStride, ds = dst.rowStride
    let firstNeutral: UInt8 = erodeFirst ? 255 : 0, secondNeutral: UInt8 = erodeFirst ? 0 : 255
    unsafe src.readPixels { s in
        unsafe dst.writePixels { d in
            // Writes output row y, applying the finishing difference.
            func write(_ y: Int, _ r: UnsafePointer<UInt8>) {
                let o = unsafe d + y * ds, q = unsafe s + y * ss
                switch finish {
                case .none: unsafe o.update(from: r, count: w)
                case .minusSource: for x in 0..<w { unsafe o[x] = unsafe r[x] > q[x] ? r[x] &- q[x] : 0 }
                case .sourceMinus: for x in 0..<w { unsafe o[x] = unsafe q[x] > r[x] ? q[x] &- r[x] : 0 }
                }
            }
            // Without a difference to take, rows are stored straight into the destination.
            let direct: ((Int) -> UnsafeMutablePointer<UInt8>)? = finish == .none ? { y in unsafe d + y * ds } : nil
            Parallelism.forEachBand(rows: h, threads: threads) { band in
                let first = unsafe MorphScratch(w: w, kw: kw, kh: kh, neutral: firstNeutral)
                defer { unsafe first.release() }
                func sourceRow(_ v: Int) -> UnsafePointer<UInt8> {
                    unsafe border.index(v, count: h).map { unsafe s + $0 * ss } ?? UnsafePointer(first.constant(0))
                }
                if single {
                    unsafe filterRows(band, w, kw, kh, erodeFirst, border, firstNeutral, first, sourceRow, direct, write)
                    return
                }
                let second = unsafe MorphScratch(w: w, kw: kw, kh: kh, neutral: secondNeutral)
                let chunk = 128
                let window = unsafe ScratchRows<UInt8>(count: chunk + 2 * kh, width: w, value: 0)
                defer { unsafe second.release(); unsafe window.release() }
                var have = 0..<0      // first-filter rows held in `window`, row have.lowerBound at slot 0
                var c0 = band.lowerBound
                while c0 < band.upperBound {
                    let c1 = min(band.upperBound, c0 + chunk)
                    let need = max(0, c0 - kh)..<min(h, c1 + kh)
                    // Slide the rows still needed to the front, then compute the missing ones.
                    let keepLow = max(need.lowerBound, have.lowerBound)
                    let keep = keepLow..<max(keepLow, min(need.upperBound, have.upperBound))
                    if !keep.isEmpty && keep.lowerBound > have.lowerBound {
                        for y in keep {
                            unsafe window(y - need.lowerBound).update(from: window(y - have.lowerBound), count: w)
                        }
                    }
                    let fresh = (keep.isEmpty ? need.lowerBound : keep.upperBound)..<need.upperBound
                    unsafe filterRows(fresh, w, kw, kh, erodeFirst, border, firstNeutral, first, sourceRow,
                                      { y in unsafe window(y - need.lowerBound) }) { _, _ in }
                    have = need
                    // The van Herk blocks of the second filter read up to a block of rows past what its outputs
                    // use; those rows (and their reflections near the image's bottom) can lie outside `need`, so
                    // outside the window: they get the neutral row (their values reach no output row). Reading
                    // them from the window was an out-of-bounds read, a crash on some frames.
                    func firstRow(_ v: Int) -> UnsafePointer<UInt8> {
                        guard let m = border.index(v, count: h), need.contains(m) else {
                            return unsafe UnsafePointer(second.constant(0))
                        }
                        return unsafe UnsafePointer(window(m - need.lowerBound))
                    }
                    unsafe filterRows(c0..<c1, w, kw, kh, !erodeFirst, border, secondNeutral, second, firstRow, direct, write)
                    c0 = c1
                }
            }
        }
    }
}

/// d = min(a, b) or max(a, b), element-wise.
private func combine(_ d: UnsafeMutablePointer<UInt8>, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                     _ w: Int, _ isMin: Bool) {
    if isMin {
        for x in 0..<w { unsafe d[x] = unsafe min(a[x], b[x]) }
    } else {
        for x in 0..<w { unsafe d[x] = unsafe max(a[x], b[x]) }
    }
}

/// Fills `left` and `right` border pixels around `t[0..<w]` (constant: the neutral value).
private func padHorizontal(_ t: UnsafeMutablePointer<UInt8>, _ w: Int, _ left: Int, _ right: Int,
                           _ border: BorderMode, _ neutral: UInt8) {
    for i in stride(from: 1, through: left, by: 1) {
        unsafe t[-i] = border.index(-i, count: w).map { unsafe t[$0] } ?? neutral
    }
    for i in stride(from: 0, to: right, by: 1) {
        unsafe t[w + i] = border.index(w + i, count: w).map { unsafe t[$0] } ?? neutral
    }
}

/// r[x] = min/max of t[x ..< x + k] for x in 0 ..< n − k + 1, by doubling windows, ping-ponging between
/// `t` and `u` (separate buffers, so every pass vectorises); the last pass writes into `final` when given.
/// Returns the buffer holding r.
private func horizontalDoubling(_ t: UnsafeMutablePointer<UInt8>, _ u: UnsafeMutablePointer<UInt8>, _ n: Int,
                                _ k: Int, _ isMin: Bool, into final: UnsafeMutablePointer<UInt8>?) -> UnsafePointer<UInt8> {
    var doublings = 0
    while (2 << doublings) <= k { doublings += 1 }          // windows 1, 2, 4 … 2^doublings
    let steps = doublings + ((1 << doublings) < k ? 1 : 0)
    var valid = n
    var src = unsafe t
    for i in 0..<steps {
        let shift = i < doublings ? 1 << i : k - (1 << doublings)
        valid -= shift
        let a = unsafe UnsafePointer(src), b = unsafe UnsafePointer(src + shift)
        let o = unsafe i == steps - 1 ? (final ?? (src == t ? u : t)) : (src == t ? u : t)
        if isMin {
            for x in 0..<valid { unsafe o[x] = unsafe min(a[x], b[x]) }
        } else {
            for x in 0..<valid { unsafe o[x] = unsafe max(a[x], b[x]) }
        }
        unsafe src = unsafe o
    }
    return unsafe UnsafePointer(src)
}
