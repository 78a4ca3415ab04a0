import ArgumentParser
import Geo

/// Flags that override what a frame's metadata and the camera database say about the camera.
struct CameraOverrideOptions: ParsableArguments {
    @Option(help: "Focal length in mm (overrides EXIF).")
    var focalLength: Double?

    @Option(help: "Sensor width in mm (overrides the camera database).")
    var sensorWidth: Double?

    @Option(help: "Camera height above the ground in metres (overrides the drone's relative altitude).")
    var heightAboveGround: Double?

    var overrides: CameraOverrides {
        CameraOverrides(focalLength: focalLength, sensorWidth: sensorWidth, heightAboveGround: heightAboveGround)
    }
}
