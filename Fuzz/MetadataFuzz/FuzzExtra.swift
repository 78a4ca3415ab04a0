// Further parsers fed by the fuzzer: the same bytes as DJI SRT and as a telemetry CSV.
func fuzzExtraParsers(_ bytes: [UInt8]) {
    do throws(TelemetryParseError) { _ = try SRTParser.parse(bytes, file: "fuzz") } catch {}
    do throws(TelemetryParseError) { _ = try TelemetryCSV.parse(bytes, file: "fuzz") } catch {}
}
