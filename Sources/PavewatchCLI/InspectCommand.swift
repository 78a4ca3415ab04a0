import ArgumentParser
import Codecs
import Findings
import Foundation
import ImagingCore
import Inspection

/// `pavewatch inspect IMAGE [--json] [--overlay OUT.png] [--map MAP.png] [--threshold T] [--gsd MM] [--model FILE]`.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Find and measure cracks and leaks in one frame.",
        discussion: """
        Prints one line per finding (class, subtype, confidence, crack length and width or leak area in pixels,
        and metres / millimetres / square metres when the frame has a position), or with --json the frame report.
        A frame without a position still gets its findings, without latitude/longitude. The crack model is
        models/crack-pixel-v2.1.nnw, found from the current directory, $PAVEWATCH_MODELS or the repository the
        executable was built in; --model models/crack-pixel-uav75-v1.nnw suits UAS imagery of concrete with
        planking. A model file may carry its own detector settings (the UAV75 model turns the tile gate off).
        Leaks come from the tile classifier models/crack-v1.0.nnw (none on frames coarser than 2 cm/px).
        Frames with a known ground sampling distance (from their metadata, or --gsd) are reduced to about
        1 mm/px before detection; measurements are reported in the frame's pixels either way.
        """)

    @Argument(help: "JPEG or PNG frame.")
    var image: String

    @Flag(help: "Print the frame report as JSON.")
    var json = false

    @Option(help: "Write the frame with the findings drawn on it and the cells off the paved surface shaded (PNG).")
    var overlay: String?

    @Option(help: "Write the crack probability map (white = crack, at the working resolution) as a gray PNG, and beside it MAP-surface.png, the surface map (gray paved; green vegetation, magenta vivid, brown soil, blue rough).")
    var map: String?

    @Option(help: "Crack probability threshold, 0...1 (default: the model's, 0.7 for the default model, tuned on the validation split).")
    var threshold: Double?

    @Option(help: ArgumentHelp("Ground sampling distance in mm per pixel for a frame whose metadata give none (a close-up photo): scales it like a geotagged frame and reports metres and millimetres, without a position.", valueName: "mm"))
    var gsd: Double?

    @Option(help: "Crack model file (.nnw).")
    var model: String?

    @OptionGroup(title: "Camera") var camera: CameraOverrideOptions

    @Flag(help: "Look for defects everywhere in the frame, not only on the paved surface the surface map finds.")
    var noSurfaceMap = false

    @Flag(help: "Print the time of each stage and the share of pixels the network ran on to standard error.")
    var timings = false

    @Option(help: "Threads (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if let t = threshold, !(0...1).contains(t) { throw ValidationError("--threshold must be within 0...1") }
        if let g = gsd, !(g > 0 && g <= 1000) { throw ValidationError("--gsd must be more than 0 and at most 1000 mm per pixel") }
    }

    func run() async throws {
        let detector: Detector
        do {
            var config = try DetectorConfiguration.forModel(at: model)
            if let threshold { config.threshold = threshold }
            config.assumedGSDMillimetres = gsd
            config.cameraOverrides = camera.overrides
            if noSurfaceMap { config.surface = nil }
            detector = try Detector(configuration: config)
        } catch { throw CommandFailure("\(error)") }
        let decoded: DecodedImage
        do { decoded = try ImageDecoder.decode(path: image) } catch { throw CommandFailure("\(image): \(error)") }
        var times = Detector.StageTimes()
        var probabilities: PixelBuffer?
        var surface: SurfaceMap?
        let report = detector.inspect(pixels: decoded.pixels, metadata: decoded.metadata, file: image,
                                      threads: max(1, threads), times: &times, crackMap: { p, w, h in
            guard map != nil else { return }
            var img = PixelBuffer(width: w, height: h, format: .gray8)
            for y in 0..<h { for x in 0..<w { img.bytes[y * img.rowStride + x] = UInt8((p[y * w + x] * 255).rounded()) } }
            probabilities = img
        }, surfaceMap: { surface = $0 })
        if timings {
            var line = times.all.map { "\($0.0) \(Int(($0.1 * 1000).rounded())) ms" }.joined(separator: ", ")
            line += ", network on \(Int((times.networkShare * 100).rounded())) % of pixels"
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if let map, let probabilities {
            try Data(try ImageEncoder.png(probabilities)).write(to: URL(fileURLWithPath: map))
            if let surface {
                let path = (map as NSString).deletingPathExtension + "-surface.png"
                try Data(try ImageEncoder.png(Overlay.surfaceImage(surface))).write(to: URL(fileURLWithPath: path))
            }
        }
        if let overlay {
            let drawn = Overlay.draw(report.findings, on: decoded.pixels, surface: surface)
            try Data(try ImageEncoder.png(drawn)).write(to: URL(fileURLWithPath: overlay))
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        print("\(image): \(report.width)x\(report.height), \(report.findings.count) finding(s)"
              + (report.latitude == nil ? ", no location" : ""))
        var scene: [String] = []
        if let s = report.surfaceFraction { scene.append("paved surface \(Int((s * 100).rounded())) % of the frame") }
        if let a = report.surveyedAreaM2 { scene.append("\(a) m² surveyed") }
        if let d = report.detectionLimitMm { scene.append("detection limit \(d) mm") }
        if report.leaksNotLookedFor == true {
            scene.append("leaks not looked for (the frame is coarser than the leak finder's \(Int(LeakConfiguration().maximumGSDMillimetres)) mm/px)")
        }
        if !scene.isEmpty { print(scene.joined(separator: ", ")) }
        for f in report.findings {
            var line = "\(f.defectClass.rawValue) \(f.subtype ?? "-") confidence \(f.confidence)"
            switch f.defectClass {
            case .crack: line += " length \(f.lengthPx ?? 0) px width \(f.widthPx ?? 0) px"
            case .leak: line += " area \(Int(f.areaPx ?? 0)) px"
            }
            line += " bbox \(f.bbox.x),\(f.bbox.y) \(f.bbox.width)x\(f.bbox.height)"
            if let lat = f.latitude, let lon = f.longitude { line += " at \(lat), \(lon)" }
            if let l = f.lengthM, let w = f.widthMm { line += " \(l) m x \(w) mm" }
            if f.defectClass == .leak, let a = f.areaM2 { line += " \(a) m²" }
            print(line)
        }
    }
}
