import ArgumentParser
import Foundation
import NeuralNet
import Training

/// `pavewatch evaluate --model FILE (--tiles DIR | --images DIR --masks DIR) [--json]`.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Tile-level precision, recall, F1 and confusion matrix of a classifier model.",
        discussion: """
        --tiles DIR reads DIR/crack, DIR/leak, DIR/background (Positive / Negative read as crack / background);
        tiles of any size are resized to the model's input. --images/--masks cuts non-overlapping tiles and labels
        them by crack-pixel fraction (tiles between the background and crack fractions are skipped).
        """)

    @Option(help: "Model file (.nnw).")
    var model: String

    @Option(help: "Folder of class folders of tiles.")
    var tiles: String?

    @Option(help: "With --tiles: every image under the folder has this class (crack, leak, background).")
    var label: String?

    @Option(help: "Folder of photos (with --masks).")
    var images: String?

    @Option(help: "Folder of crack masks, same file stems as --images.")
    var masks: String?

    @Option(help: "Smallest mask value that counts as crack (255 for UAV75, whose grey 204 is not crack).")
    var maskMinimum: UInt8 = 1

    @Option(help: "Threads.")
    var threads = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if (tiles == nil) == (images == nil && masks == nil) {
            throw ValidationError("give either --tiles DIR or --images DIR --masks DIR")
        }
        if tiles == nil && (images == nil || masks == nil) { throw ValidationError("--images and --masks go together") }
        if let l = label, TileClass(folderName: l) == nil { throw ValidationError("unknown class \(l)") }
    }

    func run() async throws {
        let file: ModelFile
        do { file = try ModelFile(path: model) } catch { throw ValidationError("\(model): \(error)") }
        let net = file.makeNetwork()
        let size = net.input.width
        let samples: [TileSample]
        if let tiles {
            samples = try Evaluation.tiles(directory: tiles, label: label.flatMap(TileClass.init(folderName:)), size: size)
        } else {
            samples = try Evaluation.tiles(images: images ?? "", masks: masks ?? "", size: size, maskMinimum: maskMinimum)
        }
        let classifier = TileClassifier(network: net, normalization: file.metadata.normalization, threads: threads)
        let cm = classifier.confusion(samples)
        if json {
            let data = try JSONSerialization.data(withJSONObject: Evaluation.report(cm), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(cm.total) tiles, model \(file.metadata.name)\n")
            print(Evaluation.table(cm), terminator: "")
        }
    }
}
