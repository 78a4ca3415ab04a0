import ImagingCore

/// Per-band scratch that holds source rows padded left and right by the border rule, so row kernels can
/// read `row[-pad ..< width + pad]` without edge cases. Rows outside the image map through the border
/// mode; `constant` rows read `value`. Each source row is padded once per band.
@unsafe struct RowCache<T> {
    let source: UnsafePointer<T>
    let sourceStride: Int
    let width: Int
    let height: Int
    let pad: Int
    let border: BorderMode
    let value: T
    let slots: Int
    let pitch: Int
    let storage: UnsafeMutablePointer<T>
    var tags: [Int]

    /// - Parameters: window: how many distinct rows are alive at once (2r + 1 for a radius-r stencil).
    init(source: UnsafePointer<T>, stride: Int, width: Int, height: Int, pad: Int, window: Int,
         border: BorderMode, value: T) {
        unsafe self.source = unsafe source
        unsafe self.sourceStride = stride
        unsafe self.width = width
        unsafe self.height = height
        unsafe self.pad = pad
        unsafe self.border = border
        unsafe self.value = value
        unsafe self.slots = window
        unsafe self.pitch = (width + 2 * pad + 63) / 64 * 64
        let total = unsafe pitch * (window + 1)
        unsafe self.storage = UnsafeMutablePointer<T>.allocate(capacity: total)
        unsafe storage.initialize(repeating: value, count: total)
        unsafe self.tags = [Int](repeating: -1, count: window)
    }

    /// Frees the scratch; call once when the band is done.
    func release() {
        unsafe storage.deallocate()
    }

    /// Padded row `y` (any integer): the pointer is at column 0; `[-pad, width + pad)` is readable.
    mutating func row(_ y: Int) -> UnsafePointer<T> {
        guard let m = unsafe border.index(y, count: height) else {
            return unsafe UnsafePointer(storage + slots * pitch + pad)
        }
        let slot = unsafe m % slots
        let dst = unsafe storage + slot * pitch
        if unsafe tags[slot] != m {
            unsafe padRow(dst, from: source + m * sourceStride, width: width, left: pad, right: pad,
                          border: border, value: value)
            unsafe tags[slot] = m
        }
        return unsafe UnsafePointer(dst + pad)
    }
}

/// A small block of scratch rows of `pitch` elements, allocated once per band.
@unsafe struct ScratchRows<T> {
    let pitch: Int
    let count: Int
    let base: UnsafeMutablePointer<T>

    init(count: Int, width: Int, value: T) {
        unsafe self.pitch = (width + 63) / 64 * 64
        unsafe self.count = count
        unsafe self.base = unsafe UnsafeMutablePointer<T>.allocate(capacity: max(1, pitch * count))
        unsafe base.initialize(repeating: value, count: max(1, pitch * count))
    }

    /// Row `i` of the block.
    func callAsFunction(_ i: Int) -> UnsafeMutablePointer<T> { unsafe base + i * pitch }

    func release() { unsafe base.deallocate() }
}

/// Runs `body(y, above, row, below)` for every row of `src` in bands, with the three source rows padded
/// by one pixel (so `row[-1]` and `row[width]` follow the border rule; constant = 0).
func forEach3x3Row(_ src: PixelBuffer, border: BorderMode, threads: Int,
                   _ body: (Int, UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void) {
    let w = src.width, h = src.height
    unsafe src.readPixels { s in
        Parallelism.forEachBand(rows: h, threads: threads) { rows in
            var cache = unsafe RowCache(source: s, stride: src.rowStride, width: w, height: h, pad: 1,
                                        window: 3, border: border, value: 0)
            defer { unsafe cache.release() }
            for y in rows {
                unsafe body(y, cache.row(y - 1), cache.row(y), cache.row(y + 1))
            }
        }
    }
}
