import Codecs
import Foundation
import ImagingCore
import Inspection
import Kernels

/// One labelled frame for training or evaluating the crack detector.
public struct CrackImage: Sendable {
    /// File stem.
    public let name: String
    /// (H, W) gray8 pixels.
    public let gray: PixelBuffer
    /// (H, W) rgb8 pixels, when loaded in colour (for a segmenter model).
    public let rgb: PixelBuffer?
    /// Ground-truth crack pixels, (H, W).
    public let truth: BinaryMask
    /// Ground-truth leak pixels, when the mask marks leaks.
    public let leak: BinaryMask?
    /// Indices (y · W + x) of the crack pixels, for sampling.
    public let crackPixels: [Int32]

    /// - Parameters: gray: (H, W) gray8; truth, leak: (H, W) masks; rgb: the same frame in colour (optional).
    public init(name: String, gray: PixelBuffer, truth: BinaryMask, leak: BinaryMask? = nil, rgb: PixelBuffer? = nil) {
        self.name = name
        self.gray = gray
        self.rgb = rgb
        self.truth = truth
        self.leak = leak
        var idx: [Int32] = []
        for i in truth.bits.indices where truth.bits[i] != 0 { idx.append(Int32(i)) }
        crackPixels = idx
    }
}

extension CrackImage {
    /// What `model` reads of this frame: gray for the per-pixel kind, colour (when loaded) for a segmenter.
    public func input(for model: CrackModel) -> PixelBuffer { model.kind == .pixel ? gray : (rgb ?? gray) }

    /// This frame reduced by an integer factor, for scale augmentation (a close-up's cracks made as thin as a drone
    /// sees them): gray by area averaging, a reduced pixel is crack (or leak) when any pixel of its block is.
    /// - Parameters: factor: ≥ 1; 1 returns the frame itself.
    public func reduced(by factor: Int) -> CrackImage {
        guard factor > 1 else { return self }
        let g = Downsample.area(gray, factor: factor)
        func pool(_ m: BinaryMask) -> BinaryMask {
            var out = BinaryMask(width: g.width, height: g.height)
            for y in 0..<g.height { for x in 0..<g.width {
                var any: UInt8 = 0
                for dy in 0..<factor { for dx in 0..<factor {
                    let sx = x * factor + dx, sy = y * factor + dy
                    if sx < m.width && sy < m.height { any |= m.bits[sy * m.width + sx] }
                } }
                out.bits[y * g.width + x] = any
            } }
            return out
        }
        return CrackImage(name: name + "@1/\(factor)", gray: g, truth: pool(truth), leak: leak.map(pool),
                          rgb: rgb.map { Downsample.areaPerChannel($0, factor: factor) })
    }
}

/// How mask values map to classes.
public struct MaskRule: Sendable, Hashable {
    /// Values that mean crack; nil = every value ≥ ``minimum`` that is not a leak value.
    public var crackValues: Set<UInt8>?
    /// Smallest value that counts as crack when ``crackValues`` is nil (255 for UAV75: grey 204 is planking).
    public var minimum: UInt8
    /// Values that mean leak (e.g. 2, 3, 4 in the tunnel-leak masks).
    public var leakValues: Set<UInt8>

    /// - Parameters: see the properties.
    public init(crackValues: Set<UInt8>? = nil, minimum: UInt8 = 1, leakValues: Set<UInt8> = []) {
        self.crackValues = crackValues
        self.minimum = minimum
        self.leakValues = leakValues
    }
}

/// Loading labelled folders.
public enum CrackDataset {
    /// Image file extensions read.
    static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Image files of a folder by stem, sorted.
    public static func files(in directory: String) throws -> [(stem: String, path: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            .map { (($0 as NSString).deletingPathExtension, directory + "/" + $0) }
    }

    /// Decodes a frame to gray.
    public static func gray(_ path: String) throws -> PixelBuffer {
        try ImageDecoder.decode(path: path, options: DecodeOptions(format: .gray8)).pixels
    }

    /// Decodes a frame to colour when asked (for a segmenter model).
    static func colour(_ path: String, _ wanted: Bool) throws -> PixelBuffer? {
        wanted ? try ImageDecoder.decode(path: path, options: DecodeOptions(format: .rgb8)).pixels : nil
    }

    /// Images with a mask of the same stem (images without one are skipped).
    /// - Parameters: images, masks: folders; rule: mask values; only: stems to keep (nil = all); colour: also
    ///   decode each frame to RGB (``CrackImage/rgb``).
    /// - Throws: decoding errors, naming the file.
    public static func load(images: String, masks: String, rule: MaskRule = MaskRule(),
                            only: Set<String>? = nil, colour: Bool = false) throws -> [CrackImage] {
        let maskFiles = Dictionary(try files(in: masks).map { ($0.stem, $0.path) }, uniquingKeysWith: { a, _ in a })
        var out: [CrackImage] = []
        for (stem, path) in try files(in: images) {
            guard let maskPath = maskFiles[stem], only?.contains(stem) ?? true else { continue }
            let g = try gray(path)
            let m = try gray(maskPath)
            guard m.width == g.width && m.height == g.height else {
                throw DetectorError("\(maskPath): mask is \(m.width)x\(m.height), image is \(g.width)x\(g.height)")
            }
            var crack = BinaryMask(width: g.width, height: g.height)
            var leak = BinaryMask(width: g.width, height: g.height)
            var anyLeak = false
            for y in 0..<m.height {
                for x in 0..<m.width {
                    let v = m.bytes[y * m.rowStride + x]
                    if rule.leakValues.contains(v) { leak.bits[y * g.width + x] = 1; anyLeak = true; continue }
                    let isCrack = rule.crackValues.map { $0.contains(v) } ?? (v >= rule.minimum)
                    if isCrack { crack.bits[y * g.width + x] = 1 }
                }
            }
            out.append(CrackImage(name: stem, gray: g, truth: crack, leak: anyLeak || !rule.leakValues.isEmpty ? leak : nil,
                                  rgb: try Self.colour(path, colour)))
        }
        return out
    }

    /// Crack-free images (every file under `directory`, recursively), with empty masks.
    /// - Parameters: only: a filter on the file's path relative to `directory`; colour: also decode to RGB.
    public static func negatives(_ directory: String, only: (String) -> Bool = { _ in true },
                                 colour: Bool = false) throws -> [CrackImage] {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return [] }
        var rel: [String] = []
        while let p = e.nextObject() as? String {
            if extensions.contains((p as NSString).pathExtension.lowercased()) { rel.append(p) }
        }
        return try rel.sorted().filter(only).map { p in
            let g = try gray(directory + "/" + p)
            return CrackImage(name: p, gray: g, truth: BinaryMask(width: g.width, height: g.height),
                              rgb: try Self.colour(directory + "/" + p, colour))
        }
    }
}
