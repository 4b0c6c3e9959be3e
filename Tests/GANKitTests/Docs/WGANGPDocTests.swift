import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Docs/WGAN-GP.md shows this code verbatim (between the markers).
// DOC-BEGIN
/// WGAN-GP as in Gulrajani et al. (2017): Wasserstein loss, gradient penalty λ = 10,
/// 5 critic updates per generator update, Adam(1e-4, β1 0, β2 0.9) for both networks.
/// The critic ends in a linear layer and, as the paper advises, has no BatchNorm.
func makeWGANGPTrainer(generator: Sequential, critic: Sequential, latentDimension: Int) -> Trainer {
    let trainer = Trainer(generator: generator, discriminator: critic, objective: .wasserstein,
                          generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 1e-4,
                                                   beta1: 0, beta2: 0.9),
                          discriminatorOptimizer: Adam(parameters: critic.parameters, learningRate: 1e-4,
                                                       beta1: 0, beta2: 0.9),
                          latentDimension: latentDimension, seed: 1)
    trainer.gradientPenalty = .wassersteinGP(weight: 10)  // or .r1(gamma: 10): real data, any objective
    trainer.discriminatorSteps = 5
    return trainer
}
// DOC-END

@Suite struct WGANGPDocTests {
    @Test func documentShowsTheCode() throws {
        try expectDocument("Docs/WGAN-GP.md", containsSnippetOf: #filePath)
    }

    @Test func documentedTrainerTrainsWithFiniteLosses() throws {
        var rng = SeededGenerator(seed: 3)
        let (generator, critic) = MLPGAN.make(
            MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                                 discriminatorHiddenSizes: [16]), using: &rng)
        let trainer = makeWGANGPTrainer(generator: generator, critic: critic, latentDimension: 8)
        let images = Tensor.randomUniform([64, 1, 4, 4], lowerBound: -1, upperBound: 1, using: &rng)
        let history = try trainer.train(epochs: 2, batchesPerEpoch: 4) { epoch in
            BatchSequence(images, batchSize: 16, seed: 2, epoch: epoch)
        }
        #expect(history.batches.count == 8)
        #expect(history.batches.allSatisfy { $0.discriminatorLoss.isFinite && $0.generatorLoss.isFinite })
        // Five critic updates per generator update: the step counts are [high, low] pairs.
        #expect(trainer.discriminatorOptimizer.stateDictionary()["step"]?.scalars == [0, 40])
        #expect(trainer.generatorOptimizer.stateDictionary()["step"]?.scalars == [0, 8])
    }
}
