import Codecs
import Findings
import ImagingCore
import Inspection

extension Detector: FrameInspector {
    /// Colour when the surface map is on (it tells pavement from lawns, woods and soil by colour) or the crack model is
    /// a segmenter (it reads RGB); otherwise gray,
    /// decoded straight from the JPEG luma plane with no RGB round trip.
    /// Inspects one decoded frame (its pixels and metadata; see ``Detector/inspect(pixels:metadata:file:threads:times:crackMap:surfaceMap:)``).
    /// - Throws: never for a readable frame today; reserved for model errors.
    public func inspect(_ image: DecodedImage, file: String, threads: Int) throws -> FrameReport {
        var times = StageTimes()
        return inspect(pixels: image.pixels, metadata: image.metadata, file: file, threads: threads, times: &times)
    }

    public var preferredFormat: PixelFormat { configuration.surface == nil && model.kind == .pixel ? .gray8 : .rgb8 }
}
