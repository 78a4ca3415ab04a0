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
let common: [SwiftSetting] = [.strictMemorySafety()]
/// Settings for the compute-heavy targets (kernels, neural network).
var compute: [SwiftSetting] = common
if let cpu = targetCPU {
    compute.append(.unsafeFlags(["-target-cpu", cpu]))
}

/// The products of the package's dependencies that the targets use, each named once.
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
let hummingbirdBcrypt = Target.Dependency.product(name: "HummingbirdBcrypt", package: "hummingbird-auth")
let httpClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let inMemoryLogging = Target.Dependency.product(name: "InMemoryLogging", package: "swift-log")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
/// Only with the `Postgres` trait: without it no target uses postgres-nio, and the package leaves it out.
let postgresNIO = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio",
                                            condition: .when(traits: ["Postgres"]))

/// The modules other packages (the benchmarks) may use, each a library product of its own name.
let libraries = ["ImagingCore", "Codecs", "Metadata", "Kernels", "Filters", "NeuralNet", "Geodesy", "Geo", "Findings",
                 "Inspection", "Reports", "Pipeline", "PavewatchCLI", "Tickets", "ReviewServer", "PostgresStore"]

/// A library target with the settings every Swift target shares.
func module(_ name: String, _ dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, swiftSettings: common)
}

/// `Tests/<name>`, with the shared settings; `fixtures`: its `Fixtures` folder is copied as a resource.
func tests(_ name: String, _ dependencies: [Target.Dependency], fixtures: Bool = false) -> Target {
    .testTarget(name: name, dependencies: dependencies, resources: fixtures ? [.copy("Fixtures")] : nil,
                swiftSettings: common)
}

let package = Package(
    name: "pavewatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pavewatch", targets: ["pavewatch"]),
        .executable(name: "pavewatch-bench", targets: ["pavewatch-bench"]),
        .executable(name: "pavewatch-train", targets: ["pavewatch-train"]),
    ] + libraries.map { .library(name: $0, targets: [$0]) },
    traits: [
        .trait(name: "Postgres",
               description: "The PostgreSQL store (PostgresStore, postgres-nio): --db postgres://..., survey --enqueue, "
                   + "survey status, worker. Without it the build has the SQLite store only."),
        .default(enabledTraits: ["Postgres"]),
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
        module("Codecs", ["ImagingCore", "CTurboJPEG", "CPNG", "Metadata"]),
        module("Metadata"),
        .target(name: "Kernels", dependencies: ["ImagingCore"], swiftSettings: compute),
        .target(name: "Filters", dependencies: ["ImagingCore", "Kernels"], swiftSettings: compute),
        .target(name: "Training", dependencies: ["NeuralNet", "Codecs", "ImagingCore", "Kernels", "Filters", "Inspection"],
                swiftSettings: compute),
        // NeuralNet is optimised in debug builds too: unoptimised SIMD code is ~100x slower, too slow for its tests.
        .target(name: "NeuralNet", swiftSettings: compute + [.unsafeFlags(["-O"], .when(configuration: .debug))]
                + (targetCPU == nil ? [] : [.define("NEURALNET_FMA")])
                + (wideRegisters ? [.define("NEURALNET_WIDE_REGISTERS")] : [])),
        // WGS84, ECEF, local planes, distances, `GeoPoint`: the geodesy every other module shares.
        module("Geodesy"),
        module("Geo", ["Metadata", "Geodesy", yams]),
        module("Findings", ["ImagingCore", "Geodesy"]),
        .target(name: "Inspection", dependencies: ["ImagingCore", "Kernels", "Filters", "NeuralNet", "Metadata",
                                                 "Geo", "Geodesy", "Findings"], swiftSettings: compute),
        module("Pipeline", ["ImagingCore", "Codecs", "Metadata", "Findings", "Tickets", "Geo", "Geodesy", "Inspection",
                            "Reports", logging, prometheus, httpClient, nioCore]),
        // What a survey's stores render: the HTML report, overlay crops, SVG maps, training crops.
        module("Reports", ["ImagingCore", "Codecs", "Findings", "Tickets", "Geodesy"]),
        module("TestSupport", ["ImagingCore"]),

        // Tickets, outbox forwarding and the Open311 server.
        module("Tickets", ["Findings", "Geodesy", crypto, grdb, yams, httpClient, nioCore, logging]),
        // PostgreSQL ticket store and the job queue that `pavewatch worker` drains. Its sources compile only with the
        // Postgres trait (`#if Postgres`); without it the module is empty and the CLI does not link it.
        module("PostgresStore", ["Findings", "Geodesy", "Tickets", postgresNIO, nioCore, nioPosix, logging]),
        module("ReviewServer", ["Findings", "Geodesy", "Tickets", "Reports", "ImagingCore", "Codecs",
                                grdb, hummingbird, hummingbirdBcrypt, nioCore, logging, prometheus]),

        // Command line.
        module("PavewatchCLI", ["ImagingCore", "Codecs", "Metadata", "Findings", "Tickets", "ReviewServer",
                                .target(name: "PostgresStore", condition: .when(traits: ["Postgres"])),
                                "Training", "Pipeline", "Reports", "Geo", "Inspection",
                                prometheus, httpClient, argumentParser, hummingbird, logging]),
        .executableTarget(name: "pavewatch", dependencies: ["PavewatchCLI", argumentParser], swiftSettings: common),
        .executableTarget(name: "pavewatch-train", dependencies: [
            "Findings", "ImagingCore", "Inspection", "NeuralNet", "Training", argumentParser,
        ], swiftSettings: compute),
        .executableTarget(name: "pavewatch-bench", dependencies: [
            "ImagingCore", "Codecs", "Kernels", "Filters", "NeuralNet", "Inspection", argumentParser,
        ], swiftSettings: compute),

        // Tests.
        tests("ImagingCoreTests", ["ImagingCore", "TestSupport"]),
        tests("CodecsTests", ["Codecs", "TestSupport"], fixtures: true),
        tests("MetadataTests", ["Metadata", "TestSupport"], fixtures: true),
        tests("KernelsTests", ["Kernels", "Filters", "TestSupport"], fixtures: true),
        tests("NeuralNetTests", ["NeuralNet", "TestSupport"]),
        tests("TrainingTests", ["Training", "NeuralNet", "Codecs", "ImagingCore", "TestSupport"]),
        tests("GeodesyTests", ["Geodesy"]),
        tests("GeoTests", ["Geo", "Geodesy", "TestSupport"], fixtures: true),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "Codecs", "Filters", "Findings", "ImagingCore", "Kernels", "Training",
                                                            "Metadata", "NeuralNet", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: common),
        tests("PipelineTests", ["Pipeline", "Tickets", "Findings", "Codecs", "ImagingCore", "TestSupport",
                                "Geo", "Geodesy", "Metadata", "Reports", "Inspection", logging]),
        tests("WatchTests", ["TestSupport", "Pipeline", "Reports", "Tickets", "Findings", "Codecs", "ImagingCore", "Geo",
                             "ReviewServer", "PavewatchCLI", "pavewatch",
                             logging, prometheus, hummingbird, hummingbirdTesting, httpClient, nioCore]),
        tests("CLITests", ["PavewatchCLI", "TestSupport", "pavewatch", "pavewatch-train", "Tickets", "Codecs", "ImagingCore", "NeuralNet", grdb]),
        tests("TicketsTests", ["Tickets", "Findings", "Geodesy", "ReviewServer", "pavewatch", "TestSupport", "PostgresStore",
                               grdb, hummingbird, nioCore, logging, inMemoryLogging]),
        tests("PostgresStoreTests", ["PostgresStore", "Tickets", "Findings", "Geodesy", "TestSupport", "pavewatch", "Codecs",
                                     "ImagingCore", logging]),
        tests("ReviewServerTests", ["ReviewServer", "Tickets", "Findings", "Geodesy", "ImagingCore", "Codecs", "PostgresStore",
                                    "TestSupport", grdb, hummingbird, hummingbirdTesting, httpClient, nioHTTP1]),
    ]
)
