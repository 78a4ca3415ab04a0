import Dispatch
import Foundation

/// How kernels split work over threads: the image is cut into horizontal bands of whole rows; each band
/// reads the rows it needs above and below it (its halo) from the shared source and writes only its own
/// rows, so the output does not depend on the number of threads.
public enum Parallelism {
    /// The number of cores this process may use.
    public static var allCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The bands that `rows` rows are cut into for `threads` threads (at least `minimumRows` rows a band).
    /// - Parameters: rows: ≥ 0; threads: ≥ 1 (values below 1 mean 1); minimumRows: ≥ 1.
    public static func bands(rows: Int, threads: Int, minimumRows: Int = 8) -> [Range<Int>] {
        let n = max(1, min(threads, rows / max(1, minimumRows)))
        return (0..<n).map { i in (rows * i / n)..<(rows * (i + 1) / n) }
    }

    /// Runs `body` once per band of `rows`, concurrently when `threads > 1`.
    /// - Parameters: rows: image height; threads: thread count; body: computes the rows of one band.
    static func forEachBand(rows: Int, threads: Int, minimumRows: Int = 8, _ body: (Range<Int>) -> Void) {
        let parts = bands(rows: rows, threads: threads, minimumRows: minimumRows)
        if parts.count == 1 {
            body(parts[0])
            return
        }
        withoutActuallyEscaping(body) { work in
            // Each band writes disjoint rows of the destination; the closure is only called while
            // `forEachBand` runs.
            nonisolated(unsafe) let work = work
            DispatchQueue.concurrentPerform(iterations: parts.count) { i in
                unsafe work(parts[i])
            }
        }
    }
}
