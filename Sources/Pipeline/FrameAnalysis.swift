import Codecs
import Findings
import Tickets

/// One frame through read → hash → decode → inspect: the work a survey does per frame, on one machine
/// (``SurveyRunner``) or on a worker of a distributed survey.
public struct FrameAnalysis: Sendable {
    /// The detector.
    public let inspector: any FrameInspector
    /// Decoder limits; the pixel format is the inspector's.
    public let decode: DecodeOptions

    /// Creates the analysis.
    public init(inspector: any FrameInspector, decode: DecodeOptions) {
        self.inspector = inspector
        var d = decode
        d.format = inspector.preferredFormat
        self.decode = d
    }

    /// Reads a frame's bytes and their content hash (see ``ContentHash``).
    /// - Throws: read errors naming the file.
    public func read(_ path: String) throws -> (bytes: [UInt8], hash: String) {
        let bytes = try ImageDecoder.readFile(path)
        return (bytes, ContentHash.sha256Hex(bytes))
    }

    /// Decodes and inspects a frame read by ``read(_:)``.
    /// - Parameters: file: the name the report records; threads: threads the inspector may use.
    /// - Throws: decode and inspection errors.
    public func analyse(_ input: (bytes: [UInt8], hash: String), file: String, threads: Int) throws -> SurveyBatch.Frame {
        let image = try ImageDecoder.decode(input.bytes, options: decode)
        return SurveyBatch.Frame(report: try inspector.inspect(image, file: file, threads: threads), contentHash: input.hash)
    }
}
