import Codecs
import Foundation
import NeuralNet

/// Labelled tiles split into training and validation sets by source photo.
public struct TileDataset: Sendable {
    public var train: [TileSample] = []
    public var validation: [TileSample] = []
    /// Photos per data set on each side, and files skipped as byte-identical duplicates.
    public var summary: [String] = []
}

/// Cuts labelled tiles from the shared data sets (see `shared/datasets/README.md`).
public struct DatasetBuilder {
    public let config: TrainingConfig
    private var seenFiles: Set<UInt64> = []
    private var duplicates = 0

    public init(config: TrainingConfig) { self.config = config }

    /// 64-bit FNV-1a, for file dedupe and seeding per data set.
    public static func fnv1a<C: Sequence<UInt8>>(_ bytes: C) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The validation photos of one data set: a seeded shuffle of its sorted photo ids, the first
    /// `validationFraction` of them (at least one).
    public func validationSources(_ ids: [String], dataset: String) -> Set<String> {
        var sorted = Array(Set(ids)).sorted()
        var rng = RandomSource(seed: config.seed ^ Self.fnv1a(Array(dataset.utf8)))
        rng.shuffle(&sorted)
        let n = max(1, Int((Double(sorted.count) * config.validationFraction).rounded()))
        return Set(sorted.prefix(n))
    }

    /// Reads a file once: nil when an identical file was already read (dedupe).
    private mutating func readUnique(_ path: String) throws -> [UInt8]? {
        let bytes = try ImageDecoder.readFile(path)
        let h = Self.fnv1a(bytes)
        if seenFiles.contains(h) { duplicates += 1; return nil }
        seenFiles.insert(h)
        return bytes
    }

    private func gray(_ bytes: [UInt8]) throws -> GrayImage {
        GrayImage(try ImageDecoder.decode(bytes, options: DecodeOptions(format: .gray8)).pixels)
    }

    private func files(_ dir: String, _ exts: [String]) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { n in exts.contains { n.lowercased().hasSuffix($0) } }.sorted()
    }

    private func stem(_ name: String) -> String { (name as NSString).deletingPathExtension }

    /// One photo to cut: its id, the image file's bytes and how to label it.
    private struct Item {
        enum Labels { case mask(String, (UInt8) -> TileLabeling.PixelKind, downscale: Bool), whole(TileClass), boxes(String) }
        var id: String
        var bytes: [UInt8]
        var labels: Labels
    }

    /// The photos of one data source (byte-identical files skipped).
    private mutating func items(_ source: String) throws -> [Item] {
        let root = config.datasetRoot
        var items: [Item] = []
        switch source {
        case "crackforest", "deepcrack":
            let (imgDir, labDir) = source == "crackforest"
                ? ("\(root)/crackforest-cfd/image", "\(root)/crackforest-cfd/mask_png")
                : ("\(root)/deepcrack/train_img", "\(root)/deepcrack/train_lab")
            let images = files(imgDir, [".jpg", ".png"])
            for m in files(labDir, [".png"]) {
                let s = stem(m)
                guard let imgName = images.first(where: { stem($0) == s }),
                      let bytes = try readUnique("\(imgDir)/\(imgName)") else { continue }
                items.append(Item(id: "\(source)/\(s)", bytes: bytes,
                                  labels: .mask("\(labDir)/\(m)", { $0 > 127 ? .crack : .background }, downscale: false)))
            }
        case "leak-tunnel":
            let dir = "\(root)/leak-tunnel"
            let images = files("\(dir)/images", [".jpg", ".png"])
            for m in files("\(dir)/masks", [".png"]) {
                let s = stem(m)
                guard let imgName = images.first(where: { stem($0) == s }),
                      let bytes = try readUnique("\(dir)/images/\(imgName)") else { continue }
                items.append(Item(id: "\(source)/\(s)", bytes: bytes, labels: .mask("\(dir)/masks/\(m)", { v in
                    switch v {
                    case 0: .background
                    case 1: .crack
                    case 2...4: .leak
                    default: .other
                    }
                }, downscale: true)))
            }
        case "saltspot", "ozgenel":
            let folders: [(String, TileClass)] = source == "saltspot"
                ? ["train", "valid", "test"].flatMap { ["\(root)/saltspot-efflorescence/images/\($0)/salt_damage",
                                                      "\(root)/saltspot-efflorescence/images/\($0)/healthy"] }
                    .map { ($0, $0.hasSuffix("salt_damage") ? TileClass.leak : .background) }
                : [("\(root)/ozgenel-concrete-crack-cls/Positive", .crack), ("\(root)/ozgenel-concrete-crack-cls/Negative", .background)]
            for (dir, label) in folders {
                for f in files(dir, [".jpg", ".png"]) {
                    guard let bytes = try readUnique("\(dir)/\(f)") else { continue }
                    items.append(Item(id: "\(source)/\((dir as NSString).lastPathComponent)/\(stem(f))", bytes: bytes,
                                      labels: .whole(label)))
                }
            }
        case "pavement-negatives":
            // Crack-free asphalt / concrete patches as background: only the even positions of the sorted list,
            // so the odd half stays unseen for the false-positive check (`pavement-negatives/images`, odd index).
            let base = "\(root)/pavement-negatives/images"
            let all = ["asphalt", "concrete"].flatMap { sub in files("\(base)/\(sub)", [".jpg", ".png"]).map { "\(sub)/\($0)" } }
            for (i, f) in all.enumerated() where i % 2 == 0 {
                guard let bytes = try readUnique("\(base)/\(f)") else { continue }
                items.append(Item(id: "\(source)/\(stem(f))", bytes: bytes, labels: .whole(.background)))
            }
        case "quaywall":
            let base = "\(root)/quaywall-crack-yolo/BOX"
            for sub in ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted() {
                for f in files("\(base)/\(sub)", [".jpg"]) {
                    guard let bytes = try readUnique("\(base)/\(sub)/\(f)") else { continue }
                    // Parent photo: the name up to the tile's grid position (MAX_0006_5m_11_10 → MAX_0006_5m).
                    let parent = stem(f).split(separator: "_").dropLast(2).joined(separator: "_")
                    items.append(Item(id: "\(source)/\(sub)/\(parent)", bytes: bytes,
                                      labels: .boxes("\(base)/\(sub)/\(stem(f)).txt")))
                }
            }
        case let s where s.hasPrefix("folder:"):
            // Reviewed crops from `pavewatch export --training DIR`: DIR/{crack,leak,background}/*.png.
            let dir = String(s.dropFirst("folder:".count))
            for (sub, label) in [("crack", TileClass.crack), ("leak", .leak), ("background", .background)] {
                for f in files("\(dir)/\(sub)", [".jpg", ".png"]) {
                    guard let bytes = try readUnique("\(dir)/\(sub)/\(f)") else { continue }
                    // The photo id is the ticket (t12-f34 → t12), so one defect never lands on both sides.
                    let ticket = stem(f).split(separator: "-").first.map(String.init) ?? stem(f)
                    items.append(Item(id: "\(source)/\(ticket)", bytes: bytes, labels: .whole(label)))
                }
            }
        default:
            throw ValidationFailure("unknown data source \(source)")
        }
        return items
    }

    /// The tiles of one photo: overlapping (`trainStride`) for training, non-overlapping for validation.
    private func tiles(_ item: Item, validation: Bool) throws -> [TileSample] {
        var image = try gray(item.bytes)
        let size = config.tileSize, stride = validation ? size : config.trainStride
        switch item.labels {
        case .whole(let label):
            let t = image.resized(width: size, height: size)
            return [TileSample(pixels: t.pixels, size: size, label: label, source: item.id)]
        case .mask(let path, let classify, let downscale):
            var mask = try GrayImage(path: path)
            let side = max(image.width, image.height)
            if downscale && side > config.tunnelMaxSide {
                let w = image.width * config.tunnelMaxSide / side, h = image.height * config.tunnelMaxSide / side
                image = image.resized(width: w, height: h)
                mask = mask.resizedNearest(width: w, height: h)
            }
            return config.labeling.tiles(image: image, mask: mask, size: size, stride: stride, source: item.id, classify: classify)
        case .boxes(let path):
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let mask = Self.boxMask(text, width: image.width, height: image.height)
            var labeling = config.labeling
            labeling.crackFraction = 0.5  // boxes are coarse: most of the tile inside a box
            return labeling.tiles(image: image, mask: mask, size: size, stride: size, source: item.id) { $0 > 0 ? .crack : .background }
        }
    }

    /// Builds the data set. - Throws: codec errors for unreadable files.
    public mutating func build(log: (String) -> Void = { _ in }) throws -> TileDataset {
        var out = TileDataset()
        for source in config.sources {
            let list = try items(source)
            let val = validationSources(list.map(\.id), dataset: source)
            var nt = 0, nv = 0
            for item in list {
                let isVal = val.contains(item.id)
                let t = try tiles(item, validation: isVal)
                if isVal { out.validation += t; nv += t.count } else { out.train += t; nt += t.count }
            }
            let line = "\(source): \(Set(list.map(\.id)).count) photos (\(val.count) validation), \(nt) training tiles, \(nv) validation tiles"
            out.summary.append(line)
            log(line)
        }
        out.summary.append("byte-identical files skipped: \(duplicates)")
        log("byte-identical files skipped: \(duplicates)")
        return out
    }

    /// A mask with 1 inside each YOLO box (`class cx cy w h`, normalised).
    public static func boxMask(_ text: String, width: Int, height: Int) -> GrayImage {
        var m = [UInt8](repeating: 0, count: width * height)
        for line in text.split(whereSeparator: \.isNewline) {
            let f = line.split(separator: " ").compactMap { Double($0) }
            guard f.count >= 5 else { continue }
            let x0 = max(0, Int(((f[1] - f[3] / 2) * Double(width)).rounded())), x1 = min(width, Int(((f[1] + f[3] / 2) * Double(width)).rounded()))
            let y0 = max(0, Int(((f[2] - f[4] / 2) * Double(height)).rounded())), y1 = min(height, Int(((f[2] + f[4] / 2) * Double(height)).rounded()))
            guard x0 < x1, y0 < y1 else { continue }
            for y in y0..<y1 { for x in x0..<x1 { m[y * width + x] = 1 } }
        }
        return GrayImage(width: width, height: height, pixels: m)
    }
}

/// A configuration or data problem found while preparing training.
public struct ValidationFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
