import Testing

@testable import Metadata

/// Inputs the fuzzer found (Fuzz/README.md), each kept in the seed corpus too.
@Suite("Fuzz regressions: metadata and telemetry")
struct MetadataFuzzRegressionTests {
    /// Fuzz/corpus/telemetry/srt-half-position: a damaged `longitude` key left a cue with a latitude and no
    /// longitude, half a position that later code took for a fix.
    @Test("An SRT cue with one coordinate only has no position")
    func srtHalfPosition() throws {
        let cue = """
        1
        00:00:00,000 --> 00:00:00,020
        2021-12-25 12:27:52.373
        [focal_len: 24.00] [latitude: 3.41531] [lo\u{0}ngitude: -3.37440] [rel_alt: -2.400 abs_alt: 0.401]

        2
        00:00:00,020 --> 00:00:00,040
        2021-12-25 12:27:52.391
        [focal_len: 24.00] [latitude: 91.5] [longitude: -3.37440] [rel_alt: -2.400 abs_alt: 0.401]

        """
        let samples = try SRTParser.parse(Array(cue.utf8), file: "half.srt")
        #expect(samples.count == 2)
        for s in samples {
            #expect(s.latitude == nil && s.longitude == nil)
            #expect(s.relativeAltitude == -2.4)
        }
    }
}
