// libFuzzer harness "jpeg-splitter": the splitter of concatenated JPEGs (ffmpeg's image2pipe output,
// Sources/Codecs/JPEGStreamSplitter.swift, compiled into this harness), fed in pieces (Support.swift's `pieces`).
// Invariants: every frame starts with SOI `FF D8` and a marker and ends with EOI `FF D9` and is within the limit; the bytes
// held stay bounded; when nothing was dropped, the frames do not depend on how the stream was cut into pieces; and
// frames, skipped bytes and bytes held account for every byte fed.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEGSplitter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let limit = 1024
    var split = JPEGStreamSplitter(maxFrameBytes: limit)
    var frames: [[UInt8]] = []
    var fed = 0
    for piece in pieces(of: bytes) {
        split.append(piece)
        fed += piece.count
        while let frame = split.next() { frames.append(frame) }
        invariant(split.bufferedBytes <= limit + 2 * 97 + 4, "\(split.bufferedBytes) bytes held")
        invariant(frames.reduce(0) { $0 + $1.count } + split.skippedBytes + split.bufferedBytes == fed,
                  "frames, skipped and held bytes do not add up to the \(fed) fed")
    }
    split.finish()
    invariant(frames.reduce(0) { $0 + $1.count } + split.skippedBytes == fed, "bytes lost at the end")
    for f in frames {
        invariant(f.count >= 4 && f.starts(with: [0xFF, 0xD8, 0xFF]) && f.suffix(2).elementsEqual([0xFF, 0xD9]),
                  "a frame of \(f.count) bytes that is not SOI … EOI")
        invariant(f.count <= split.maxFrameBytes, "a frame of \(f.count) bytes")
    }
    if split.droppedFrames == 0 {
        var whole = JPEGStreamSplitter(maxFrameBytes: limit)
        whole.append(bytes.dropFirst())
        var wholeFrames: [[UInt8]] = []
        while let frame = whole.next() { wholeFrames.append(frame) }
        whole.finish()
        if whole.droppedFrames == 0 {
            invariant(wholeFrames == frames, "\(wholeFrames.count) frames whole, \(frames.count) in pieces")
        }
    }
    return 0
}
