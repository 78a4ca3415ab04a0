import ImagingCore

/// What every benchmark stage receives: the input frame, already decoded, and the thread count.
struct BenchInput: Sendable {
    /// Path of the input image.
    let path: String
    /// The raw file bytes (for decode stages).
    let fileBytes: [UInt8]
    /// The frame as RGB.
    let rgb: PixelBuffer
    /// The frame as gray (decoded straight to gray).
    let gray: PixelBuffer
    /// Threads to use (1 = single thread).
    let threads: Int
}

/// One named stage of `pavewatch-bench`. `prepare` does setup (allocations, model loading) once and
/// returns the closure that is timed; the closure must do the whole stage's work each call.
struct BenchStage: Sendable {
    let name: String
    let prepare: @Sendable (BenchInput) throws -> (@Sendable () throws -> Void)
}
