import NeuralNet

/// The JSON file given to `pavewatch train --config`. Every field is optional; the defaults train the
/// committed crack / leak / background classifier.
public struct TrainingConfig: Sendable, Codable {
    /// Training seed: weights, shuffling, augmentation and the train / validation split.
    public var seed: UInt64 = 20_261_125
    /// Folder holding the shared data sets (see its README).
    public var datasetRoot = "/work/shared/datasets"
    /// Data sets to use: `crackforest`, `deepcrack`, `leak-tunnel`, `saltspot`, `ozgenel`, `quaywall`,
    /// `pavement-negatives` (the even half of the sorted list; the odd half is left for the false-positive check).
    public var sources = ["crackforest", "deepcrack", "leak-tunnel", "saltspot", "ozgenel", "quaywall"]
    /// Tile side in pixels (the network input).
    public var tileSize = 64
    /// Step between training tiles cut from labelled photos (validation tiles never overlap).
    public var trainStride = 32
    /// Fraction of each data set's source photos held out for validation.
    public var validationFraction = 0.2
    /// Largest side of a tunnel photo after downscaling (they range from 410 to 4000 pixels).
    public var tunnelMaxSide = 768
    /// Tile labelling rules.
    public var labeling = TileLabeling()
    /// Epochs (upper bound; early stopping may end sooner).
    public var epochs = 12
    /// Class-balanced samples drawn per epoch.
    public var samplesPerEpoch = 9000
    /// Mini-batch size.
    public var batchSize = 64
    /// Peak learning rate of the cosine schedule (AdamW).
    public var learningRate: Float = 0.003
    /// Decoupled weight decay (AdamW).
    public var weightDecay: Float = 1e-4
    /// Linear warm-up steps.
    public var warmupSteps = 100
    /// Epochs without a better validation score before stopping.
    public var patience = 4
    /// Threads for the matrix multiplies.
    public var threads = 2
    /// Loss weight per class (crack, leak, background).
    public var classWeights: [Float] = [1, 1, 1]
    /// Share of each class (crack, leak, background) in an epoch's samples (class balancing).
    public var classMix: [Double] = [0.4, 0.2, 0.4]
    /// Times each tile of a data set enters its class's draw pool (default 1): oversamples small sets.
    public var sourceRepeats: [String: Int] = [:]
    /// Augment training tiles (flips, rotations, brightness / contrast / gamma, blur, JPEG).
    public var augment = true
    /// Probability of JPEG re-compression per augmented tile.
    public var jpegProbability = 0.1
    /// Test-time views (1, 2, 4 or 8 of the flips / rotations, see ``TileClassifier/views``) for validation;
    /// recorded in the model file, so `pavewatch evaluate` uses them too.
    public var testTimeViews = 1
    /// A model file (of the same architecture) whose weights start the training instead of the seeded
    /// initialisation: a second, fine-tuning stage with its own schedule. Relative to the working directory.
    public var initialWeights: String?
    /// The network (nil: ``TrainingConfig/defaultArchitecture(tileSize:)``).
    public var architecture: Architecture?

    public init() {}

    /// Four 3×3 conv + batch norm + ReLU blocks (16, 32, 64, 64 channels, 2×2 max pooling after the first
    /// three), global average pooling, a dense layer to the three classes.
    public static func defaultArchitecture(tileSize: Int) -> Architecture {
        func block(_ out: Int, pool: Bool) -> [LayerSpec] {
            [LayerSpec(type: "conv", out: out, kernel: 3, stride: 1, padding: 1, groups: 1), LayerSpec(type: "batchnorm"),
             LayerSpec(type: "relu")] + (pool ? [LayerSpec(type: "maxpool", kernel: 2, stride: 2)] : [])
        }
        return Architecture(input: InputSpec(channels: 1, height: tileSize, width: tileSize),
                            layers: block(16, pool: true) + block(32, pool: true) + block(64, pool: true)
                                + block(64, pool: false)
                                + [LayerSpec(type: "globalavgpool"), LayerSpec(type: "dense", out: TileClass.allCases.count)])
    }

    /// The architecture to train.
    public var resolvedArchitecture: Architecture { architecture ?? Self.defaultArchitecture(tileSize: tileSize) }

    enum CodingKeys: String, CodingKey {
        case seed, datasetRoot, sources, tileSize, trainStride, validationFraction, tunnelMaxSide, labeling, epochs
        case samplesPerEpoch, batchSize, learningRate, weightDecay, warmupSteps, patience, threads, classWeights, classMix
        case augment, jpegProbability, testTimeViews, initialWeights, sourceRepeats, architecture
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func get<T: Decodable>(_ k: CodingKeys, _ d: T) throws -> T { try c.decodeIfPresent(T.self, forKey: k) ?? d }
        let d = TrainingConfig()
        seed = try get(.seed, d.seed); datasetRoot = try get(.datasetRoot, d.datasetRoot)
        sources = try get(.sources, d.sources); tileSize = try get(.tileSize, d.tileSize)
        trainStride = try get(.trainStride, d.trainStride)
        validationFraction = try get(.validationFraction, d.validationFraction)
        tunnelMaxSide = try get(.tunnelMaxSide, d.tunnelMaxSide); labeling = try get(.labeling, d.labeling)
        epochs = try get(.epochs, d.epochs); samplesPerEpoch = try get(.samplesPerEpoch, d.samplesPerEpoch)
        batchSize = try get(.batchSize, d.batchSize); learningRate = try get(.learningRate, d.learningRate)
        weightDecay = try get(.weightDecay, d.weightDecay); warmupSteps = try get(.warmupSteps, d.warmupSteps)
        patience = try get(.patience, d.patience); threads = try get(.threads, d.threads)
        classWeights = try get(.classWeights, d.classWeights); classMix = try get(.classMix, d.classMix)
        augment = try get(.augment, d.augment)
        jpegProbability = try get(.jpegProbability, d.jpegProbability)
        testTimeViews = try get(.testTimeViews, d.testTimeViews)
        sourceRepeats = try get(.sourceRepeats, d.sourceRepeats)
        initialWeights = try c.decodeIfPresent(String.self, forKey: .initialWeights)
        architecture = try c.decodeIfPresent(Architecture.self, forKey: .architecture)
    }
}
