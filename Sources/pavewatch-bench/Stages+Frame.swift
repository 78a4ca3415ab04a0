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
        // What `survey` decodes for the default detector: colour, for the surface map (Pipeline's
        // `Detector.preferredFormat`).
        let options = DecodeOptions(format: .rgb8)
        return {
            let decoded = try ImageDecoder.decode(input.fileBytes, options: options)
            var times = Detector.StageTimes()
            _ = detector.inspect(pixels: decoded.pixels, metadata: decoded.metadata, file: input.path,
                                 threads: input.threads, times: &times)
        }
    },
]
