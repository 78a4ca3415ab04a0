import Codecs
import Foundation
import Inspection

/// The whole-frame stage of the pipeline: `frame_total` is what `pavewatch survey` spends on one frame before
/// storing it: decode straight to gray (with its metadata, orientation applied), then the detector (filter
/// features, per-pixel crack model, regions and measurements, geotagging), with every thread on the one frame.
/// `compare` pairs it with OpenCV decode + blur + Sobel + black-hat + Canny and onnxruntime over every tile.
let frameStages: [BenchStage] = [
    BenchStage(name: "frame_total") { input in
        let detector = try Detector()
        let options = DecodeOptions(format: .gray8)  // the detector's preferred format (Pipeline)
        return {
            let decoded = try ImageDecoder.decode(input.fileBytes, options: options)
            _ = try detector.inspect(decoded, file: input.path, threads: input.threads)
        }
    },
]
