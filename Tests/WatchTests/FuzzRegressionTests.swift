import Codecs
import Pipeline
import Testing

/// Streams the fuzzer found (Fuzz/README.md), each kept in the seed corpus too.
@Suite("Fuzz regressions: stream parsers")
struct StreamFuzzRegressionTests {
    /// Fuzz/corpus/mjpeg/delimiter-without-line-feed: after a `--BOUNDARY` the parser waited for the line feed
    /// that ends the delimiter line, holding every byte of a stream that never sent one.
    @Test("A boundary without a line feed is data: memory stays bounded and the next real part is read")
    func delimiterWithoutLineFeed() {
        var p = MultipartStreamParser(boundary: "frame", maxPartBytes: 4096)
        p.append(Array("--frame".utf8))
        for _ in 0..<100 {
            p.append([UInt8](repeating: 0x78, count: 1000))
            #expect(p.nextPart() == nil)
            #expect(p.bufferedBytes <= MultipartStreamParser.maxDelimiterLine + 1000 + 16)
        }
        p.append(Array("\r\n--frame\r\nContent-Length: 3\r\n\r\nabc\r\n".utf8))
        #expect(p.nextPart() == Array("abc".utf8))
        // Transport padding shorter than the limit is still a delimiter line.
        var q = MultipartStreamParser(boundary: "frame")
        q.append(Array("--frame   \r\n\r\nxyz\r\n--frame\r\n".utf8))
        #expect(q.nextPart() == Array("xyz".utf8))
    }
}

extension StreamFuzzRegressionTests {
    /// Fuzz/corpus/mjpeg/part-over-limit (found by the fuzzer): a part without Content-Length a little longer than
    /// `maxPartBytes`, whose closing boundary came in the read that took it over the limit, was returned.
    @Test("A part longer than the limit is dropped however it arrives", arguments: [1, 97, 5000])
    func partOverLimit(piece: Int) {
        let long = [UInt8](repeating: 0x78, count: 1100), short = [UInt8](repeating: 0x79, count: 500)
        let stream = Array("--b\r\n\r\n".utf8) + long + Array("\r\n--b\r\n\r\n".utf8) + short
            + Array("\r\n--b\r\n\r\n".utf8) + long + Array("\r\n--b--\r\n".utf8)
        var p = MultipartStreamParser(boundary: "b", maxPartBytes: 1024)
        var parts: [[UInt8]] = []
        for at in stride(from: 0, to: stream.count, by: piece) {
            p.append(stream[at..<min(stream.count, at + piece)])
            while let part = p.nextPart() { parts.append(part) }
        }
        #expect(parts == [short])
        #expect(p.droppedParts == 2)
    }

    /// A JPEG of SOI, one APP0 segment of `length` bytes and EOI.
    static func jpeg(segment length: Int) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0, UInt8(length >> 8), UInt8(length & 0xFF)] + [UInt8](repeating: 0, count: length - 2)
            + [0xFF, 0xD9]
    }

    /// Fuzz/corpus/jpeg-splitter/frame-over-limit: a frame a little longer than `maxFrameBytes` whose end came in
    /// the same read as the bytes that took it over the limit was emitted, not dropped.
    @Test("A frame longer than the limit is dropped however it arrives", arguments: [1, 97, 5000])
    func frameOverLimit(piece: Int) {
        let long = Self.jpeg(segment: 1100), short = Self.jpeg(segment: 500)
        let stream = long + short + long
        var s = JPEGStreamSplitter(maxFrameBytes: 1024)
        var frames: [[UInt8]] = []
        for at in stride(from: 0, to: stream.count, by: piece) {
            s.append(stream[at..<min(stream.count, at + piece)])
            while let f = s.next() { frames.append(f) }
        }
        s.finish()
        #expect(frames == [short])
        #expect(s.droppedFrames == 2)
        #expect(s.skippedBytes == 2 * long.count)
    }
}
