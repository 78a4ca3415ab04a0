/// Sensor sizes of common survey cameras, keyed by EXIF make and model.
///
/// Figures are the makers' published specifications (sensor format, focal length, full image size).
/// Matrice 300 / 350 RTK photos name their payload (Zenmuse P1, H20) as the model, so the payloads are listed.
/// The Zenmuse H20 entry is its wide camera. Values can be replaced per run with `CameraOverrides`.
public enum CameraDatabase {
    /// Every known camera.
    public static let all: [CameraSpec] = [
        CameraSpec(name: "DJI Mini 2", make: "DJI", models: ["FC7303", "Mini 2"],
                   sensorWidth: 6.17, sensorHeight: 4.55, focalLength: 4.49, imageWidth: 4000, imageHeight: 3000),
        CameraSpec(name: "DJI Mini 3 / Mini 3 Pro", make: "DJI", models: ["FC3582", "FC3682", "Mini 3", "Mini 3 Pro"],
                   sensorWidth: 9.7, sensorHeight: 7.3, focalLength: 6.72, imageWidth: 4032, imageHeight: 3024),
        CameraSpec(name: "DJI Mini 4 Pro", make: "DJI", models: ["FC8482", "Mini 4 Pro"],
                   sensorWidth: 9.7, sensorHeight: 7.3, focalLength: 6.72, imageWidth: 4032, imageHeight: 3024),
        CameraSpec(name: "DJI Air 2S", make: "DJI", models: ["FC3411", "Air 2S"],
                   sensorWidth: 13.2, sensorHeight: 8.8, focalLength: 8.38, imageWidth: 5472, imageHeight: 3648),
        CameraSpec(name: "DJI Mavic 3", make: "Hasselblad", models: ["L2D-20c", "Mavic 3"],
                   sensorWidth: 17.3, sensorHeight: 13.0, focalLength: 12.29, imageWidth: 5280, imageHeight: 3956),
        CameraSpec(name: "DJI Mavic 3 Enterprise", make: "DJI", models: ["M3E", "Mavic 3E"],
                   sensorWidth: 17.3, sensorHeight: 13.0, focalLength: 12.29, imageWidth: 5280, imageHeight: 3956),
        CameraSpec(name: "DJI Mavic 3 Multispectral (RGB)", make: "DJI", models: ["M3M", "Mavic 3M"],
                   sensorWidth: 17.3, sensorHeight: 13.0, focalLength: 12.29, imageWidth: 5280, imageHeight: 3956),
        CameraSpec(name: "DJI Phantom 4 Pro", make: "DJI", models: ["FC6310", "FC6310S", "Phantom 4 Pro"],
                   sensorWidth: 13.2, sensorHeight: 8.8, focalLength: 8.8, imageWidth: 5472, imageHeight: 3648),
        CameraSpec(name: "DJI Phantom 4 RTK", make: "DJI", models: ["FC6310R", "Phantom 4 RTK"],
                   sensorWidth: 13.2, sensorHeight: 8.8, focalLength: 8.8, imageWidth: 5472, imageHeight: 3648),
        CameraSpec(name: "DJI Zenmuse P1 (Matrice 300/350 RTK), 35 mm lens", make: "DJI", models: ["ZenmuseP1", "P1"],
                   sensorWidth: 35.9, sensorHeight: 24.0, focalLength: 35, imageWidth: 8192, imageHeight: 5460),
        CameraSpec(name: "DJI Zenmuse H20 / H20T wide camera (Matrice 300/350 RTK)", make: "DJI", models: ["ZH20", "ZH20T", "H20", "H20T"],
                   sensorWidth: 6.17, sensorHeight: 4.55, focalLength: 4.5, imageWidth: 4056, imageHeight: 3040),
        CameraSpec(name: "Autel EVO II Pro", make: "Autel Robotics", models: ["XT705", "EVO II Pro"],
                   sensorWidth: 13.2, sensorHeight: 8.8, focalLength: 10.57, imageWidth: 5472, imageHeight: 3648),
        CameraSpec(name: "senseFly S.O.D.A.", make: "senseFly", models: ["S.O.D.A.", "SODA", "S.O.D.A. 3D"],
                   sensorWidth: 13.2, sensorHeight: 8.8, focalLength: 10.6, imageWidth: 5472, imageHeight: 3648),
        CameraSpec(name: "senseFly Aeria X", make: "senseFly", models: ["Aeria X"],
                   sensorWidth: 23.5, sensorHeight: 15.6, focalLength: 18.5, imageWidth: 6000, imageHeight: 4000),
        // senseFly swinglet CAM payload (Seneca data set). Sensor from its EXIF focal-plane resolution:
        // 4000 px / 16393.44 px/inch = 6.20 mm, 3000 px → 4.65 mm.
        CameraSpec(name: "Canon PowerShot ELPH 300 HS (senseFly swinglet CAM)", make: "Canon",
                   models: ["Canon PowerShot ELPH 300 HS", "PowerShot ELPH 300 HS", "Canon IXUS 220 HS"],
                   sensorWidth: 6.20, sensorHeight: 4.65, focalLength: 4.3, imageWidth: 4000, imageHeight: 3000),
    ]

    /// Upper-case letters and digits only: "Autel Robotics" → "AUTELROBOTICS".
    static func key(_ s: String) -> String {
        String(s.uppercased().unicodeScalars.filter { ($0.value >= 48 && $0.value <= 57) || ($0.value >= 65 && $0.value <= 90) }
            .map(Character.init))
    }

    /// The camera with this EXIF make and model, or nil.
    /// - Parameters:
    ///   - make: EXIF Make (may be nil: the model alone then decides).
    ///   - model: EXIF Model.
    public static func lookup(make: String?, model: String?) -> CameraSpec? {
        guard let model else { return nil }
        let m = key(model)
        let mk = make.map(key)
        return all.first { spec in
            guard spec.models.contains(where: { key($0) == m }) else { return false }
            guard let mk, !mk.isEmpty else { return true }
            let sk = key(spec.make)
            return mk.contains(sk) || sk.contains(mk) || (sk == "HASSELBLAD" && mk == "DJI")
        }
    }
}
