import Codecs
import ImagingCore

/// Decode stages: the whole file to pixels, single thread, as `cv2.imdecode` does.
let decodeStages: [BenchStage] = [
    decodeStage("decode_rgb", .init(format: .rgb8, applyOrientation: false)),
    decodeStage("decode_gray", .init(format: .gray8, applyOrientation: false)),
    decodeStage("decode_gray_half", .init(format: .gray8, scale: .half, applyOrientation: false)),
    decodeStage("decode_gray_quarter", .init(format: .gray8, scale: .quarter, applyOrientation: false)),
    decodeStage("decode_png", .init(format: .rgb8, applyOrientation: false)),
]

private func decodeStage(_ name: String, _ options: DecodeOptions) -> BenchStage {
    BenchStage(name: name) { input in
        let bytes = input.fileBytes
        return {
            let image = try ImageDecoder.decode(bytes, options: options)
            precondition(image.pixels.width > 0)
        }
    }
}
