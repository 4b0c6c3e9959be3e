import Testing
@testable import GANKit

/// The minimal Keras GAN preset and the output choices behind it: a sigmoid
/// generator (images in [0, 1]) and a discriminator that outputs probabilities.
@Suite struct MinimalMLPGANTests {
    @Test func layersAreTheMinimalKerasGAN() {
        var rng = SeededGenerator(seed: 1)
        let (generator, discriminator) = MLPGAN.make(.minimal, using: &rng)
        #expect(MLPGANTests.layerNames(generator) == [
            "Dense(100 → 128)  // 12,928 parameters", "ReLU()",
            "Dense(128 → 784)  // 101,136 parameters", "Sigmoid()", "Reshape([1, 28, 28])",
        ])
        #expect(MLPGANTests.layerNames(discriminator) == [
            "Flatten()", "Dense(784 → 128)  // 100,480 parameters", "ReLU()",
            "Dense(128 → 1)  // 129 parameters", "Sigmoid()",
        ])
        // G: 100·128+128 + 128·784+784; D: 784·128+128 + 128+1.
        #expect(generator.parameterCount == 114_064 && discriminator.parameterCount == 100_609)
        #expect(MLPGAN.Configuration.minimal.generatorOutput.pixelRange == .zeroToOne)
        #expect(MLPGAN.Configuration.minimal.discriminatorOutput == .probabilities)
    }

    @Test func imagesLieInZeroOneAndScoresAreProbabilities() {
        var rng = SeededGenerator(seed: 2)
        let (generator, discriminator) = MLPGAN.make(.minimal, using: &rng)
        let images = generator.forward(Tensor.randomNormal([16, 100], using: &rng))
        #expect(images.shape == [16, 1, 28, 28])
        #expect(images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(images.scalars.contains { $0 < 0.5 } && images.scalars.contains { $0 > 0.5 })
        let scores = discriminator.forward(images)
        #expect(scores.shape == [16, 1] && scores.scalars.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func weightsAreGlorotUniformAndBiasesZero() {
        var rng = SeededGenerator(seed: 3)
        let (generator, discriminator) = MLPGAN.make(.minimal, using: &rng)
        for dense in (generator.layers + discriminator.layers).compactMap({ $0 as? Dense }) {
            let limit = (6 / Float(dense.inFeatures + dense.outFeatures)).squareRoot()
            let weights = dense.weight.value
            #expect(weights.max() <= limit && weights.min() >= -limit, "\(dense)")
            #expect(weights.max() > 0.9 * limit && weights.min() < -0.9 * limit, "\(dense) spans its range")
            #expect(dense.bias?.value.scalars.allSatisfy { $0 == 0 } == true)
        }
    }

    @Test func theOutputChoicesCombineWithAnyConfiguration() {
        // The defaults keep tanh and logits; each choice changes only its own network's last layer.
        var configuration = MLPGAN.Configuration.small
        #expect(configuration.generatorOutput == .tanh && configuration.discriminatorOutput == .logits)
        #expect(configuration.generatorOutput.pixelRange == .minusOneToOne)
        configuration.generatorOutput = .sigmoid
        var rng = SeededGenerator(seed: 4), plain = SeededGenerator(seed: 4)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        let (tanhG, logitD) = MLPGAN.make(.small, using: &plain)
        #expect(g.layers[5] is Sigmoid && tanhG.layers[5] is Tanh)
        #expect(MLPGANTests.layerNames(d) == MLPGANTests.layerNames(logitD))
        expectIdentical(StateSnapshot(g), StateSnapshot(tanhG), "same weights, only the activation differs")
        configuration.discriminatorOutput = .probabilities
        configuration.conditioning = .digits
        configuration.discriminatorHiddenSizes = [32]
        let conditional = MLPGAN.makeDiscriminator(configuration, using: &rng)
        #expect(conditional.layers.last is Sigmoid && conditional.layers.dropLast().last is Dense)
        conditional.setClassLabels([3, 1])
        #expect(conditional.forward(Tensor(zeros: [2, 1, 28, 28])).scalars.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func aMinimalGANTrainsOnZeroOneDataWithTheProbabilityObjective() throws {
        // The tiny fixture GAN with the minimal preset's choices, on the fixture images moved to [0, 1].
        var configuration = TinyGAN.configuration()
        configuration.hiddenActivation = .relu
        configuration.weightInitializer = .glorotUniform()
        configuration.generatorOutput = .sigmoid
        configuration.discriminatorOutput = .probabilities
        var rng = SeededGenerator(seed: 5)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        let trainer = Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(outputs: .probabilities),
                              generatorOptimizer: Adam(parameters: g.parameters, learningRate: 1e-3),
                              discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 1e-3),
                              latentDimension: TinyGAN.latentDimension, seed: 6)
        let data = PixelRange.minusOneToOne.rescale(TinyGAN.images(), to: .zeroToOne)
        let history = try trainer.train(epochs: 4, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(history.batches.count == 20)
        for batch in history.batches {
            #expect(batch.discriminatorLoss.isFinite && batch.generatorLoss.isFinite)
            // The scores are D's mean probabilities, as the objective's realness passes them through.
            #expect((0...1).contains(batch.realScore) && (0...1).contains(batch.fakeScore))
        }
        let first = history.batches[0]
        // At the start D guesses: each cross-entropy is near log 2 ≈ 0.69, D's loss near 2 log 2.
        #expect(abs(first.discriminatorLoss - 1.386) < 0.3 && abs(first.realScore - 0.5) < 0.2, "\(first)")
        let samples = trainer.sample(noise: Tensor(zeros: [3, TinyGAN.latentDimension]))
        #expect(samples.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}
