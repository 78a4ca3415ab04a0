import Foundation
import Geo
import Testing

@Suite("Survey settings file")
struct SurveySettingsTests {
    @Test("camera overrides are read; flags win over the file")
    func parse() throws {
        let s = try SurveySettings.parse(yaml: "camera:\n  heightAboveGround: 120\n  focalLength: 4.88\n")
        #expect(s.camera?.heightAboveGround == 120 && s.camera?.focalLength == 4.88 && s.camera?.sensorWidth == nil)
        let merged = CameraOverrides(heightAboveGround: 80).merged(over: s.camera)
        #expect(merged.heightAboveGround == 80 && merged.focalLength == 4.88)
        #expect(CameraOverrides().merged(over: nil) == CameraOverrides())
    }

    @Test("impossible values and other YAML are refused with the file's name", arguments: [
        "camera:\n  heightAboveGround: -3\n", "camera:\n  heightAboveGround: high\n", "- a list\n",
    ])
    func refused(yaml: String) {
        #expect { try SurveySettings.parse(yaml: yaml, file: "/x/pavewatch.yaml") } throws: { error in
            "\(error)".contains("/x/pavewatch.yaml")
        }
    }

    @Test("the demo survey's file gives the height its EXIF lacks; a folder without one gives no settings")
    func demo() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let s = try SurveySettings.load(folder: root.appendingPathComponent("datasets/demo-survey").path)
        #expect(s.camera?.heightAboveGround == 120)
        #expect(try SurveySettings.load(folder: root.appendingPathComponent("Sources").path) == SurveySettings())
    }
}
