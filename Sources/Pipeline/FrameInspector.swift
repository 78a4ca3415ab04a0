import Codecs
import Findings
import ImagingCore

/// What the pipeline needs of a detector: one decoded frame in, its findings (geotagged where the frame
/// has a position) out. Implemented by `Inspection.Detector`.
public protocol FrameInspector: Sendable {
    /// The pixel format frames are decoded to for this inspector (gray is cheaper to decode).
    var preferredFormat: PixelFormat { get }
    /// Finds the defects of one frame.
    /// - Parameters: image: the decoded, upright frame with its metadata; file: its path (copied into the report);
    ///   threads: threads this call may use.
    /// - Throws: when the frame cannot be analysed (the pipeline records the reason and goes on).
    func inspect(_ image: DecodedImage, file: String, threads: Int) throws -> FrameReport
}
