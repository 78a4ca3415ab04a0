import ImagingCore

/// A finding's pixel bounding box: an ImagingCore ``Rect``, encoded in JSON as `[x, y, w, h]`.
public typealias BoundingBox = Rect
