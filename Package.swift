// swift-tools-version: 6.2
// Pavewatch: pavement crack and leak detection from drone and camera imagery.
//
// Build option (see README "Build options" and Benchmarks/README.md): PAVEWATCH_TARGET_CPU picks the CPU the
// compute targets (Kernels, Filters, NeuralNet, ImagingCore, Inspection, pavewatch-bench) are compiled for, so
// LLVM vectorises to that machine's register width. The default is the machine that builds (the fast code a user
// gets from `swift build -c release` / `swift run -c release` without a flag):
//   swift build -c release                                  # this machine (AVX2 or AVX-512); not portable
//   PAVEWATCH_TARGET_CPU=x86-64-v3 ...                      # AVX2 machines (mapped to haswell)
//   PAVEWATCH_TARGET_CPU=portable ...                       # binaries that travel: Swift's x86-64 baseline, SSE2 swiftc's -target-cpu takes
// LLVM CPU names (native, haswell, skylake-avx512, znver4, ...) but not the psABI levels, so those are mapped.
import PackageDescription
import Foundation

let targetCPU: String? = {
    let raw = ProcessInfo.processInfo.environment["PAVEWATCH_TARGET_CPU"] ?? ""
    let levels = ["x86-64-v2": "nehalem", "x86-64-v3": "haswell", "x86-64-v4": "skylake-avx512"]
    switch raw {
    case "": return "native"
    case "portable", "baseline": return nil
    default: return levels[raw] ?? raw
    }
}()

/// Whether the target CPU has AVX-512's 32 registers of 16 floats: NeuralNet's matrix kernel then keeps its whole
/// 8×32 block in registers (`-D NEURALNET_WIDE_REGISTERS`); on AVX2, arm64 and the portable build it runs the block
/// in four passes that fit 16 registers (see `GEMM.kernel` in `Sources/NeuralNet/StorageGEMM.swift`).
let wideRegisters: Bool = {
    guard let cpu = targetCPU else { return false }
    if cpu == "native" {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("avx512f")
    }
    let avx512 = ["skylake-avx512", "cascadelake", "cooperlake", "cannonlake", "icelake-client", "icelake-server",
                  "tigerlake", "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids", "znver4", "znver5"]
    return avx512.contains(cpu)
}()

/// Settings shared by every Swift target.
var common: [SwiftSetting] = [.strictMemorySafety()]
/// Settings for the compute-heavy targets (kernels, neural network).
var compute: [SwiftSetting] = common
if let cpu = targetCPU {
    compute.append(.unsafeFlags(["-target-cpu", cpu]))
}

let package = Package(
    name: "pavewatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pavewatch", targets: ["pavewatch"]),
        .executable(name: "pavewatch-bench", targets: ["pavewatch-bench"]),
        .executable(name: "pavewatch-train", targets: ["pavewatch-train"]),
        .library(name: "ImagingCore", targets: ["ImagingCore"]),
        .library(name: "Codecs", targets: ["Codecs"]),
        .library(name: "Metadata", targets: ["Metadata"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Filters", targets: ["Filters"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Geodesy", targets: ["Geodesy"]),
        .library(name: "Geo", targets: ["Geo"]),
        .library(name: "Findings", targets: ["Findings"]),
        .library(name: "Inspection", targets: ["Inspection"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "PavewatchCLI", targets: ["PavewatchCLI"]),
        .library(name: "Tickets", targets: ["Tickets"]),
        .library(name: "ReviewServer", targets: ["ReviewServer"]),
        .library(name: "PostgresStore", targets: ["PostgresStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C libraries (system packages).
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16",
                       providers: [.apt(["libpng-dev"])]),

        // Core value types.
        .target(name: "ImagingCore", swiftSettings: compute),
        .target(name: "Codecs", dependencies: ["ImagingCore", "CTurboJPEG", "CPNG", "Metadata"],
                swiftSettings: common),
        .target(name: "Metadata", swiftSettings: common),
        .target(name: "Kernels", dependencies: ["ImagingCore"], swiftSettings: compute),
        .target(name: "Filters", dependencies: ["ImagingCore", "Kernels"], swiftSettings: compute),
        .target(name: "Training", dependencies: ["NeuralNet", "Codecs", "ImagingCore", "Kernels", "Filters", "Inspection"],
                swiftSettings: compute),
        // NeuralNet is optimised in debug builds too: unoptimised SIMD code is ~100x slower, too slow for its tests.
        .target(name: "NeuralNet", swiftSettings: compute + [.unsafeFlags(["-O"], .when(configuration: .debug))]
                + (targetCPU == nil ? [] : [.define("NEURALNET_FMA")])
                + (wideRegisters ? [.define("NEURALNET_WIDE_REGISTERS")] : [])),
        // WGS84, ECEF, local planes, distances, `GeoPoint`: the geodesy every other module shares.
        .target(name: "Geodesy", swiftSettings: common),
        .target(name: "Geo", dependencies: ["Metadata", "Geodesy", .product(name: "Yams", package: "Yams")],
                swiftSettings: common),
        .target(name: "Findings", dependencies: ["Geodesy"], swiftSettings: common),
        .target(name: "Inspection", dependencies: ["ImagingCore", "Kernels", "Filters", "NeuralNet", "Metadata",
                                                 "Geo", "Geodesy", "Findings"], swiftSettings: compute),
        .target(name: "Pipeline", dependencies: [
            "ImagingCore", "Codecs", "Metadata", "Findings", "Tickets", "Geo", "Geodesy", "Inspection", "Reports",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: common),
        // What a survey's stores render: the HTML report, overlay crops, SVG maps, training crops.
        .target(name: "Reports", dependencies: ["ImagingCore", "Codecs", "Findings", "Tickets", "Geodesy"],
                swiftSettings: common),
        .target(name: "TestSupport", dependencies: ["ImagingCore"], swiftSettings: common),

        // Tickets, outbox forwarding and the Open311 server.
        .target(name: "Tickets", dependencies: [
            "Findings", "Geodesy",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: common),
        // PostgreSQL ticket store and the job queue that `pavewatch worker` drains.
        .target(name: "PostgresStore", dependencies: [
            "Findings", "Geodesy", "Tickets",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: common),
        .target(name: "ReviewServer", dependencies: [
            "Findings", "Geodesy", "Tickets", "Reports", "ImagingCore", "Codecs",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], swiftSettings: common),

        // Command line.
        .target(name: "PavewatchCLI", dependencies: [
            "ImagingCore", "Codecs", "Metadata",
            "Findings", "Tickets", "ReviewServer", "PostgresStore",
            "Training", "Pipeline", "Reports", "Geo", "Inspection",
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: common),
        .executableTarget(name: "pavewatch", dependencies: [
            "PavewatchCLI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: common),
        .executableTarget(name: "pavewatch-train", dependencies: [
            "Findings", "ImagingCore", "Inspection", "NeuralNet", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: compute),
        .executableTarget(name: "pavewatch-bench", dependencies: [
            "ImagingCore", "Codecs", "Kernels", "Filters", "NeuralNet", "Inspection",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: compute),

        // Tests.
        .testTarget(name: "ImagingCoreTests", dependencies: ["ImagingCore", "TestSupport"], swiftSettings: common),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: common),
        .testTarget(name: "MetadataTests", dependencies: ["Metadata", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: common),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "Filters", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: common),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"], swiftSettings: common),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "NeuralNet", "Codecs", "ImagingCore", "TestSupport"],
                    swiftSettings: common),
        .testTarget(name: "GeodesyTests", dependencies: ["Geodesy"], swiftSettings: common),
        .testTarget(name: "GeoTests", dependencies: ["Geo", "Geodesy", "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: common),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Codecs", "Filters", "Findings", "ImagingCore", "Kernels", "Training",
                                                            "Metadata", "NeuralNet", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: common),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Tickets", "Findings", "Codecs", "ImagingCore", "TestSupport",
                                                        "Geo", "Geodesy", "Metadata", "Reports", "Inspection", .product(name: "Logging", package: "swift-log")], swiftSettings: common),
        .testTarget(name: "WatchTests", dependencies: [
            "TestSupport", "Pipeline", "Reports", "Tickets", "Findings", "Codecs", "ImagingCore", "Geo", "ReviewServer", "PavewatchCLI", "pavewatch",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: common),
        .testTarget(name: "CLITests", dependencies: ["PavewatchCLI", "TestSupport", "pavewatch", "Tickets", "Codecs", "ImagingCore",
                                                     .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: common),
        .testTarget(name: "TicketsTests", dependencies: [
            "Tickets", "Findings", "Geodesy", "ReviewServer", "pavewatch", "TestSupport", "PostgresStore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "InMemoryLogging", package: "swift-log"),
        ], swiftSettings: common),
        .testTarget(name: "PostgresStoreTests", dependencies: [
            "PostgresStore", "Tickets", "Findings", "Geodesy", "TestSupport", "pavewatch", "Codecs", "ImagingCore",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: common),
        .testTarget(name: "ReviewServerTests", dependencies: [
            "ReviewServer", "Tickets", "Findings", "Geodesy", "ImagingCore", "Codecs", "PostgresStore", "TestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: common),
    ]
)
