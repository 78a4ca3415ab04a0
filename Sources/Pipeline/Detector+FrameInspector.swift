import ImagingCore
import Inspection

extension Detector: FrameInspector {
    /// Colour when the surface map is on (it tells pavement from lawns, woods and soil by colour) or the crack model is
    /// a segmenter (it reads RGB); otherwise gray,
    /// decoded straight from the JPEG luma plane with no RGB round trip.
    public var preferredFormat: PixelFormat { configuration.surface == nil && model.kind == .pixel ? .gray8 : .rgb8 }
}
