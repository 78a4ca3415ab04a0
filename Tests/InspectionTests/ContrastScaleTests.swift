import Filters
import ImagingCore
import NeuralNet
import Testing
@testable import Inspection

/// The features' contrast scale: the standard deviation, or the robust spread (protocol P).
@Suite struct ContrastScaleTests {
    /// A `w × h` texture with gray values 120 + a normal deviate × `sigma`, and a share of pixels (the top rows)
    /// set to 255, as a survey van's white bonnet.
    func frame(sigma: Float, bright: Double, w: Int = 300, h: Int = 300) -> PixelBuffer {
        var rng = RandomSource(seed: 5)
        var g = PixelBuffer(width: w, height: h, format: .gray8)
        let brightRows = Int(Double(h) * bright)
        for y in 0..<h { for x in 0..<w {
            let v = y < brightRows ? 255 : 120 + rng.normal() * sigma
            g.bytes[y * g.rowStride + x] = UInt8(max(0, min(255, v.rounded())))
        } }
        return g
    }

    @Test func robustSpreadMatchesTheTextureAndIgnoresABrightPart() {
        let plain = frame(sigma: 15, bright: 0)
        #expect(abs(CrackFeatures.contrastScale(plain) - 15) < 1)
        #expect(abs(CrackFeatures.robustContrastScale(plain) - 15) < 1.6)
        // A fifth of the frame white: the standard deviation triples, the robust spread grows by less than half.
        let bonnet = frame(sigma: 15, bright: 0.2)
        #expect(CrackFeatures.contrastScale(bonnet) > 45)
        #expect(CrackFeatures.robustContrastScale(bonnet) < 1.5 * 15)
        // Flat frames: the floor of 8.
        #expect(CrackFeatures.robustContrastScale(frame(sigma: 0, bright: 0)) == 8)
        #expect(CrackFeatures.robustContrastScale(PixelBuffer(width: 0, height: 0, format: .gray8)) == 8)
        #expect(CrackFeatures.contrastScale(bonnet, rule: .mad) == CrackFeatures.robustContrastScale(bonnet))
        #expect(CrackFeatures.contrastScale(bonnet, rule: .std) == CrackFeatures.contrastScale(bonnet))
    }

    @Test func modelsWithoutTheNoteUseTheStandardDeviation() {
        let net = CrackModel.makeNetwork(.wide, height: 16, width: 16, seed: 1)
        let plain = CrackModel(weights: net.flatWeights(), metadata: ModelMetadata(
            name: "t", architecture: net.architecture, classNames: ["crack"]))
        #expect(plain.contrastScale == .std)
        let mad = CrackModel(weights: net.flatWeights(), metadata: ModelMetadata(
            name: "t", architecture: net.architecture, classNames: ["crack"], notes: ["contrastScale": "mad"]))
        #expect(mad.contrastScale == .mad)
    }
}
