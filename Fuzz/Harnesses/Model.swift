// libFuzzer harness "model": the `.nnw` model file reader (ModelFile), the crack-model checks of a file that reads
// (CrackModel) and the detector settings its notes carry (DetectorConfiguration.apply(notes:)).
// Input: a model file (read as given, and again with its checksum made right so that mutations reach past the
// CRC), or anything else read as JSON metadata, a NUL byte, then little-endian float32 weights, which the harness
// writes as a well-formed file (ModelFile.encoded) before reading it back.
// Invariant: a file that reads survives encoded() → read unchanged.
import Foundation
import Inspection
import NeuralNet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    if bytes.starts(with: ModelFile.magic) {
        read(bytes)
        if bytes.count >= 44 {
            var fixed = bytes
            let crc = CRC32.checksum(fixed[min(64, fixed.count)...])
            for i in 0..<4 { fixed[40 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            if fixed != bytes { read(fixed) }
        }
    } else {
        let nul = bytes.firstIndex(of: 0) ?? bytes.count
        guard let metadata = try? JSONDecoder().decode(ModelMetadata.self, from: Data(bytes[..<nul])) else { return 0 }
        let raw = bytes.count > nul ? Array(bytes[(nul + 1)...]) : []
        let weights = stride(from: 0, to: raw.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
        read(ModelFile(metadata: metadata, weights: weights).encoded())
    }
    return 0
}

/// Reads a model file and, when it reads, checks the round trip and feeds it to the crack-model checks.
private func read(_ bytes: [UInt8]) {
    let file: ModelFile
    do throws(ModelFileError) { file = try ModelFile(bytes: bytes) } catch { return }
    do throws(ModelFileError) {
        let again = try ModelFile(bytes: file.encoded())
        invariant(again.metadata == file.metadata, "metadata changed in the round trip")
        invariant(again.weights == file.weights, "weights changed in the round trip")
    } catch {
        invariant(false, "a file that read does not read again after encoded(): \(error)")
    }
    _ = try? CrackModel(file: file, source: "fuzz")
    var configuration = DetectorConfiguration()
    try? configuration.apply(notes: file.metadata.notes, source: "fuzz")
}
