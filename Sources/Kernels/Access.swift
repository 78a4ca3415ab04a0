import ImagingCore

// Pointer access to image storage. Pointers never escape the closures.

extension PixelBuffer {
    /// Calls `body` with a pointer to byte 0 (the image must not be empty).
    @unsafe func readPixels<R>(_ body: (UnsafePointer<UInt8>) -> R) -> R {
        unsafe bytes.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
    }

    /// Calls `body` with a mutable pointer to byte 0 (the image must not be empty).
    @unsafe mutating func writePixels<R>(_ body: (UnsafeMutablePointer<UInt8>) -> R) -> R {
        unsafe bytes.withUnsafeMutableBufferPointer { unsafe body($0.baseAddress!) }
    }
}

extension Plane {
    /// Calls `body` with a pointer to element 0 (the plane must not be empty).
    @unsafe func readValues<R>(_ body: (UnsafePointer<Element>) -> R) -> R {
        unsafe values.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
    }

    /// Calls `body` with a mutable pointer to element 0 (the plane must not be empty).
    @unsafe mutating func writeValues<R>(_ body: (UnsafeMutablePointer<Element>) -> R) -> R {
        unsafe values.withUnsafeMutableBufferPointer { unsafe body($0.baseAddress!) }
    }
}

/// Checks the destination of an 8-bit kernel.
func checkSameSize(_ src: PixelBuffer, _ dst: PixelBuffer, _ format: PixelFormat = .gray8) {
    precondition(dst.width == src.width && dst.height == src.height && dst.format == format,
                 "destination must be \(src.width)x\(src.height) \(format)")
}
