/// Benchmark stages of the Kernels module (see Benchmarks/README.md for the stage names).
let kernelStages: [BenchStage] = []
