import Foundation
import Testing
@testable import GANKit

// Shared pieces of the trainer and checkpoint tests: bit-exact snapshots of
// models and optimizers, and a tiny, fast GAN on synthetic data.

/// A tensor's shape and the bit pattern of every element: equality is bit
/// identity (NaN payloads and −0 included), unlike `Tensor.==`.
struct TensorBits: Equatable, CustomStringConvertible {
    let shape: [Int]
    let bits: [UInt32]

    init(_ tensor: Tensor) {
        shape = Array(tensor.shape)
        bits = tensor.scalars.map(\.bitPattern)
    }

    var description: String { "\(shape) \(bits.prefix(4).map { Float(bitPattern: $0) })…" }
}

/// Everything a model or optimizer holds, keyed by name, compared bit for bit.
struct StateSnapshot: Equatable {
    var tensors: [String: TensorBits] = [:]
    var integers: [String: [UInt64]] = [:]

    init() {}

    /// Parameters, buffers and layer-owned generator states of `layer`, keyed by path.
    init(_ layer: any Layer) {
        for (path, parameter) in layer.namedParameters { tensors[path] = TensorBits(parameter.value) }
        for (path, buffer) in layer.namedBuffers { tensors[path] = TensorBits(buffer.value) }
        for (path, randomized) in namedRandomizedLayers(layer) { integers[path + "generator"] = randomized.generator.state }
    }

    /// The optimizer's state dictionary (moments, step count, learning rate).
    init(_ optimizer: any Optimizer) {
        for (key, value) in optimizer.stateDictionary() { tensors[key] = TensorBits(value) }
    }

    /// Gradients of every parameter of `layer`, keyed by path.
    init(gradientsOf layer: any Layer) {
        for (path, parameter) in layer.namedParameters { tensors[path] = TensorBits(parameter.gradient) }
    }

    /// The first key whose entry differs, with both values (nil when identical).
    func firstDifference(from other: StateSnapshot) -> String? {
        for key in Set(tensors.keys).union(other.tensors.keys).sorted() where tensors[key] != other.tensors[key] {
            return "\(key): \(tensors[key].map(String.init(describing:)) ?? "missing") vs "
                + "\(other.tensors[key].map(String.init(describing:)) ?? "missing")"
        }
        for key in Set(integers.keys).union(other.integers.keys).sorted() where integers[key] != other.integers[key] {
            return "\(key): \(integers[key] ?? []) vs \(other.integers[key] ?? [])"
        }
        return nil
    }
}

/// Records an issue naming the first differing entry unless the snapshots are bit-identical.
func expectIdentical(_ actual: StateSnapshot, _ expected: StateSnapshot, _ what: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    let difference = actual.firstDifference(from: expected)
    #expect(difference == nil, "\(what) differs: \(difference ?? "")", sourceLocation: sourceLocation)
}

/// Everything a trainer would save, as one snapshot (networks, optimizers, noise, counters).
func trainerSnapshot(_ trainer: Trainer) -> StateSnapshot {
    var snapshot = StateSnapshot()
    for (prefix, part) in [("G/", StateSnapshot(trainer.generator)), ("D/", StateSnapshot(trainer.discriminator)),
                           ("GOpt/", StateSnapshot(trainer.generatorOptimizer)),
                           ("DOpt/", StateSnapshot(trainer.discriminatorOptimizer))] {
        for (key, value) in part.tensors { snapshot.tensors[prefix + key] = value }
        for (key, value) in part.integers { snapshot.integers[prefix + key] = value }
    }
    snapshot.integers["noise"] = trainer.noiseGenerator.state
    snapshot.integers["counters"] = [UInt64(trainer.step), UInt64(trainer.epoch), UInt64(trainer.batchInEpoch)]
    return snapshot
}

/// A tiny MLP GAN (latent 4, images [1, 4, 4], one hidden layer of 16 on each
/// side) and synthetic images, small enough to train dozens of steps in a
/// debug build in well under a second.
enum TinyGAN {
    static let latentDimension = 4
    static let batchSize = 8

    /// The MLPGAN configuration; `dropout > 0` gives the `.keras`-like variant
    /// (Dropout after D's hidden activation, Glorot-uniform weights).
    static func configuration(dropout: Float = 0) -> MLPGAN.Configuration {
        MLPGAN.Configuration(latentDimension: latentDimension, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                             discriminatorHiddenSizes: [16], discriminatorDropout: dropout,
                             weightInitializer: dropout > 0 ? .glorotUniform() : .pytorchDefault)
    }

    /// A trainer over freshly built networks and Adam optimizers (DCGAN settings).
    static func makeTrainer(dropout: Float = 0, modelSeed: UInt64 = 1, noiseSeed: UInt64 = 2,
                            objective: any GANObjective = .nonSaturating) -> Trainer {
        var rng = SeededGenerator(seed: modelSeed)
        let (g, d) = MLPGAN.make(configuration(dropout: dropout), using: &rng)
        return Trainer(generator: g, discriminator: d, objective: objective,
                       generatorOptimizer: Adam(parameters: g.parameters, learningRate: 2e-3, beta1: 0.5),
                       discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 2e-3, beta1: 0.5),
                       latentDimension: latentDimension, seed: noiseSeed)
    }

    /// `count` images `[count, 1, 4, 4]`: a fixed pattern plus noise, squashed into (−1, 1).
    static func images(count: Int = 40, seed: UInt64 = 3) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor(shape: [count, 1, 4, 4]) { index in
            let pattern: Float = index % 16 < 8 ? 0.6 : -0.4
            return Float(tanh(Double(pattern + 0.3 * rng.nextNormal())))
        }
    }

    /// The epoch-`epoch` batches of `data`, shuffled reproducibly.
    static func batches(_ data: Tensor, epoch: Int) -> BatchSequence {
        BatchSequence(data, batchSize: batchSize, shuffle: true, seed: 11, epoch: epoch)
    }
}
