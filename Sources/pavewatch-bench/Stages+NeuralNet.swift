/// Benchmark stages of the NeuralNet module (see Benchmarks/README.md for the stage names).
let nnStages: [BenchStage] = []
