// swift-tools-version: 6.2
// Pavewatch: pavement crack and leak detection from drone and camera imagery.
//
// Build option (see README "Build options" and Benchmarks/README.md): PAVEWATCH_TARGET_CPU picks the CPU the
// compute targets (Kernels, Filters, NeuralNet, ImagingCore, Inspection, pavewatch-bench) are compiled for, so
// LLVM vectorises to that machine's register width:
//   PAVEWATCH_TARGET_CPU=native swift build -c release      # this machine (AVX-512 here); not portable
//   PAVEWATCH_TARGET_CPU=x86-64-v3 ...                      # AVX2 machines (mapped to haswell)
// Unset, empty or `portable`, the build is portable (Swift's x86-64 baseline, SSE2). swiftc's -target-cpu takes
// LLVM CPU names (native, haswell, skylake-avx512, znver4, ...) but not the psABI levels, so those are mapped.
import PackageDescription
import Foundation

let targetCPU: String? = {
    let raw = ProcessInfo.processInfo.environment["PAVEWATCH_TARGET_CPU"] ?? ""
    let levels = ["x86-64-v2": "nehalem", "x86-64-v3": "haswell", "x86-64-v4": "skylake-avx512"]
    switch raw {
    case "", "portable", "baseline": return nil
    default: return levels[raw] ?? raw
    }
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
        .library(name: "ImagingCore", targets: ["ImagingCore"]),
        .library(name: "Codecs", targets: ["Codecs"]),
        .library(name: "Metadata", targets: ["Metadata"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Filters", targets: ["Filters"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Geo", targets: ["Geo"]),
        .library(name: "Findings", targets: ["Findings"]),
        .library(name: "Inspection", targets: ["Inspection"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "PavewatchCLI", targets: ["PavewatchCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        .target(name: "NeuralNet", swiftSettings: compute),
        .target(name: "Geo", dependencies: ["Metadata"], swiftSettings: common),
        .target(name: "Findings", swiftSettings: common),
        .target(name: "Inspection", dependencies: ["ImagingCore"], swiftSettings: compute),
        .target(name: "Pipeline", dependencies: [
            "ImagingCore", "Codecs", "Metadata",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: common),
        .target(name: "TestSupport", dependencies: ["ImagingCore"], swiftSettings: common),

        // Command line.
        .target(name: "PavewatchCLI", dependencies: [
            "ImagingCore", "Codecs", "Metadata",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: common),
        .executableTarget(name: "pavewatch", dependencies: [
            "PavewatchCLI", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: common),
        .executableTarget(name: "pavewatch-bench", dependencies: [
            "ImagingCore", "Codecs", "Kernels", "Filters", "NeuralNet",
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
        .testTarget(name: "GeoTests", dependencies: ["Geo", "TestSupport"], swiftSettings: common),
        .testTarget(name: "InspectionTests", dependencies: ["Inspection", "TestSupport"], swiftSettings: common),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "TestSupport"], swiftSettings: common),
        .testTarget(name: "CLITests", dependencies: ["PavewatchCLI", "TestSupport"], swiftSettings: common),
    ]
)
