// swift-tools-version: 6.1
// Pavewatch micro-benchmarks (ordo-one/package-benchmark), nested so the main package does not depend on it.
//   cd Benchmarks && swift package benchmark --target KernelsBenchmarks
// Set PAVEWATCH_TARGET_CPU (see ../Package.swift) to benchmark a native build.
import PackageDescription

/// A benchmark executable `Benchmarks/<name>` over the pavewatch modules `modules` (ImagingCore always).
func benchmarks(_ name: String, modules: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: [.product(name: "Benchmark", package: "package-benchmark")]
            + (["ImagingCore"] + modules).map { .product(name: $0, package: "pavewatch") },
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
    )
}

let package = Package(
    name: "benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "pavewatch", path: "../"),   // explicit name: a path dependency's identity is the folder name
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        benchmarks("KernelsBenchmarks", modules: ["Kernels"]),
        benchmarks("CodecsBenchmarks", modules: ["Codecs"]),
    ]
)
