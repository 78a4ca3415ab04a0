// pavewatch-train: the one training executable (tile classifier, the detector's per-pixel crack model, the
// encoder-decoder segmenter), kept apart from `pavewatch` so that a release build for training needs no server,
// database or CLI. Data sets come from --datasets or $PAVEWATCH_DATASETS.
import ArgumentParser
import Foundation
import NeuralNet
import Training

@main
struct PavewatchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pavewatch-train",
        abstract: "Train and evaluate Pavewatch's models (models/MODEL.md, models/DETECTOR.md).",
        subcommands: [Tiles.self, Detector.self, DetectorEval.self, Settings.self, Segment.self, Arch.self])
}

/// The folder of the shared data sets: the option, else `$PAVEWATCH_DATASETS`.
struct DatasetsOption: ParsableArguments {
    @Option(help: "Folder of the labelled data sets (default: $PAVEWATCH_DATASETS).")
    var datasets: String?

    func folder() throws -> String {
        guard let path = datasets ?? ProcessInfo.processInfo.environment["PAVEWATCH_DATASETS"] else {
            throw ValidationError("give --datasets DIR or set PAVEWATCH_DATASETS")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(path) is not a folder of data sets")
        }
        return path
    }
}

/// Lines of progress go to standard error.
func logLine(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

extension PavewatchTrain {
    struct Tiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the crack / leak / background tile classifier from a training config (JSON), as `pavewatch train` does.")
        @Argument(help: "Training config (JSON, TrainingConfig).") var config: String
        @Argument(help: "Output prefix (writes PREFIX.nnw and its log).") var out: String
        @Flag(help: "Resume from the last checkpoint.") var resume = false
        @Flag(help: "Export the last checkpoint as a model and stop.") var exportLast = false

        func run() throws {
            guard let data = FileManager.default.contents(atPath: config) else { throw ValidationError("cannot read config \(config)") }
            let trainingConfig = try JSONDecoder().decode(TrainingConfig.self, from: data)
            let trainer = Trainer(config: trainingConfig, outPrefix: out,
                                  progress: { FileHandle.standardError.write(Data(("\r" + $0 + "\u{1B}[K").utf8)) },
                                  log: logLine)
            if exportLast { try trainer.exportLastCheckpoint() } else { try trainer.run(resume: resume) }
        }
    }

    struct Detector: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the detector's per-pixel crack model; writes the model and datasets/detector-splits.json.",
            discussion: """
                KEY=VALUE settings: hidden, dilations (comma-separated), lr, pw, batch, patch; patch shares crackforest, \
                deepcrack, pavement, ozgenel, uav75, paveseg, reduced, lines (drawn straight look-alikes; 0 leaves a set \
                out); factors (reductions of the reduced group), negval=1 (carve a validation fifth from the crack-free \
                training halves), init=MODEL (fine-tune it), scale=std|mad (the features' contrast scale), select (add uav75-train: every UAV75 train_* photo, for \
                models that do not train on UAV75), uavval, out (model file). Example (protocol G): --steps 2000 --validate-every 500 hidden=16 \
                dilations=1,1,2,4,8,1 crackforest=0.2 deepcrack=0.2 reduced=0.1 paveseg=0.15 pavement=0.1 ozgenel=0.3 \
                negval=1 out=models/crack-pixel-v2.1.nnw
                """)
        @OptionGroup var data: DatasetsOption
        @Option(help: "Optimiser steps.") var steps = 1500
        @Option(help: "Threads.") var threads = 2
        @Option(help: "Validate every this many steps.") var validateEvery = 250
        @Argument(help: "KEY=VALUE settings (see the discussion).") var settings: [String] = []

        func run() throws {
            try DetectorTraining.train([try data.folder(), "\(steps)", "\(threads)", "\(validateEvery)"] + settings)
        }
    }

    struct DetectorEval: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detector-eval",
            abstract: "Validation-split figures of a crack model (never a test split): ODS / OIS per set, and with modes the false findings and leak or hysteresis settings.",
            discussion: "Modes: negatives (crack-free training halves at several gate settings), negval (only their carved validation fifth), leaks, uavsettings, hysteresis [site=k1], uavval=N, uavall (every UAV75 train_* photo as a further set), specks (speck removal settings, protocol M).")
        @Argument(help: "The crack model file (.nnw), per-pixel or segmenter.") var model: String
        @OptionGroup var data: DatasetsOption
        @Argument(help: "Modes (see the discussion).") var modes: [String] = []

        func run() throws { try DetectorTraining.eval([model, try data.folder()] + modes) }
    }

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the detector settings that go with a crack model in its notes (detector.KEY=VALUE; empty removes one), check and print them.")
        @Argument(help: "The crack model file (.nnw).") var model: String
        @Argument(help: "detector.KEY=VALUE settings.") var settings: [String] = []

        func run() throws { try DetectorTraining.settings([model] + settings) }
    }

    struct Segment: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train an encoder-decoder crack segmenter (RGB in, background / crack [/ look-alike] out).",
            discussion: "Example (protocol J): pavewatch-train segment models/segmenter-v1.arch.json models/crack-segmenter-v1.nnw --steps 4000 --lookalikes --v1 --checkpoint run.ckpt --datasets DIR")
        @Argument(help: "Architecture JSON (the bench's format).") var architecture: String
        @Argument(help: "Output model file (.nnw), written at each new best validation step.") var out: String
        @OptionGroup var data: DatasetsOption
        @Option(help: "Optimiser steps.") var steps = 1500
        @Flag(help: "A third class for paveseg-preview's look-alikes (sealed cracks, patches, covers, joints).") var lookalikes = false
        @Flag(help: "Protocol J's recipe: patch groups with shares, crack-free frames, photometric jitter, 96-px patches.") var v1 = false
        @Option(help: "Checkpoint file: written every 250 steps, resumed from when it exists.") var checkpoint: String?

        func run() throws {
            var args = [try data.folder(), architecture, out, "\(steps)"]
            if lookalikes { args.append("lookalikes") }
            if v1 { args.append("v1") }
            if let checkpoint { args.append("checkpoint=" + checkpoint) }
            try SegmentTraining.run(args, log: logLine)
        }
    }

    struct Arch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a model's architecture as the bench's JSON (for `compare --arch`) and print its multiply-adds per pixel.",
            discussion: """
                A fully convolutional network (the per-pixel crack model, a segmenter) runs at any size: --tile sets \
                the input size the JSON gives, which is the tile `compare` runs onnxruntime over. Example: \
                pavewatch-train arch models/crack-pixel-v2.1.nnw --out models/crack-pixel-v2.1.arch.json
                """)
        @Argument(help: "The model file (.nnw).") var model: String
        @Option(help: "Output file (default: standard output).") var out: String?
        @Option(help: "Input tile size for fully convolutional networks (pixels, square).") var tile = 256

        func run() throws {
            let file = try ModelFile(path: model)
            var architecture = file.metadata.architecture
            let convolutional = !architecture.layers.contains { ["dense", "flatten", "globalavgpool"].contains($0.type.lowercased()) }
            if convolutional {
                guard (16...4096).contains(tile) else { throw ValidationError("--tile \(tile) is not within 16...4096") }
                architecture = architecture.withInput(height: tile, width: tile)
            }
            let graph = try Graph(architecture: architecture, seed: 0)
            let json = try architecture.benchJSON()
            if let out {
                try json.write(to: URL(fileURLWithPath: out))
            } else {
                FileHandle.standardOutput.write(json + Data("\n".utf8))
            }
            logLine(String(format: "%@: %d×%d×%d input, %.0f multiply-adds per input pixel%@", model,
                           architecture.input.channels, architecture.input.height, architecture.input.width,
                           graph.multiplyAddsPerPixel, architecture.sameChainRadius.map { ", receptive radius \($0) px" } ?? ""))
        }
    }
}
