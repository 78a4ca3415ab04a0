import Foundation
import ImagingCore

/// Helpers shared by the test targets.
public enum TestSupport {
    /// Mean and maximum absolute difference between two images of the same size and format.
    public static func difference(_ a: PixelBuffer, _ b: PixelBuffer) -> (mean: Double, max: Int) {
        precondition(a.width == b.width && a.height == b.height && a.format == b.format, "shape mismatch")
        var sum = 0, mx = 0
        for y in 0..<a.height {
            let ra = a.row(y), rb = b.row(y)
            for (p, q) in zip(ra, rb) {
                let d = abs(Int(p) - Int(q))
                sum += d
                mx = max(mx, d)
            }
        }
        let n = max(1, a.width * a.height * a.format.channels)
        return (Double(sum) / Double(n), mx)
    }

    /// A seeded pseudo-random generator (SplitMix64) for reproducible test data.
    public struct SeededRandom: RandomNumberGenerator, Sendable {
        private var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// An image of seeded random bytes (padding included), for kernel and codec tests.
    public static func randomImage(width: Int, height: Int, format: PixelFormat, seed: UInt64,
                                   rowStride: Int? = nil) -> PixelBuffer {
        var rng = SeededRandom(seed: seed)
        var img = PixelBuffer(width: width, height: height, format: format, rowStride: rowStride)
        for i in img.bytes.indices { img.bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        return img
    }

    /// The repository's root folder (found from this source file's location).
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The shared data sets (`../shared/datasets` beside the repository, as in the development workspace and in CI),
    /// or nil where this checkout has none.
    public static var sharedDatasets: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
