/// The kind of pavement defect a finding or ticket describes.
///
/// The raw values are the `class` strings of `pavewatch inspect --json` and the Open311 service codes.
public enum DefectClass: String, Codable, Sendable, CaseIterable, Hashable {
    /// A crack (longitudinal, transverse, block or alligator).
    case crack
    /// A wet patch or water leak.
    case leak
}
