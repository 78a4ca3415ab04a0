import Findings
import Foundation
import Geo
import Geodesy
import ImagingCore
import Kernels
import Metadata
import Synchronization

/// Settings of the ``Detector``.
public struct DetectorConfiguration: Sendable {
    /// Model file; nil searches `models/crack-pixel-v2.1.nnw` (see ``CrackModel/locate(_:name:)``).
    public var modelPath: String?
    /// Crack probability a pixel needs to be part of a finding (and the least confidence of a finding).
    public var threshold: Double
    /// Hysteresis: pixels down to this probability join a region that holds at least 8 pixels at or above
    /// ``threshold``; nil: off (a region is the connected pixels at or above the threshold).
    public var lowThreshold: Double?
    /// Shortest crack kept, pixels at working resolution (shorter regions are texture, not cracks).
    public var minimumLengthPx: Double
    /// Least ratio of skeleton length to mean width (0: off): cracks are long and thin, texture blobs are not.
    /// The default 16 was chosen with the tile gate and the least length on the training half of the crack-free
    /// sets and the validation crack photos (models/DETECTOR.md).
    public var minimumElongation: Double = 16
    /// Least mean crack probability over a region for it to become a finding.
    public var minimumConfidence: Double
    /// Tile core size for the probability map.
    public var tileSize: Int
    /// Working resolution: frames with a known ground sampling distance finer than this many millimetres
    /// per pixel are reduced by an integer factor (up to 8) before detection; measurements are reported in
    /// frame pixels either way.
    public var targetGSDMillimetres: Double
    /// Camera overrides for geotagging (focal length, sensor width, height above ground).
    public var cameraOverrides: CameraOverrides
    /// Ground sampling distance to assume, millimetres per pixel, for frames whose metadata give none (a close-up
    /// photo, a camera at a known distance): such frames are then reduced to the working resolution like geotagged
    /// ones, and their findings get lengths in metres, widths in millimetres and areas in square metres, without a
    /// position. nil: they are analysed at their own scale and measured in pixels only.
    public var assumedGSDMillimetres: Double?
    /// Tile-classifier gate: a crack region is kept only when the classifier (``TileGate``) gives at least this
    /// crack probability to one of the 64×64 tiles centred on it; nil turns the gate off. The default 0.98 was
    /// chosen on the training half of the crack-free sets and the validation photos (models/DETECTOR.md).
    public var tileGate: Double?
    /// Widest crack reported, millimetres on the ground (nil: no limit). Applies when the frame's ground sampling
    /// distance is known: a "crack" wider than this is a furrow, joint, kerb line or track, not a pavement crack
    /// (the widest severity class of the LTPP distress manual starts at 19 mm). Default 50.
    public var maximumCrackWidthMm: Double? = 50
    /// Tile classifier file (the crack gate and the leak finder); nil searches `models/crack-v1.0.nnw`.
    public var gatePath: String?
    /// Leak detection with the tile classifier's `leak` class (``LeakFinder``); nil turns it off. The defaults
    /// flag 1.5 % of held-out dry photos and find 2 of 3 held-out leak photos (models/DETECTOR.md, "Leaks").
    public var leaks: LeakConfiguration? = LeakConfiguration()
    /// The surface map (``SurfaceMap``): cracks and leaks are looked for on the paved surface only, and the network
    /// runs only on tiles that hold some (the cascade); nil turns it off (every pixel counts as surface).
    public var surface: SurfaceConfiguration? = SurfaceConfiguration()
    /// Least share of a crack's outline on paved cells of the surface map.
    public var minimumPavedShare: Double = 0.5
    /// The test that tells leaks from shadows, ponds and patches off the pavement (``LeakSurfaceCheck``); used with
    /// the surface map; nil turns it off.
    public var leakCheck: LeakSurfaceCheck? = LeakSurfaceCheck()
    /// Specks (pores, bugholes, stains) capped off the crack map after the network (``CrackMap/Specks``); nil: the
    /// map as the network gives it. The default (parts at ≥ 0.2 shorter than 128 px whose diagonal² is below 6 × their
    /// area) was chosen on the validation sets (models/DETECTOR.md, protocols M and M2).
    public var specks: CrackMap.Specks? = CrackMap.Specks(threshold: 0.2, extent: 128, compactness: 6)

    /// Creates a configuration; the defaults are the tuned ones.
    public init(modelPath: String? = nil, threshold: Double = 0.7, minimumLengthPx: Double = 45,
                minimumConfidence: Double = 0.8, tileSize: Int = 256, targetGSDMillimetres: Double = 1.0,
                cameraOverrides: CameraOverrides = CameraOverrides(), tileGate: Double? = 0.98, gatePath: String? = nil) {
        self.modelPath = modelPath
        self.threshold = threshold
        self.minimumLengthPx = minimumLengthPx
        self.minimumConfidence = minimumConfidence
        self.tileSize = tileSize
        self.targetGSDMillimetres = targetGSDMillimetres
        self.cameraOverrides = cameraOverrides
        self.tileGate = tileGate
        self.gatePath = gatePath
    }
}

/// The crack detector: filter features → per-pixel crack probability (``CrackModel``, tiled without seams by
/// ``CrackMap``) → thresholded mask → connected regions → measured, classified and (when the frame has a
/// position) geotagged ``Finding``s.
public final class Detector: Sendable {
    /// The settings.
    public let configuration: DetectorConfiguration
    /// The per-pixel model.
    public let model: CrackModel
    /// The tile-classifier gate (nil: off).
    public let gate: TileGate?
    /// The leak finder (nil: off, or the classifier has no leak class).
    public let leakFinder: LeakFinder?

    /// Loads the models named by the configuration (or the committed defaults).
    /// - Throws: ``DetectorError`` when a model file is missing or unreadable, naming the places searched.
    public convenience init(configuration: DetectorConfiguration = .init()) throws {
        let classifier = configuration.tileGate == nil && configuration.leaks == nil ? nil
            : try TileGate(path: try CrackModel.locate(configuration.gatePath, name: TileGate.defaultFileName))
        self.init(model: try CrackModel(path: try CrackModel.locate(configuration.modelPath)), gate: classifier,
                  configuration: configuration)
    }

    /// Uses models already in memory.
    /// - Parameters: gate: the tile classifier, used as the crack gate when the configuration's
    ///   ``DetectorConfiguration/tileGate`` is set and for leaks when ``DetectorConfiguration/leaks`` is.
    /// - Precondition: a classifier is given when the configuration asks for the gate or for leaks (a detector that
    ///   silently ran without them would not be the configured one).
    public init(model: CrackModel, gate: TileGate? = nil, configuration: DetectorConfiguration = .init()) {
        precondition(gate != nil || (configuration.tileGate == nil && configuration.leaks == nil),
                     "the configuration asks for the tile gate or leaks: pass the tile classifier as gate")
        self.configuration = configuration
        self.model = model
        self.gate = configuration.tileGate == nil ? nil : gate
        leakFinder = configuration.leaks.flatMap { c in gate.flatMap { LeakFinder(classifier: $0, configuration: c) } }
    }

    /// Time spent per stage of one ``inspect(_:file:threads:)`` call, seconds.
    public struct StageTimes: Sendable {
        public var gray = 0.0, surface = 0.0, probability = 0.0, regions = 0.0, leaks = 0.0, geo = 0.0
        /// Share of the working-resolution pixels whose tile the network ran on (the cascade skips tiles without
        /// paved surface), 0...1.
        public var networkShare = 1.0
        /// All zero.
        public init() {}
        /// Stage names and seconds, in pipeline order.
        public var all: [(String, Double)] {
            [("gray+scale", gray), ("surface map", surface), ("probability map", probability),
             ("regions+measure", regions), ("leaks", leaks), ("geo", geo)]
        }
    }

    /// A cut of paved spans in frame pixels (``SurfaceMap/pavedSpans(x:y:width:height:pad:)``) as a cut of a
    /// working-resolution tile (`factor` frame pixels per working pixel): each working row covers the columns of
    /// the frame rows it reduces, widened outward to whole working pixels.
    static func workingCut(_ frame: (box: (x: Int, y: Int, width: Int, height: Int), spans: [Range<Int>]), factor f: Int,
                           tile: CrackMap.Tile) -> CrackMap.Cut {
        let top = frame.box.y / f, bottom = min(tile.y + tile.h, (frame.box.y + frame.box.height + f - 1) / f)
        let spans = (top..<bottom).map { wy -> Range<Int> in
            var lo = Int.max, hi = Int.min
            for fy in max(frame.box.y, wy * f)..<min(frame.box.y + frame.box.height, wy * f + f) {
                let c = frame.spans[fy - frame.box.y]
                if !c.isEmpty { lo = min(lo, c.lowerBound); hi = max(hi, c.upperBound) }
            }
            return lo <= hi ? max(tile.x, lo / f)..<min(tile.x + tile.w, (hi + f - 1) / f) : 0..<0
        }
        let filled = spans.filter { !$0.isEmpty }
        let left = filled.map(\.lowerBound).min() ?? tile.x, right = filled.map(\.upperBound).max() ?? tile.x
        return CrackMap.Cut(box: (left, top, right - left, bottom - top), spans: spans)
    }

    /// The crack probability map of a working-resolution frame as the detector scores it: the model's map
    /// (``CrackMap/probabilities(_:model:tileSize:threads:engine:active:)``) with the configured specks capped off
    /// (``DetectorConfiguration/specks``). `inspect` and `evaluate` both read it.
    /// - Parameters: input: the frame the model reads (gray for the per-pixel kind, colour for a segmenter);
    ///   threads: ≥ 1; active: the cascade's cut of each tile (nil: every tile).
    public func probabilityMap(_ input: PixelBuffer, threads: Int,
                               active: ((_ x: Int, _ y: Int, _ width: Int, _ height: Int) -> CrackMap.Cut?)? = nil) -> [Float] {
        var prob = CrackMap.probabilities(input, model: model, tileSize: configuration.tileSize, threads: threads,
                                          active: active)
        configuration.specks?.remove(from: &prob, width: input.width, height: input.height)
        return prob
    }

    /// Inspects pixels with their metadata (the position, camera and attitude used for geotagging).
    /// - Parameters: pixels: (H, W) gray8 or rgb8; metadata: EXIF / XMP of the frame (empty: no location);
    ///   crackMap: called with the crack probability map (row-major, 0...1) at the working resolution and its
    ///   width and height, e.g. to save it as an image; surfaceMap: called with the frame's surface map (when on).
    public func inspect(pixels px: PixelBuffer, metadata: ImageMetadata, file: String, threads: Int,
                        times: inout StageTimes,
                        crackMap: ((_ probabilities: [Float], _ width: Int, _ height: Int) -> Void)? = nil,
                        surfaceMap: ((SurfaceMap) -> Void)? = nil) -> FrameReport {
        var clock = Date()
        func lap() -> Double { let now = Date(); defer { clock = now }; return now.timeIntervalSince(clock) }
        let gray = px.format == .gray8 ? px : ColorConversion.gray(px, threads: max(1, threads))
        let geometry = try? FrameGeometry(metadata: metadata, width: px.width, height: px.height,
                                          overrides: configuration.cameraOverrides)
        let gsdMm = geometry?.gsdCentimetresPerPixel.map { $0 * 10 } ?? configuration.assumedGSDMillimetres
        var factor = 1
        if let gsdMm, gsdMm > 0 {
            factor = min(8, max(1, Int(configuration.targetGSDMillimetres / gsdMm)))
        }
        let work = factor > 1 ? Downsample.area(gray, factor: factor, threads: max(1, threads)) : gray
        times.gray = lap()
        let surface = configuration.surface.map { SurfaceMap.compute(px, gsdMillimetres: gsdMm, configuration: $0) }
        if let surface { surfaceMap?(surface) }
        times.surface = lap()
        // The cascade: a tile (working pixels) reaches the network when it holds a paved cell (frame pixels), and
        // on each row the network covers only the columns of the paved cells near that row, one cell wider.
        let active = surface.map { s in { (x: Int, y: Int, w: Int, h: Int) -> CrackMap.Cut? in
            s.pavedSpans(x: x * factor, y: y * factor, width: w * factor, height: h * factor, pad: 1).map { frame in
                Self.workingCut(frame, factor: factor, tile: (x, y, w, h))
            }
        } }
        // The per-pixel model reads the gray working image, a segmenter the colour one.
        let mapInput = model.kind == .pixel || px.format == .gray8 ? work
            : (factor > 1 ? Downsample.areaPerChannel(px, factor: factor, threads: max(1, threads)) : px)
        let prob = probabilityMap(mapInput, threads: max(1, threads), active: active)
        if let active, work.pixelCount > 0 {
            let reached = CrackMap.tiles(width: work.width, height: work.height,
                                         tileSize: CrackMap.tileSize(configuration.tileSize, model: model))
                .compactMap { active($0.x, $0.y, $0.w, $0.h) }.reduce(0) { $0 + $1.pixels }
            times.networkShare = Double(reached) / Double(work.pixelCount)
        }
        times.probability = lap()
        crackMap?(prob, work.width, work.height)
        var findings = regions(prob, width: work.width, height: work.height, factor: Double(factor), gray: work,
                               threads: max(1, threads))
        if let surface {
            findings.removeAll { surface.pavedShare(of: $0.outline) < configuration.minimumPavedShare }
        }
        times.regions = lap()
        var leaksNotLookedFor = false
        if let leakFinder {
            if let reduce = leakFinder.reduction(width: gray.width, height: gray.height, gsdMillimetres: gsdMm) {
                var cells = leakFinder.cellMap(gray, factor: reduce, threads: max(1, threads))
                if let surface { cells = cells.masked(by: surface) }
                findings += leakFinder.findings(cells)
            } else {
                leaksNotLookedFor = true
            }
        }
        times.leaks = lap()
        var report = FrameReport(file: file, width: px.width, height: px.height, findings: [])
        // When the frame was taken (GPS / UTC stamps are true UTC; DateTimeOriginal may be local camera time): the
        // survey's date for forecasts between surveys.
        report.capturedAt = (metadata.gpsTime ?? metadata.utcTime ?? metadata.captureTime)
            .map { $0.formatted(.iso8601) }
        report.surfaceFraction = surface.map { ($0.pavedFraction * 1000).rounded() / 1000 }
        if leaksNotLookedFor { report.leaksNotLookedFor = true }
        if let gsdMm, gsdMm > 0 { report.detectionLimitMm = (gsdMm * Double(factor) * 10).rounded() / 10 }
        if let g = geometry {
            report.findings = findings
            Self.place(&report, geometry: g)
            findings = report.findings
            let corners: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(Double(px.width), 0),
                                            SIMD2(Double(px.width), Double(px.height)), SIMD2(0, Double(px.height))]
            if let area = try? g.areaSquareMetres(ofPolygon: corners) {
                report.surveyedAreaM2 = (area * (surface?.pavedFraction ?? 1) * 10).rounded() / 10
            }
        } else {
            report.noLocation = true
            if let assumed = configuration.assumedGSDMillimetres, assumed > 0 {
                report.gsdCmPerPx = assumed / 10
                for i in findings.indices {
                    Self.measure(&findings[i], metresPerPixel: assumed / 1000)
                    findings[i].areaM2 = findings[i].areaPx.map { ($0 * assumed * assumed / 1e6 * 10000).rounded() / 10000 }
                }
            }
        }
        if let surface, let check = configuration.leakCheck {
            findings.removeAll { $0.defectClass == .leak && check.verdict($0, surface: surface) != .leak }
        }
        if let widest = configuration.maximumCrackWidthMm {
            findings.removeAll { $0.defectClass == .crack && ($0.widthMm ?? 0) > widest }
        }
        report.findings = findings
        times.geo = lap()
        return report
    }

    /// Findings from a probability map.
    /// - Parameters: prob: `height × width` probabilities; factor: frame pixels per map pixel; gray: the
    ///   map's gray image, for the tile gate and the crack width (nil: no gate, width from the region).
    public func regions(_ prob: [Float], width: Int, height: Int, factor: Double = 1, gray: PixelBuffer? = nil,
                        threads: Int = 1) -> [Finding] {
        let t = Float(configuration.threshold), low = Float(min(configuration.lowThreshold ?? 1, configuration.threshold))
        var mask = BinaryMask(width: width, height: height)
        for i in prob.indices where prob[i] >= low { mask.bits[i] = 1 }
        let cc = ConnectedComponents(mask)
        let components = cc.components.filter { $0.area >= 8 }, configuration = self.configuration
        // 1. Each region on its own (in parallel): confidence, shape, and the tiles the gate will look at.
        let candidates = Self.parallelMap(components.count, threads: threads) { i -> RegionCandidate? in
            let c = components[i]
            var sum = 0.0, strong = 0
            for y in c.minY...c.maxY { for x in c.minX...c.maxX where cc.labels[y * width + x] == c.label {
                sum += Double(prob[y * width + x])
                if prob[y * width + x] >= t { strong += 1 }
            } }
            guard strong >= 8, sum / Double(c.area) >= configuration.minimumConfidence else { return nil }
            var (crop, ox, oy) = cc.mask(of: c)
            Self.fillSmallHoles(&crop, maximumArea: 24)
            let m = RegionMeasurement(crop, origin: SIMD2(ox, oy))
            guard m.lengthPx >= configuration.minimumLengthPx,
                  m.lengthPx >= configuration.minimumElongation * max(1, m.meanWidthPx) else { return nil }
            // Tiles centred on up to 8 region pixels spread over the region (in label scan order).
            var pts: [SIMD2<Int>] = []
            for y in c.minY...c.maxY { for x in c.minX...c.maxX where cc.labels[y * width + x] == c.label {
                pts.append(SIMD2(x, y))
            } }
            let k = min(8, max(1, Int(m.lengthPx / 32)))
            let centres = (0..<k).map { pts[min(pts.count - 1, ($0 * 2 + 1) * pts.count / (2 * k))] }
            return RegionCandidate(component: c, sum: sum, crop: crop, origin: SIMD2(ox, oy), measurement: m, centres: centres)
        }.compactMap { $0 }
        // 2. The tile gate, one batch for every candidate's tiles (one network, not one per region).
        var kept = candidates
        if let gate, let g = gray, let least = configuration.tileGate {
            let p = gate.crackProbabilities(g, centres: candidates.flatMap(\.centres), threads: threads)
            var next = 0
            kept = candidates.filter { cand in
                defer { next += cand.centres.count }
                return Double(p[next..<(next + cand.centres.count)].max() ?? 0) >= least
            }
        }
        // 3. Widths and findings (in parallel), in the regions' order.
        let out = Self.parallelMap(kept.count, threads: threads) { i -> Finding? in
            let cand = kept[i], c = cand.component, m = cand.measurement
            // Width from the gray levels across the crack where it is dark enough, else from the region.
            let grayWidth = gray.flatMap {
                CrackWidth.equivalent(gray: $0, region: cand.crop, origin: cand.origin, centreLine: m.centreLine,
                                      lengthPx: m.lengthPx)
            }
            let width = grayWidth.map { min($0, m.maxWidthPx) } ?? m.meanWidthPx
            let f = factor
            return Finding(
                defectClass: .crack, subtype: Self.subtype(m, bboxArea: Double(c.width * c.height)),
                confidence: (cand.sum / Double(c.area) * 1000).rounded() / 1000,
                bbox: BoundingBox(x: Int(Double(c.minX) * f), y: Int(Double(c.minY) * f),
                                  width: Int((Double(c.width) * f).rounded()), height: Int((Double(c.height) * f).rounded())),
                outline: m.outline.map { [($0.x * f * 10).rounded() / 10, ($0.y * f * 10).rounded() / 10] },
                lengthPx: (m.lengthPx * f * 10).rounded() / 10, widthPx: (width * f * 100).rounded() / 100,
                areaPx: Double(m.areaPx) * f * f)
        }.compactMap { $0 }
        return out.sorted { $0.confidence * ($0.lengthPx ?? 0) > $1.confidence * ($1.lengthPx ?? 0) }
    }

    /// A region that passed the confidence and shape tests, before the tile gate.
    private struct RegionCandidate: @unchecked Sendable {
        let component: Component
        let sum: Double
        let crop: BinaryMask
        let origin: SIMD2<Int>
        let measurement: RegionMeasurement
        let centres: [SIMD2<Int>]
    }

    /// `body(i)` for `i` in `0..<count` over `threads` workers (index `w`, `w + threads`, …), results in index order:
    /// the same list for any number of threads.
    private static func parallelMap<T: Sendable>(_ count: Int, threads: Int, _ body: @escaping (Int) -> T) -> [T] {
        let workers = max(1, min(threads, count))
        guard workers > 1 else { return (0..<count).map(body) }
        let parts = Mutex<[Int: [T]]>([:])
        nonisolated(unsafe) let run = body
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let mine = stride(from: w, to: count, by: workers).map(run)
            parts.withLock { $0[w] = mine }
        }
        let all = parts.withLock { $0 }
        return (0..<count).map { i in all[i % workers]![i / workers] }
    }

    /// Fills enclosed background pockets of at most `maximumArea` pixels (threshold noise inside a wide crack,
    /// not cells of a crack network).
    static func fillSmallHoles(_ m: inout BinaryMask, maximumArea: Int) {
        let bits = m.bits
        var fill: [Int] = []
        FloodFill.forEachRegion(width: m.width, height: m.height, member: { bits[$0] == 0 }) { cells, touches in
            if !touches && cells.count <= maximumArea { fill += cells }
        }
        for i in fill { m.bits[i] = 1 }
    }

    /// Crack subtype from the region's shape. Image convention: the direction of travel runs along the image's
    /// y axis (camera looking along the road, or a drone flying up the image), so a crack along y is
    /// longitudinal and one along x transverse. Three or more enclosed cells make a network: alligator when the
    /// cells are small (cell side under 25 crack widths), block otherwise; one or two cells are block.
    static func subtype(_ m: RegionMeasurement, bboxArea: Double) -> String {
        if m.holes >= 3 {
            let cellSide = (bboxArea / Double(m.holes + 1)).squareRoot()
            return cellSide < 25 * max(1, m.meanWidthPx) ? "alligator" : "block"
        }
        if m.holes >= 1 { return "block" }
        let d = m.orientationDeg
        return abs(d - 90) <= 45 ? "longitudinal" : "transverse"
    }

    /// A crack's length in metres and width in millimetres from its pixel measures.
    static func measure(_ f: inout Finding, metresPerPixel gsd: Double) {
        measure(&f, along: gsd, across: gsd)
    }

    /// A crack's length in metres and width in millimetres from its pixel measures, with the ground scale along the
    /// crack and across it (they differ on an oblique view: a forward-looking camera sees a transverse crack at a
    /// finer scale than the road ahead).
    static func measure(_ f: inout Finding, along: Double, across: Double) {
        if let l = f.lengthPx { f.lengthM = (l * along * 1000).rounded() / 1000 }
        if let w = f.widthPx { f.widthMm = (w * across * 10000).rounded() / 10 }
    }

    /// The unit direction of an outline's long axis (its points' principal axis), nil for fewer than two points.
    static func principalAxis(_ outline: [[Double]]) -> SIMD2<Double>? {
        let pts = outline.compactMap { $0.count >= 2 ? SIMD2($0[0], $0[1]) : nil }
        guard pts.count >= 2 else { return nil }
        let mean = pts.reduce(SIMD2<Double>(0, 0), +) / Double(pts.count)
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        for p in pts {
            let d = p - mean
            sxx += d.x * d.x
            syy += d.y * d.y
            sxy += d.x * d.y
        }
        guard sxx + syy > 0 else { return nil }
        let θ = atan2(2 * sxy, sxx - syy) / 2
        return SIMD2(cos(θ), sin(θ))
    }

    /// Puts a frame on the ground: the camera's position and height, the GSD at the image centre, the footprint, and
    /// every finding not yet geotagged (``geotag(_:geometry:)``). Used by `inspect` and for video frames whose
    /// inspector does not geotag.
    /// - Parameters: report: the frame's report; g: its geometry.
    public static func place(_ report: inout FrameReport, geometry g: FrameGeometry) {
        report.latitude = g.pose.latitude
        report.longitude = g.pose.longitude
        report.altitudeM = g.pose.heightAboveGround
        report.gsdCmPerPx = g.gsdCentimetresPerPixel
        report.footprint = g.footprint().compactMap { $0.count >= 2 ? GeoPoint(latitude: $0[1], longitude: $0[0]) : nil }
        report.noLocation = nil
        for i in report.findings.indices where report.findings[i].location == nil {
            geotag(&report.findings[i], geometry: g)
        }
    }

    /// Adds position, uncertainty and ground units to a finding; pixels the geometry refuses leave them absent.
    /// The one geotagger of frames and fixed cameras alike (`inspect`, `survey`, `worker`, `watch`): position of the
    /// box's centre, crack length in metres and width in millimetres from the local ground sampling distance along and
    /// across the outline's long axis, and the outline's ground polygon and area.
    /// - Parameters: f: a finding in frame pixels; g: the frame's or the fixed camera's projection.
    public static func geotag(_ f: inout Finding, geometry g: some GroundProjection) {
        let cx = Double(f.bbox.x) + Double(f.bbox.width) / 2, cy = Double(f.bbox.y) + Double(f.bbox.height) / 2
        guard let c = try? g.coordinate(x: cx, y: cy) else { return }
        f.latitude = c.latitude
        f.longitude = c.longitude
        f.uncertaintyM = (try? g.locationUncertainty(x: cx, y: cy)).map { ($0 * 100).rounded() / 100 }
        if let axis = principalAxis(f.outline), let along = try? g.groundSampleDistance(x: cx, y: cy, along: axis),
           let across = try? g.groundSampleDistance(x: cx, y: cy, along: SIMD2(-axis.y, axis.x))
        {
            measure(&f, along: along, across: across)
        } else if let gsd = try? g.groundSampleDistance(x: cx, y: cy) {
            measure(&f, metresPerPixel: gsd)
        }
        let pts = f.outline.map { SIMD2<Double>($0[0], $0[1]) }
        if pts.count >= 3 {
            f.areaM2 = (try? g.areaSquareMetres(ofPolygon: pts)).map { ($0 * 10000).rounded() / 10000 }
            if let ring = try? g.outline(pts) {
                f.geoOutline = GeoOutline(kind: .polygon, points: ring.map { GeoPoint(latitude: $0[1], longitude: $0[0]) })
            }
        }
    }
}
