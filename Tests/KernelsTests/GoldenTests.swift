import Foundation
import ImagingCore
import Kernels
import Testing
import TestSupport

/// OpenCV outputs on a real photo crop (97x67, CC0), made by scripts/make_kernel_fixtures.py; the manifest
/// states each OpenCV call and the tolerance (0 = bit-exact; float tolerances are relative to the largest
/// |value|).
@Suite("Kernels against OpenCV golden outputs")
struct GoldenTests {
    struct Entry: Decodable {
        let file: String
        let width: Int
        let height: Int
        let channels: Int
        let tolerance: Double
    }

    static func manifest() throws -> [String: Entry] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/manifest.json", withExtension: nil))
        let data = try Data(contentsOf: url)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [String: Entry] = [:]
        for (key, value) in object where !key.hasPrefix("_") {
            let json = try JSONSerialization.data(withJSONObject: value)
            out[key] = try JSONDecoder().decode(Entry.self, from: json)
        }
        return out
    }

    static func raw(_ name: String) throws -> (Entry, Data) {
        let entry = try #require(try manifest()[name], "no fixture \(name)")
        let url = try #require(Bundle.module.url(forResource: "Fixtures/" + entry.file, withExtension: nil))
        return (entry, try Data(contentsOf: url))
    }

    static func image(_ name: String) throws -> PixelBuffer {
        let (e, data) = try raw(name)
        let format: PixelFormat = e.channels == 3 ? .rgb8 : .gray8
        return PixelBuffer(width: e.width, height: e.height, format: format, rowStride: e.width * e.channels,
                           bytes: [UInt8](data))
    }

    static func values<T: FixedWidthInteger>(_ name: String, as: T.Type) throws -> Plane<T> {
        let (e, data) = try raw(name)
        let n = e.width * e.height
        let size = MemoryLayout<T>.size
        let v = (0..<n).map { i in
            (0..<size).reduce(T.zero) { $0 | (T(truncatingIfNeeded: data[i * size + $1]) << (8 * $1)) }
        }
        return Plane(width: e.width, height: e.height, rowStride: e.width, values: v)
    }

    static func floats(_ name: String) throws -> (FloatImage, Double) {
        let (e, _) = try raw(name)
        let bits = try values(name, as: UInt32.self)
        return (Plane(width: e.width, height: e.height, rowStride: e.width, values: bits.values.map(Float.init(bitPattern:))),
                e.tolerance)
    }

    static func maxDifference(_ a: PixelBuffer, _ b: PixelBuffer) -> Int {
        var m = 0
        for y in 0..<a.height { for x in 0..<a.width { m = max(m, abs(Int(a[x, y]) - Int(b[x, y]))) } }
        return m
    }

    let gray: PixelBuffer

    init() throws { gray = try Self.image("input_gray") }

    @Test("RGB to gray within 1 level of cv2.cvtColor")
    func toGray() throws {
        let ours = ColorConversion.gray(try Self.image("input_rgb"))
        #expect(Self.maxDifference(ours, gray) <= 1)
    }

    @Test("Bit-exact 8-bit outputs", arguments: ["gaussian5", "canny", "canny_low", "canny_l2", "erode15",
                                                 "dilate5x3", "blackhat15", "tophat5x3"])
    func exact(name: String) throws {
        let expected = try Self.image(name)
        let blurred = Gaussian.blur5x5(gray)
        let k15 = StructuringElement.rectangle(width: 15, height: 15), k53 = StructuringElement.rectangle(width: 5, height: 3)
        let ours: PixelBuffer = switch name {
        case "gaussian5": blurred
        case "canny": Canny.edges(blurred, low: 50, high: 150)
        case "canny_low": Canny.edges(blurred, low: 10, high: 40)
        case "canny_l2": Canny.edges(blurred, low: 20, high: 60, l2Gradient: true)
        case "erode15": Morphology.apply(.erode, to: gray, element: k15)
        case "dilate5x3": Morphology.apply(.dilate, to: gray, element: k53)
        case "blackhat15": Morphology.apply(.blackHat, to: gray, element: k15)
        default: Morphology.apply(.topHat, to: gray, element: k53)
        }
        #expect(firstDifference(ours, expected) == nil)
    }

    @Test("Sobel and Scharr derivatives equal cv2.Sobel / cv2.Scharr (CV_16S)", arguments: GradientOperator.allCases)
    func derivatives(op: GradientOperator) throws {
        let (dx, dy) = Gradient.derivatives(gray, operator: op)
        #expect(dx == (try Self.values("\(op.rawValue)_dx", as: Int16.self)))
        #expect(dy == (try Self.values("\(op.rawValue)_dy", as: Int16.self)))
    }

    @Test("Box mean and area downsampling within 1 level of OpenCV")
    func boxAndArea() throws {
        #expect(Self.maxDifference(BoxFilter.mean(gray, width: 7, height: 5), try Self.image("box7x5")) <= 1)
        let even = gray.region(Rect(x: 0, y: 0, width: 96, height: 66)).copy()
        #expect(Self.maxDifference(Downsample.area(even, factor: 2), try Self.image("area_half")) <= 1)
    }

    @Test("Integral images equal cv2.integral2")
    func integral() throws {
        let table = Integral.compute(gray)
        #expect(table.sum == (try Self.values("integral_sum", as: UInt32.self)))
        #expect(table.squares == (try Self.values("integral_sqsum", as: UInt64.self)))
    }

    @Test("LBP codes equal the numpy baseline inside the border")
    func lbp() throws {
        let codes = LocalBinaryPattern.codes(gray)
        let interior = codes.region(Rect(x: 1, y: 1, width: gray.width - 2, height: gray.height - 2)).copy()
        #expect(firstDifference(interior, try Self.image("lbp_interior")) == nil)
    }

    @Test("Float Gaussian and ridge strength within tolerance of OpenCV float32")
    func floats() throws {
        let (blur, tb) = try Self.floats("gaussian_sigma2_f32")
        #expect(Double(maxAbsDifference(Gaussian.blurToFloat(gray, sigma: 2), blur)) <= tb * Double(maxAbs(blur)))
        let (ridge, tr) = try Self.floats("ridge_f32")
        let ours = Ridge.hessian(gray, sigma: 2, orientation: false).strength
        #expect(Double(maxAbsDifference(ours, ridge)) <= tr * Double(maxAbs(ridge)))
    }
}
