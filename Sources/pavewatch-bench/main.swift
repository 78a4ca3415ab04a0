// pavewatch-bench: times each stage of the pipeline on one frame and prints median milliseconds as JSON.
// Contract: ../shared/bench/README.md. Stage lists live in Stages+<Module>.swift.
import ArgumentParser
import Codecs
import Foundation
import ImagingCore
import NeuralNet

struct PavewatchBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pavewatch-bench",
        abstract: "Time Pavewatch's stages on one frame; prints {stage: median ms} as JSON.",
        discussion: "Stages: \(allStages.map(\.name).joined(separator: ", ")).")

    @Option(help: "Input frame (JPEG or PNG).")
    var image: String

    @Option(help: "Threads for the parallel stages (1 = single thread).")
    var threads = 1

    @Option(name: .customLong("repeat"), help: "Timed runs per stage; the median is reported.")
    var repeatCount = 7

    @Option(help: "Comma-separated stage names to run (default: all that apply to the input).")
    var stages: String?

    @Flag(help: "Print the JSON object only (otherwise a table, then the JSON).")
    var json = false

    func run() throws {
        let bytes = try ImageDecoder.readFile(image)
        let format = ImageFileFormat.sniff(bytes)
        let rgb = try ImageDecoder.decode(bytes, options: .init(format: .rgb8)).pixels
        let gray = try ImageDecoder.decode(bytes, options: .init(format: .gray8)).pixels
        // Which build is timed (standard error, so the JSON contract is unchanged): the register kernels compiled.
        FileHandle.standardError.write(Data("pavewatch-bench: \(GEMM.build)\n".utf8))
        let input = BenchInput(path: image, fileBytes: bytes, rgb: rgb, gray: gray, threads: max(1, threads))
        let wanted = stages.map { Set($0.split(separator: ",").map(String.init)) }
        var results: [(String, Double)] = []
        for stage in allStages where wanted?.contains(stage.name) ?? true {
            if stage.name.hasPrefix("decode_png") != (format == .png) && stage.name.hasPrefix("decode_") { continue }
            let body = try stage.prepare(input)
            try body()  // warm-up
            var times: [Double] = []
            for _ in 0..<max(1, repeatCount) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            let median = times[times.count / 2]
            results.append((stage.name, median))
            if !json {
                FileHandle.standardError.write(Data(String(format: "%-22@ %10.3f ms\n", stage.name as NSString, median).utf8))
            }
        }
        let body = results.map { "\"\($0.0)\": \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
        print("{\(body)}")
    }
}

/// Every stage, in report order.
let allStages: [BenchStage] = decodeStages + kernelStages + nnStages + inspectStages + frameStages

PavewatchBench.main()
