// libFuzzer harness "camera-yaml": the YAML settings files, a survey folder's `pavewatch.yaml` (SurveySettings), a
// video camera file (VideoCamera) and a fixed camera's control points (FixedCamera).
// Invariants: settings that parse survive YAMLEncoder → parse unchanged; a camera that loads has finite, positive
// focal lengths and accuracies, a finite principal point, and finite reprojection errors.
import Geo
import Yams

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCameraYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let yaml = String(decoding: fuzzInput(data, size), as: UTF8.self)
    do throws(SurveySettingsError) {
        let settings = try SurveySettings.parse(yaml: yaml)
        guard let text = try? YAMLEncoder().encode(settings) else {
            invariant(false, "settings that parsed do not encode: \(settings)")
            return 0
        }
        do throws(SurveySettingsError) {
            let again = try SurveySettings.parse(yaml: text)
            invariant(again == settings, "round trip changed \(settings) into \(again)")
        } catch {
            invariant(false, "encoded settings do not parse: \(error)\n\(text)")
        }
    } catch {}
    do throws(VideoCameraError) {
        let camera = try VideoCamera.load(yaml: yaml, file: "fuzz")
        for width in [1, 1920] {
            let f = camera.focalLengthPixels(width: width)
            invariant(f.map { $0.isFinite && $0 > 0 } ?? true, "focal length \(String(describing: f)) px at width \(width)")
        }
        invariant(camera.detectionLimit.isFinite && camera.detectionLimit > 0, "detection limit \(camera.detectionLimit)")
        invariant((camera.cx ?? 0).isFinite && (camera.cy ?? 0).isFinite, "principal point \(String(describing: camera.cx)), \(String(describing: camera.cy))")
    } catch {}
    do throws(FixedCameraError) {
        let camera = try FixedCamera.load(yaml: yaml)
        invariant(camera.controlPointAccuracy.isFinite && camera.controlPointAccuracy > 0,
                  "control point accuracy \(camera.controlPointAccuracy)")
        invariant(camera.reprojectionErrorMetres.isFinite && camera.reprojectionErrorPixels.isFinite,
                  "reprojection errors \(camera.reprojectionErrorMetres) m, \(camera.reprojectionErrorPixels) px")
        for p in camera.controlPoints {
            _ = try? camera.groundPoint(x: p.x, y: p.y)
            _ = try? camera.locationUncertainty(x: p.x, y: p.y)
        }
    } catch {}
    return 0
}
