import Foundation
import Testing
@testable import GANKit

/// `TrainedGenerator`: made from a trainer or a checkpoint it samples exactly what the
/// trainer samples (averaged weights, their own BatchNorm statistics), and its file
/// reads back to the same images.
@Suite struct TrainedGeneratorTests {
    static let dcgan = DCGAN.Configuration(latentDimension: 8, imageSize: 8, channels: 1, baseWidth: 4, depth: 2,
                                           conditioning: nil)

    /// A small DCGAN (BatchNorm in G) trained for a few steps with a generator average, conditional if asked.
    static func trainedDCGAN(average: Bool = true, classes: Int? = nil) throws -> Trainer {
        var configuration = dcgan
        configuration.conditioning = classes.map { ClassConditioning(classCount: $0, embeddingDimension: 3) }
        var rng = SeededGenerator(seed: 5)
        let (g, d) = DCGAN.make(configuration, using: &rng)
        let trainer = Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(),
                              generatorOptimizer: Adam(parameters: g.parameters, learningRate: 2e-3, beta1: 0.5),
                              discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 2e-3, beta1: 0.5),
                              latentDimension: 8, seed: 6)
        trainer.gradientPenalty = .r1(gamma: 1)
        if average { trainer.generatorAverage = ExponentialMovingAverage(parameters: g.parameters, decay: 0.9) }
        let images = Tensor.randomUniform([24, 1, 8, 8], lowerBound: -1, upperBound: 1, using: &rng)
        if let classes {
            let labels = Tensor(classIndices: (0..<24).map { $0 % classes })
            try trainer.train(epochs: 1, batchesPerEpoch: 3, labeledBatches: { epoch in
                zip(BatchSequence(images, batchSize: 8, seed: 1, epoch: epoch), BatchSequence(labels, batchSize: 8, seed: 1, epoch: epoch))
            })
        } else {
            try trainer.train(epochs: 1, batchesPerEpoch: 3) { BatchSequence(images, batchSize: 8, seed: 1, epoch: $0) }
        }
        return trainer
    }

    static func temporaryFile(_ suffix: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("gankit-\(UInt64.random(in: 0...UInt64.max))\(suffix)")
    }

    static func noise(count: Int, seed: UInt64) -> Tensor {
        var stream = SeededGenerator(seed: seed)
        return Tensor.randomNormal([count, 8], using: &stream)
    }

    @Test(arguments: [true, false])
    func samplesWhatTheTrainerSamples(average: Bool) throws {
        let trainer = try Self.trainedDCGAN(average: average)
        let before = StateSnapshot(trainer.generator)
        let generator = try TrainedGenerator(trainer: trainer)
        #expect(StateSnapshot(trainer.generator) == before, "the trainer is not changed")
        #expect(TensorBits(generator.sample(count: 12, seed: 9)) == TensorBits(trainer.generateSamples(count: 12, seed: 9).images))
        // More than one chunk of 256: one noise draw here, chunked draws in the trainer, the same images.
        #expect(TensorBits(generator.sample(count: 300, seed: 2)) == TensorBits(trainer.generateSamples(count: 300, seed: 2).images))
        #expect(generator.outputShape == [1, 8, 8] && generator.pixelRange == .minusOneToOne)
        #expect(generator.provenance["weights"]?.hasPrefix(average ? "exponential moving average" : "trained") == true)
    }

    @Test func theFileReadsBackToTheSameImages() throws {
        let trainer = try Self.trainedDCGAN(classes: 3)
        let generator = try TrainedGenerator(trainer: trainer)
        let url = Self.temporaryFile(".safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try generator.write(to: url)
        let read = try TrainedGenerator(contentsOf: url)
        #expect(read.classCount == 3 && read.latentDimension == 8 && read.outputShape == [1, 8, 8])
        #expect(read.provenance["step"] == "3")
        #expect(TensorBits(read.sample(count: 7, seed: 4)) == TensorBits(trainer.generateSamples(count: 7, seed: 4).images))
        #expect(TensorBits(read.sample(count: 4, seed: 4, classes: [2, 2, 2, 2]))
                == TensorBits(trainer.sample(noise: Self.noise(count: 4, seed: 4), labels: Tensor([2, 2, 2, 2]))))
    }

    @Test func aCheckpointGivesTheAveragedGenerator() throws {
        let trainer = try Self.trainedDCGAN()
        let generator = try TrainedGenerator(checkpoint: Checkpoint.decode(trainer.makeCheckpoint().encoded()))
        #expect(TensorBits(generator.sample(count: 6, seed: 2)) == TensorBits(trainer.generateSamples(count: 6, seed: 2).images))
        #expect(generator.provenance["weights"] == "exponential moving average (3 updates), BatchNorm statistics recomputed for it")
    }

    @Test func aFileWithoutGANKitMetadataOrWithAnUnknownLayerIsRefused() throws {
        var rng = SeededGenerator(seed: 1)
        let url = Self.temporaryFile(".safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try MLPGAN.makeGenerator(.small, using: &rng).safetensors().write(to: url)
        #expect { try TrainedGenerator(contentsOf: url) } throws: { error in
            "\(error)".hasPrefix("\(url.path): no GANKit metadata")
        }
        var file = try TrainedGenerator(network: MLPGAN.makeGenerator(.small, using: &rng), latentDimension: 100).safetensors()
        file.metadata["gankit.architecture"] = file.metadata["gankit.architecture"]!.replacingOccurrences(of: "\"Tanh\"", with: "\"Swish\"")
        try file.write(to: url)
        #expect { try TrainedGenerator(contentsOf: url) } throws: { error in
            "\(error)" == "\(url.path): gankit.architecture: layer 5 (Swish): unknown layer type; register it in a "
                + "LayerRegistry (known: \(LayerRegistry.builtIn.typeNames.joined(separator: ", ")))"
        }
        file.metadata["gankit.latent_dimension"] = "64"
        file.metadata["gankit.architecture"] = try MLPGAN.makeGenerator(.small, using: &rng).architecture().json
        try file.write(to: url)
        #expect { try TrainedGenerator(contentsOf: url) } throws: { error in
            "\(error)".contains("layer 0 does not fit the one before it (gankit.latent_dimension 64): Dense(100 → 256): expected input [N, 100], got [1, 64]")
        }
    }

    @Test func architecturesRoundTripThroughJSON() throws {
        var rng = SeededGenerator(seed: 2)
        var configuration = MLPGAN.Configuration.keras
        configuration.conditioning = ClassConditioning(classCount: 10, embeddingDimension: 10)
        configuration.minibatchStdDev = true
        for network in [MLPGAN.makeDiscriminator(configuration, using: &rng), DCGAN.makeGenerator(.rgb64, using: &rng)] {
            let architecture = try network.architecture()
            #expect(try LayerArchitecture(json: architecture.json) == architecture)
            #expect(try LayerRegistry.builtIn.makeLayer(architecture).description == network.description)
        }
    }

    @Test func resumingWithOtherSettingsNamesThem() throws {
        let checkpoint = try Self.trainedDCGAN(average: true).makeCheckpoint()
        let withoutAverage = try Self.trainedDCGAN(average: false)
        #expect(throws: CheckpointError.settingsMismatch(setting: "generator average (EMA)", checkpoint: "decay 0.9", current: "none")) {
            try withoutAverage.restore(from: checkpoint)
        }
        var rng = SeededGenerator(seed: 1)
        var wider = Self.dcgan
        wider.baseWidth = 8
        let (g, d) = DCGAN.make(wider, using: &rng)
        let other = Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(),
                            generatorOptimizer: Adam(parameters: g.parameters), discriminatorOptimizer: Adam(parameters: d.parameters),
                            latentDimension: 8, seed: 1)
        other.generatorAverage = ExponentialMovingAverage(parameters: g.parameters, decay: 0.9)
        #expect { try other.restore(from: checkpoint) } throws: { error in
            "\(error)".hasPrefix("the checkpoint was trained with a different generator: it has (0) Dense(8 → 32)")
        }
        let hinge = try Self.trainedDCGAN(average: true)
        hinge.objective = HingeGAN()
        #expect(throws: CheckpointError.settingsMismatch(setting: "objective", checkpoint: "NonSaturatingGAN", current: "HingeGAN")) {
            try hinge.restore(from: checkpoint)
        }
    }
}
