import GANKit

/// The models the benchmark trains, named as on the command line and in
/// Benchmarks/pytorch_reference.py (which builds the same networks).
enum ModelKind: String, CaseIterable {
    /// MLPGAN `.small`: G 100-256-512-784, D 784-512-256-1, LeakyReLU(0.2).
    case mlpSmall = "mlp-small"
    /// MLPGAN `.keras`: G 100-256-512-1024-784, D 784-512-256-1 with Dropout(0.4).
    case mlpKeras = "mlp-keras"
    /// DCGAN `.mnist`: the standard 28×28 DCGAN (BatchNorm, ConvTranspose2D, Conv2D).
    case dcgan = "dcgan"
    /// DCGAN `.rgb64`: the DCGAN paper's 64×64 RGB networks (4×4×512 → … → 64×64×3 and back).
    case dcgan64 = "dcgan64"

    /// One training image's shape.
    var imageShape: [Int] { self == .dcgan64 ? [3, 64, 64] : [1, 28, 28] }
    /// Whether a step takes long enough that fewer warm-up and counting steps suffice.
    var isConvolutional: Bool { self == .dcgan || self == .dcgan64 }
}

/// A gradient penalty on every D update of a row (the default recipes' R1), named by
/// the row's suffix; Benchmarks/pytorch_reference.py computes R1 by double backpropagation.
enum RowPenalty: String {
    /// `+r1`: ``GradientPenalty/r1(gamma:)`` with γ = ``benchmarkR1Gamma``
    /// (forward difference sharing the real pass).
    case r1 = "r1"
    /// `+r1-central`: the same R1 by the central difference (its own three passes).
    case r1Central = "r1-central"

    var penalty: GradientPenalty {
        let r1 = GradientPenalty.r1(gamma: benchmarkR1Gamma)
        guard self == .r1Central else { return r1 }
        return GradientPenalty(kind: .realData, weight: r1.weight, difference: .central)
    }
}

/// The R1 γ of the `+r1` rows (the default recipes' value).
let benchmarkR1Gamma: Float = 1

/// One benchmark row: a model, a batch size and optionally a gradient penalty.
struct Workload: CustomStringConvertible {
    var model: ModelKind
    var batch: Int
    var penalty: RowPenalty?

    /// `mlp-small@64`, `dcgan@64+r1`.
    var description: String { "\(model.rawValue)@\(batch)" + (penalty.map { "+\($0.rawValue)" } ?? "") }

    init(model: ModelKind, batch: Int, penalty: RowPenalty? = nil) {
        self.model = model
        self.batch = batch
        self.penalty = penalty
    }

    /// Parses `mlp-small@64` or `mlp-small@64+r1`.
    init?(_ text: String) {
        let rowAndPenalty = text.split(separator: "+", maxSplits: 1)
        let parts = rowAndPenalty[0].split(separator: "@")
        guard parts.count == 2, let model = ModelKind(rawValue: String(parts[0])), let batch = Int(parts[1]),
              batch >= 2 else { return nil }
        var penalty: RowPenalty?
        if rowAndPenalty.count == 2 {
            guard let named = RowPenalty(rawValue: String(rowAndPenalty[1])) else { return nil }
            penalty = named
        }
        self.init(model: model, batch: batch, penalty: penalty)
    }

    /// The issue's table rows.
    static let main: [Workload] = [
        Workload(model: .mlpSmall, batch: 64), Workload(model: .mlpKeras, batch: 64),
        Workload(model: .dcgan, batch: 64), Workload(model: .dcgan, batch: 256), Workload(model: .dcgan64, batch: 64),
    ]

    /// The batch-size sweep.
    static let sweep: [Workload] = [16, 32, 64, 128, 256, 512].map { Workload(model: .mlpSmall, batch: $0) }
        + [16, 64, 256, 512].map { Workload(model: .dcgan, batch: $0) }
}

/// A trainer for `workload` built from `seed`, Adam(2e-4, β₁ 0.5) on both networks,
/// non-saturating BCE on logits (the tutorials' setup), plus the row's penalty.
/// `dropout` overrides the keras preset's rate (0 for the like-for-like check).
func makeTrainer(_ workload: Workload, seed: UInt64, dropout: Float? = nil) -> Trainer {
    var rng = SeededGenerator(seed: seed)
    let networks: (generator: Sequential, discriminator: Sequential)
    switch workload.model {
    case .mlpSmall:
        networks = MLPGAN.make(.small, using: &rng)
    case .mlpKeras:
        var configuration = MLPGAN.Configuration.keras
        if let dropout { configuration.discriminatorDropout = dropout }
        networks = MLPGAN.make(configuration, using: &rng)
    case .dcgan:
        networks = DCGAN.make(.mnist, using: &rng)
    case .dcgan64:
        networks = DCGAN.make(.rgb64, using: &rng)
    }
    let trainer = Trainer(generator: networks.generator, discriminator: networks.discriminator,
                          objective: NonSaturatingGAN(),
                          generatorOptimizer: Adam(parameters: networks.generator.parameters, learningRate: 2e-4,
                                                   beta1: 0.5),
                          discriminatorOptimizer: Adam(parameters: networks.discriminator.parameters,
                                                       learningRate: 2e-4, beta1: 0.5),
                          latentDimension: 100, seed: seed &+ 1)
    trainer.gradientPenalty = workload.penalty?.penalty
    return trainer
}

/// A real batch `[batch] + model.imageShape`, uniform in [−1, 1] (the data do not change the cost).
func makeRealBatch(_ batch: Int, of model: ModelKind, seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor.randomUniform(TensorShape([batch] + model.imageShape), lowerBound: -1, upperBound: 1, using: &rng)
}

// MARK: - FLOP counting

/// Multiply–adds of one sample (the batch of `input` does not matter) through `network`'s matrix products (Dense,
/// Conv2D, ConvTranspose2D); element-wise layers are not counted.
func multiplyAdds(of network: Sequential, input: TensorShape) -> Int {
    var shape = input
    var total = 0
    for layer in network.layers {
        var next = shape
        switch layer {
        case let dense as Dense:
            total += dense.inFeatures * dense.outFeatures
            next = [shape[0], dense.outFeatures]
        case let conv as Conv2D:
            next = conv.outputShape(for: shape)
            total += conv.outChannels * conv.inChannels * conv.kernelSize.height * conv.kernelSize.width
                * next[2] * next[3]
        case let conv as ConvTranspose2D:
            next = conv.outputShape(for: shape)
            total += conv.inChannels * conv.outChannels * conv.kernelSize.height * conv.kernelSize.width
                * shape[2] * shape[3]
        default:
            // Shape-only and element-wise layers: run one sample through to learn the output shape.
            next = layer.forward(Tensor(zeros: shape)).shape
        }
        shape = next
    }
    return total
}

/// FLOPs of one training step, counted analytically (2 per multiply–add).
///
/// With D and G the multiply–adds of one sample through each network:
/// D on the real batch: forward + input gradient + weight gradient (3·D);
/// G forward (G); D on the fake batch (3·D); generator update: D forward and
/// input gradient only (2·D), G's weight and input gradients (2·G).
/// Total `2·N·(8·D + 3·G)`, the same formula as pytorch_reference.py. A penalty's
/// passes are not counted: a `+r1` row's GFLOP/s is the plain step's work per second.
/// Counted on a freshly built pair of networks (the shape probe runs a forward pass).
func flopsPerStep(_ workload: Workload) -> Double {
    let probe = makeTrainer(workload, seed: 0)
    let g = multiplyAdds(of: probe.generator as! Sequential, input: [2, 100])
    let d = multiplyAdds(of: probe.discriminator as! Sequential, input: TensorShape([2] + workload.model.imageShape))
    return 2 * Double(workload.batch) * Double(8 * d + 3 * g)
}
