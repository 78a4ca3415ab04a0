// swift-tools-version: 6.1
// Pavewatch micro-benchmarks (ordo-one/package-benchmark), nested so the main package does not depend on it.
//   cd Benchmarks && swift package benchmark --target KernelsBenchmarks
// Set PAVEWATCH_TARGET_CPU (see ../Package.swift) to benchmark a native build.
import PackageDescription

let package = Package(
    name: "benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "pavewatch", path: "../"),   // explicit name: a path dependency's identity is the folder name
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ImagingCore", package: "pavewatch"),
                .product(name: "Kernels", package: "pavewatch"),
            ],
            path: "Benchmarks/KernelsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "CodecsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "ImagingCore", package: "pavewatch"),
                .product(name: "Codecs", package: "pavewatch"),
            ],
            path: "Benchmarks/CodecsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
