// Trains the crack / leak / background tile classifier like `pavewatch train`, but as a small executable that
// needs only the Training module, so a release build for training is quick (no server, database or CLI).
// Usage: tile-train CONFIG OUT [--resume] [--export-last]
//        tile-train segment DATASETS ARCH OUT [STEPS]   (the encoder-decoder experiment, Segment.swift)
import Foundation
import Training

let args = CommandLine.arguments
if args.count > 1 && args[1] == "segment" {
    do {
        try SegmentCommand.run(Array(args.dropFirst(2))) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("tile-train segment: \(error)\n".utf8))
        exit(1)
    }
}
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: tile-train CONFIG OUT [--resume] [--export-last]\n".utf8))
    exit(2)
}
let err = FileHandle.standardError
do {
    guard let data = FileManager.default.contents(atPath: args[1]) else { throw ValidationFailure("cannot read config \(args[1])") }
    let config = try JSONDecoder().decode(TrainingConfig.self, from: data)
    let trainer = Trainer(config: config, outPrefix: args[2],
                          progress: { err.write(Data(("\r" + $0 + "\u{1B}[K").utf8)) },
                          log: { err.write(Data(($0 + "\n").utf8)) })
    if args.contains("--export-last") {
        try trainer.exportLastCheckpoint()
    } else {
        try trainer.run(resume: args.contains("--resume"))
    }
} catch {
    err.write(Data("tile-train: \(error)\n".utf8))
    exit(1)
}
