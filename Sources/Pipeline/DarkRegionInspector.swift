import Codecs
import Findings
import ImagingCore
import Inspection

/// A deliberately simple, deterministic inspector: every 4-connected region of pixels darker than
/// `threshold` with at least `minimumArea` pixels is a finding. Elongated regions (long side ≥ 3× the short
/// side) are cracks, others leaks. It is not a pavement detector: it exists so the pipeline (`watch`, its
/// persistence rule, shutdown) can be run and tested end to end without a trained model
/// (`pavewatch watch --inspector dark-regions`).
public struct DarkRegionInspector: FrameInspector {
    /// Gray level below which a pixel is dark.
    public var threshold: UInt8
    /// Least region size in pixels.
    public var minimumArea: Int

    /// - Parameters: threshold: dark below this gray level; minimumArea: least region size in pixels.
    public init(threshold: UInt8 = 64, minimumArea: Int = 16) {
        self.threshold = threshold
        self.minimumArea = max(1, minimumArea)
    }

    public var preferredFormat: PixelFormat { .gray8 }

    /// - Parameters: image: gray8 (other formats use their first channel); file: copied to the report; threads: unused.
    public func inspect(_ image: DecodedImage, file: String, threads: Int) throws -> FrameReport {
        let px = image.pixels
        let w = px.width, h = px.height, channels = px.format.channels
        var dark = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            let row = y * px.rowStride
            for x in 0..<w where px.bytes[row + x * channels] < threshold { dark[y * w + x] = true }
        }
        var findings: [Finding] = []
        FloodFill.forEachRegion(width: w, height: h, member: { dark[$0] }) { cells, _ in
            let area = cells.count
            var x0 = w, y0 = h, x1 = -1, y1 = -1
            for i in cells {
                let x = i % w, y = i / w
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
            guard area >= minimumArea else { return }
            let bw = x1 - x0 + 1, bh = y1 - y0 + 1
            let elongated = max(bw, bh) >= 3 * min(bw, bh)
            // The box as outline; a crack's length is the box's long side and its width the area over that.
            let box: [[Double]] = [[Double(x0), Double(y0)], [Double(x1 + 1), Double(y0)],
                                   [Double(x1 + 1), Double(y1 + 1)], [Double(x0), Double(y1 + 1)]]
            let long = Double(max(bw, bh))
            findings.append(Finding(defectClass: elongated ? .crack : .leak, confidence: 1,
                                    bbox: BoundingBox(x: x0, y: y0, width: bw, height: bh), outline: box,
                                    lengthPx: elongated ? long : nil, widthPx: elongated ? Double(area) / long : nil,
                                    areaPx: Double(area)))
        }
        return FrameReport(file: file, width: w, height: h, findings: findings)
    }
}
