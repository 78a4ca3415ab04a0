import ArgumentParser
import Foundation
import Training

/// `pavewatch train --config FILE --out models/NAME`: trains the crack / leak / background tile classifier.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the crack / leak / background tile classifier.",
        discussion: """
        Writes OUT.nnw (best model), OUT.arch.json (architecture), OUT.ckpt.nnw (checkpoint, for --resume)
        and OUT.train.json (report). Progress goes to standard error.
        """)

    @Option(help: "Training configuration (JSON; every field optional, see TrainingConfig).")
    var config: String?

    @Option(help: "Output path prefix, e.g. models/crack-v1.0.")
    var out: String

    @Flag(help: "Continue from OUT.ckpt.nnw if it exists.")
    var resume = false

    @Flag(help: "Only prepare the data and print the validation photos (one per line), then exit.")
    var printSplit = false

    @Flag(help: "Write OUT.ckpt.nnw's weights (the last epoch) as OUT.nnw with fresh validation metrics, then exit.")
    var exportLast = false

    func run() async throws {
        var cfg = TrainingConfig()
        if let path = config {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("cannot read config \(path)")
            }
            do { cfg = try JSONDecoder().decode(TrainingConfig.self, from: data) } catch {
                throw CommandFailure("config \(path): \(error)")
            }
        }
        let err = FileHandle.standardError
        if printSplit {
            var builder = DatasetBuilder(config: cfg)
            let data = try builder.build { err.write(Data(($0 + "\n").utf8)) }
            for id in Set(data.validation.map(\.source)).sorted() { print(id) }
            return
        }
        let trainer = Trainer(config: cfg, outPrefix: out,
                              progress: { err.write(Data(("\r" + $0 + "\u{1B}[K").utf8)) },
                              log: { err.write(Data(($0 + "\n").utf8)) })
        if exportLast {
            try trainer.exportLastCheckpoint()
        } else {
            try trainer.run(resume: resume)
        }
    }
}
