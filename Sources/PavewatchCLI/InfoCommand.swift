import ArgumentParser
import Codecs
import Foundation
import Geo
import Metadata

/// `pavewatch info IMAGE...`: size, camera and position of each frame.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print size, camera, position and capture time of images.",
        discussion: """
        Reads only the headers and metadata (EXIF, GPS, DJI / senseFly / Autel XMP), not the pixels.
        A file that cannot be read is reported on standard error with the reason; the others still
        print, and the exit status is 1.
        """)

    @Argument(help: "JPEG or PNG files, or folders (searched recursively).")
    var images: [String]

    @Flag(help: "One JSON object per file (JSON Lines) instead of a table.")
    var json = false

    @Option(help: "Also write the ground footprints of the frames as a GeoJSON FeatureCollection to this file ('-' for standard output).")
    var geojson: String?

    @OptionGroup var camera: CameraOverrideOptions

    func run() async throws {
        let files = ImageFiles.expand(images)
        var rows: [FrameInfo] = []
        var failures = 0
        for file in files {
            do {
                rows.append(try FrameInfo.read(path: file, overrides: camera.overrides))
            } catch {
                failures += 1
                CLIOutput.error("\(file): \(error)")
            }
            if json, let last = rows.last, last.file == file {
                CLIOutput.printJSONLine(last)
            }
        }
        if !json && geojson != "-" { CLIOutput.printTable(FrameInfo.tableHeader, rows.map(\.tableRow)) }
        if let geojson {
            let features = rows.map { r in
                GeoJSON.Feature(ring: r.footprint ?? [], properties: [
                    "file": .string(r.file), "width": .number(Double(r.width)), "height": .number(Double(r.height)),
                    "gsdCmPerPx": r.gsdCmPerPx.map { .number($0) } ?? .null,
                ])
            }
            let text = GeoJSON.featureCollection(features)
            if geojson == "-" { print(text) } else { try Data(text.utf8).write(to: URL(fileURLWithPath: geojson), options: .atomic) }
        }
        if files.isEmpty { throw CommandFailure("no JPEG or PNG files found in \(images.joined(separator: ", "))") }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// What `pavewatch info` reports about one file.
struct FrameInfo: Codable, Sendable {
    var file: String
    var width: Int
    var height: Int
    var format: String
    var latitude: Double?
    var longitude: Double?
    var gpsAltitude: Double?
    var relativeAltitude: Double?
    var gimbalPitch: Double?
    var gimbalYaw: Double?
    var flightYaw: Double?
    var make: String?
    var model: String?
    var focalLength: Double?
    var focalLength35mm: Double?
    var captureTime: Date?
    /// Ground sampling distance at the image centre, cm per pixel (needs height above ground and the camera).
    var gsdCmPerPx: Double?
    /// Ground footprint corners as [longitude, latitude].
    var footprint: [[Double]]?
    /// Why GSD / footprint are missing, when they are.
    var geoProblem: String?

    /// Reads the header and metadata of one file. The decoded pixel size wins over EXIF dimensions,
    /// and EXIF orientations 5–8 swap width and height as the decoder does.
    static func read(path: String, overrides: CameraOverrides = CameraOverrides()) throws -> FrameInfo {
        let bytes = try ImageDecoder.readFile(path)
        switch ImageFileFormat.sniff(bytes) {
        case .jpeg:
            let header = try JPEGDecoder.readHeader(bytes)
            let meta = (try? ImageMetadata.parse(jpeg: bytes)) ?? ImageMetadata()
            let swap = (meta.orientation ?? 1) >= 5 && (meta.orientation ?? 1) <= 8
            var info = FrameInfo(file: path, width: swap ? header.height : header.width,
                                 height: swap ? header.width : header.height, format: "jpeg", metadata: meta)
            let geo = FrameGeometry.summary(metadata: meta, width: info.width, height: info.height, overrides: overrides)
            info.gsdCmPerPx = geo.gsdCmPerPx
            info.footprint = geo.footprint
            info.geoProblem = geo.problem
            return info
        case .png:
            let size = try PNGDecoder.readSize(bytes)
            return FrameInfo(file: path, width: size.width, height: size.height, format: "png", metadata: ImageMetadata())
        case nil:
            throw bytes.isEmpty ? CodecError.empty : CodecError.unrecognizedFormat
        }
    }

    init(file: String, width: Int, height: Int, format: String, metadata m: ImageMetadata) {
        self.file = file
        self.width = width
        self.height = height
        self.format = format
        latitude = m.latitude
        longitude = m.longitude
        gpsAltitude = m.gpsAltitude
        // DJI fields first; Autel / Pix4D (`Camera:`, pitch 0 = nadir) and senseFly fields otherwise,
        // reported in DJI's convention (gimbal pitch -90 = straight down).
        relativeAltitude = m.relativeAltitude ?? m.aboveGroundAltitude ?? m.heightAboveTakeoff
        gimbalPitch = m.gimbalPitch ?? m.cameraPitch.map { $0 - 90 }
        gimbalYaw = m.gimbalYaw ?? m.cameraYaw
        flightYaw = m.flightYaw ?? m.heading
        make = m.make
        model = m.model
        focalLength = m.focalLength
        focalLength35mm = m.focalLength35mm
        // GPS / UTC time stamps are true UTC; DateTimeOriginal is local camera time unless it carries an offset.
        captureTime = m.gpsTime ?? m.utcTime ?? m.captureTime
    }

    static let tableHeader = ["file", "size", "camera", "latitude", "longitude", "rel alt m", "gimbal p/y", "GSD cm/px",
                              "captured"]

    var tableRow: [String] {
        func f(_ v: Double?, _ digits: Int) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        let camera = (model.map { m in make.map { m.hasPrefix($0) ? m : "\($0) \(m)" } ?? m } ?? make) ?? ""
        let gimbal = (gimbalPitch == nil && gimbalYaw == nil) ? "-" : "\(f(gimbalPitch, 1))/\(f(gimbalYaw, 1))"
        return [(file as NSString).lastPathComponent, "\(width)x\(height)", camera.isEmpty ? "-" : camera,
                f(latitude, 6), f(longitude, 6), f(relativeAltitude, 1), gimbal, f(gsdCmPerPx, 2),
                captureTime.map { CLIOutput.iso8601($0) } ?? "-"]
    }
}
