#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension XMPReader {
    /// The XMP properties we know, collected before they are merged into `ImageMetadata`.
    struct Fields {
        var djiLatitude: Double?, djiLongitude: Double?
        var senseflyLatitude: Double?, senseflyLongitude: Double?
        var xmpMake: String?, xmpModel: String?
        var meta = ImageMetadata()

        /// A finite number, or nil.
        static func number(_ s: String) -> Double? {
            let t = s.trimmedASCII
            guard let v = Double(t), v.isFinite else { return nil }
            return v
        }

        static func number(_ s: String, within limit: Double) -> Double? {
            guard let v = number(s), abs(v) <= limit else { return nil }
            return v
        }

        static let angle = 360.0, altitude = 100_000.0, distance = 1e9

        mutating func set(_ ns: Namespace, _ name: String, _ value: String) {
            switch ns {
            case .dji: setDJI(name, value)
            case .sensefly: setSensefly(name, value)
            case .camera: setCamera(name, value)
            case .tiff:
                let t = value.trimmedASCII
                guard !t.isEmpty else { return }
                if name == "make" { xmpMake = String(t) } else if name == "model" { xmpModel = String(t) }
            }
        }

        private mutating func setDJI(_ name: String, _ value: String) {
            switch name {
            case "gpslatitude": djiLatitude = Self.number(value, within: 90)
            case "gpslongitude", "gpslongtitude": djiLongitude = Self.number(value, within: 180)
            case "absolutealtitude": meta.absoluteAltitude = Self.number(value, within: Self.altitude)
            case "relativealtitude": meta.relativeAltitude = Self.number(value, within: Self.altitude)
            case "gimbalpitchdegree": meta.gimbalPitch = Self.number(value, within: Self.angle)
            case "gimbalyawdegree": meta.gimbalYaw = Self.number(value, within: Self.angle)
            case "gimbalrolldegree": meta.gimbalRoll = Self.number(value, within: Self.angle)
            case "flightyawdegree": meta.flightYaw = Self.number(value, within: Self.angle)
            case "flightpitchdegree": meta.flightPitch = Self.number(value, within: Self.angle)
            case "flightrolldegree": meta.flightRoll = Self.number(value, within: Self.angle)
            case "rtkflag":
                if let v = Self.number(value, within: 1000), v == v.rounded() { meta.rtkFlag = Int(v) }
            case "rtkstdlon": meta.rtkStdLon = nonNegative(value)
            case "rtkstdlat": meta.rtkStdLat = nonNegative(value)
            case "rtkstdhgt": meta.rtkStdHgt = nonNegative(value)
            case "calibratedfocallength": meta.calibratedFocalLength = positive(value)
            case "calibratedopticalcenterx": meta.opticalCenterX = nonNegative(value)
            case "calibratedopticalcentery": meta.opticalCenterY = nonNegative(value)
            default: break
            }
        }

        private mutating func setSensefly(_ name: String, _ value: String) {
            switch name {
            case "latitude": senseflyLatitude = Self.number(value, within: 90)
            case "longitude": senseflyLongitude = Self.number(value, within: 180)
            case "height": meta.heightAboveTakeoff = Self.number(value, within: Self.altitude)
            case "altitudeamsl": meta.altitudeAMSL = Self.number(value, within: Self.altitude)
            case "heading": meta.heading = Self.number(value, within: Self.angle)
            case "pitchangle": meta.pitchAngle = Self.number(value, within: Self.angle)
            case "rollangle": meta.rollAngle = Self.number(value, within: Self.angle)
            case "groundspeed": meta.groundSpeed = Self.number(value, within: 1000)
            case "airspeed": meta.airSpeed = Self.number(value, within: 1000)
            case "utctime": meta.utcTime = EXIFDate.parse(value)
            default: break
            }
        }

        private mutating func setCamera(_ name: String, _ value: String) {
            switch name {
            case "pitch": meta.cameraPitch = Self.number(value, within: Self.angle)
            case "yaw": meta.cameraYaw = Self.number(value, within: Self.angle)
            case "roll": meta.cameraRoll = Self.number(value, within: Self.angle)
            case "abovegroundaltitude": meta.aboveGroundAltitude = Self.number(value, within: Self.altitude)
            case "gpsxyaccuracy": meta.gpsXYAccuracy = nonNegative(value)
            case "gpszaccuracy": meta.gpsZAccuracy = nonNegative(value)
            case "perspectivefocallength": meta.perspectiveFocalLength = nonNegative(value)
            case "principalpoint":
                let parts = value.split(separator: ",")
                if parts.count == 2, let x = nonNegative(String(parts[0])), let y = nonNegative(String(parts[1])) {
                    meta.principalPointX = x
                    meta.principalPointY = y
                }
            default: break
            }
        }

        private func nonNegative(_ s: String) -> Double? {
            guard let v = Self.number(s), v >= 0, v < Self.distance else { return nil }
            return v
        }

        private func positive(_ s: String) -> Double? {
            guard let v = nonNegative(s), v > 0 else { return nil }
            return v
        }

        /// Merges into `target`: EXIF position and make/model win; XMP-only fields are copied.
        func apply(to target: inout ImageMetadata) {
            let m = meta
            if target.latitude == nil || target.longitude == nil {
                if let lat = djiLatitude, let lon = djiLongitude, !(lat == 0 && lon == 0) {
                    target.latitude = lat
                    target.longitude = lon
                    target.positionSource = .djiXMP
                } else if let lat = senseflyLatitude, let lon = senseflyLongitude, !(lat == 0 && lon == 0) {
                    target.latitude = lat
                    target.longitude = lon
                    target.positionSource = .senseflyXMP
                }
            }
            if target.make == nil { target.make = xmpMake }
            if target.model == nil { target.model = xmpModel }
            target.relativeAltitude = m.relativeAltitude ?? target.relativeAltitude
            target.absoluteAltitude = m.absoluteAltitude ?? target.absoluteAltitude
            target.gimbalPitch = m.gimbalPitch ?? target.gimbalPitch
            target.gimbalYaw = m.gimbalYaw ?? target.gimbalYaw
            target.gimbalRoll = m.gimbalRoll ?? target.gimbalRoll
            target.flightYaw = m.flightYaw ?? target.flightYaw
            target.flightPitch = m.flightPitch ?? target.flightPitch
            target.flightRoll = m.flightRoll ?? target.flightRoll
            target.rtkFlag = m.rtkFlag ?? target.rtkFlag
            target.rtkStdLon = m.rtkStdLon ?? target.rtkStdLon
            target.rtkStdLat = m.rtkStdLat ?? target.rtkStdLat
            target.rtkStdHgt = m.rtkStdHgt ?? target.rtkStdHgt
            target.calibratedFocalLength = m.calibratedFocalLength ?? target.calibratedFocalLength
            target.opticalCenterX = m.opticalCenterX ?? target.opticalCenterX
            target.opticalCenterY = m.opticalCenterY ?? target.opticalCenterY
            target.cameraPitch = m.cameraPitch ?? target.cameraPitch
            target.cameraYaw = m.cameraYaw ?? target.cameraYaw
            target.cameraRoll = m.cameraRoll ?? target.cameraRoll
            target.aboveGroundAltitude = m.aboveGroundAltitude ?? target.aboveGroundAltitude
            target.gpsXYAccuracy = m.gpsXYAccuracy ?? target.gpsXYAccuracy
            target.gpsZAccuracy = m.gpsZAccuracy ?? target.gpsZAccuracy
            target.perspectiveFocalLength = m.perspectiveFocalLength ?? target.perspectiveFocalLength
            target.principalPointX = m.principalPointX ?? target.principalPointX
            target.principalPointY = m.principalPointY ?? target.principalPointY
            target.heightAboveTakeoff = m.heightAboveTakeoff ?? target.heightAboveTakeoff
            target.altitudeAMSL = m.altitudeAMSL ?? target.altitudeAMSL
            target.heading = m.heading ?? target.heading
            target.pitchAngle = m.pitchAngle ?? target.pitchAngle
            target.rollAngle = m.rollAngle ?? target.rollAngle
            target.groundSpeed = m.groundSpeed ?? target.groundSpeed
            target.airSpeed = m.airSpeed ?? target.airSpeed
            target.utcTime = m.utcTime ?? target.utcTime
        }
    }
}
