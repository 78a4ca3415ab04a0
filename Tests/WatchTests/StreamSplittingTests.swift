import Codecs
import ImagingCore
import Foundation
import Pipeline
import Testing

@Suite("Splitting frame streams")
struct StreamSplittingTests {
    /// Feeds `bytes` in chunks of the given sizes (cycled) and collects the frames.
    static func split(_ bytes: [UInt8], chunks: [Int], finish: Bool = true) -> ([[UInt8]], JPEGStreamSplitter) {
        var s = JPEGStreamSplitter()
        var out: [[UInt8]] = []
        var i = 0, k = 0
        while i < bytes.count {
            let n = min(chunks[k % chunks.count], bytes.count - i)
            s.append(bytes[i..<(i + n)])
            i += n
            k += 1
            while let f = s.next() { out.append(f) }
        }
        if finish { s.finish() }
        return (out, s)
    }

    @Test("concatenated JPEGs with garbage between them and a truncated last frame",
          arguments: [[1], [7, 3, 1000], [65536]])
    func concatenated(chunks: [Int]) throws {
        let frames = try (0..<4).map { try WatchFixtures.frame($0, blobs: [(10 + $0, 10, 8)]) }
        var stream: [UInt8] = Array("junk before\n".utf8)
        for (i, f) in frames.enumerated() {
            stream += f
            // Garbage between frames, including bytes that look like markers but are no SOI.
            if i == 1 { stream += [0xFF, 0xD9, 0x00, 0xFF, 0xFF, 0xD8, 0x12] + Array("--boundary\r\n".utf8) }
        }
        let truncated = try WatchFixtures.frame(99)
        stream += truncated.prefix(truncated.count / 2)
        let (out, splitter) = Self.split(stream, chunks: chunks)
        #expect(out == frames)
        #expect(splitter.droppedFrames == 1)
        for f in out { #expect(throws: Never.self) { _ = try ImageDecoder.decode(f) } }
    }

    @Test("an EOI inside a metadata segment does not end the frame")
    func embeddedEOI() throws {
        let f = try WatchFixtures.frame(1)
        // Insert an APP1 segment holding FF D8 FF ... FF D9 (a thumbnail) right after SOI.
        let payload: [UInt8] = Array("Exif\0\0".utf8) + [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xD9]
        let length = payload.count + 2
        let app1: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        let withThumb = Array(f.prefix(2)) + app1 + Array(f.dropFirst(2))
        let (out, splitter) = Self.split(withThumb + f, chunks: [5])
        #expect(out == [withThumb, f])
        #expect(splitter.droppedFrames == 0)
    }

    @Test("a frame cut short by the next frame's SOI is dropped, the next one kept")
    func cutShort() throws {
        let a = try WatchFixtures.frame(1), b = try WatchFixtures.frame(2)
        let (out, splitter) = Self.split(Array(a.prefix(a.count - 40)) + b, chunks: [333])
        #expect(out == [b])
        #expect(splitter.droppedFrames == 1)
    }

    @Test("memory stays bounded on endless garbage")
    func garbage() {
        var s = JPEGStreamSplitter()
        for i in 0..<1000 {
            s.append((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) & 0x7F })
            #expect(s.next() == nil)
        }
        #expect(s.bufferedBytes <= 2)
    }

    static func multipart(_ frames: [[UInt8]], boundary: String, contentLength: Bool) -> [UInt8] {
        var body: [UInt8] = Array("preamble\r\n".utf8)
        for f in frames {
            body += Array("--\(boundary)\r\nContent-Type: image/jpeg\r\n".utf8)
            if contentLength { body += Array("Content-Length: \(f.count)\r\n".utf8) }
            body += Array("\r\n".utf8) + f + Array("\r\n".utf8)
        }
        return body
    }

    @Test("multipart parts with and without Content-Length", arguments: [true, false])
    func multipartParts(contentLength: Bool) throws {
        let frames = try (0..<3).map { try WatchFixtures.frame($0) }
        let body = Self.multipart(frames, boundary: "pwframe", contentLength: contentLength)
        for chunk in [1, 13, 4096] {
            var p = MultipartStreamParser(boundary: "\"--pwframe\"")
            var out: [[UInt8]] = []
            var i = 0
            while i < body.count {
                p.append(body[i..<min(body.count, i + chunk)])
                i += chunk
                while let part = p.nextPart() { out.append(part) }
            }
            // Without Content-Length the last part ends only at the next boundary.
            p.append(Array("--pwframe--\r\n".utf8))
            while let part = p.nextPart() { out.append(part) }
            #expect(out == frames, "chunk \(chunk)")
        }
    }

    @Test("boundary from Content-Type")
    func boundaryParameter() {
        #expect(MultipartStreamParser.boundary(contentType: "multipart/x-mixed-replace; boundary=frame") == "frame")
        #expect(MultipartStreamParser.boundary(contentType: "multipart/x-mixed-replace;boundary=\"a b\"") == "\"a b\"")
        #expect(MultipartStreamParser.boundary(contentType: "image/jpeg") == nil)
        #expect(MultipartStreamParser(boundary: "\"--myboundary\"").boundary == "myboundary")
    }

    @Test("complete JPEG and PNG files are told from partial ones")
    func completeness() throws {
        let jpeg = try WatchFixtures.frame(3)
        #expect(ImageCompleteness.isComplete(jpeg))
        #expect(!ImageCompleteness.isComplete(Array(jpeg.prefix(jpeg.count - 1))))
        #expect(!ImageCompleteness.isComplete(Array(jpeg.prefix(100))))
        var px = ImagingCore.PixelBuffer(width: 8, height: 8, format: .gray8)
        px.bytes[0] = 1
        let png = try ImageEncoder.png(px)
        #expect(ImageCompleteness.isComplete(png))
        #expect(!ImageCompleteness.isComplete(Array(png.dropLast(3))))
    }
}
