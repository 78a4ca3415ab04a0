import Foundation
import Testing
@testable import Training

/// The `folder:DIR` source reads `pavewatch export --training DIR`: crack / leak / background folders.
@Suite("Reviewed crops as a training source")
struct ReviewedFolderTests {
    @Test("Each folder's crops are tiles of its class, split by ticket")
    func folderSource() throws {
        let root = try temporaryFolder("reviewed")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (sub, count) in [("crack", 4), ("leak", 2), ("background", 3)] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true)
            for i in 0..<count {
                // Two sightings of one ticket share the ticket prefix.
                let (img, _) = crackPhoto(seed: UInt64(sub.count * 10 + i))
                try writePNG(img, to: "\(root)/\(sub)/t\(sub.count)\(i / 2)-f\(i).png")
            }
        }
        var config = TrainingConfig()
        config.sources = ["folder:\(root)"]
        config.validationFraction = 0.3
        var builder = DatasetBuilder(config: config)
        let data = try builder.build()
        let all = data.train + data.validation
        #expect(Set(all.filter { $0.label == .crack }.map(\.source)).count == 2, "4 crack crops of 2 tickets")
        #expect(all.contains { $0.label == .leak } && all.contains { $0.label == .background })
        #expect(Set(data.train.map(\.source)).isDisjoint(with: Set(data.validation.map(\.source))))
        // Each 128 × 64 crop gives tiles of 64: whole-image labels apply to every tile.
        for sub in ["crack", "leak", "background"] {
            let n = all.filter { $0.label.name == sub }.count
            #expect(n > 0, "\(sub)")
        }
    }
}
