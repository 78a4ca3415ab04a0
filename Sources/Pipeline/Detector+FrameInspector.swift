import ImagingCore
import Inspection

extension Detector: FrameInspector {
    /// The detector works on gray frames (decoded straight from the JPEG luma plane, no RGB round trip).
    public var preferredFormat: PixelFormat { .gray8 }
}
