/// Benchmark stages of the Inspection module (see Benchmarks/README.md for the stage names).
let inspectStages: [BenchStage] = []
