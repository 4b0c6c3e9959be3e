import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Docs/Losses.md and Docs/EMA.md show this code verbatim (between the markers).
// DOC-BEGIN
/// A hinge-loss GAN (the SAGAN/BigGAN objective) with an R1 penalty on real
/// images and an exponential moving average of the generator used for sampling.
func makeHingeTrainer(generator: Sequential, discriminator: Sequential, latentDimension: Int) -> Trainer {
    let trainer = Trainer(generator: generator, discriminator: discriminator, objective: HingeGAN(),
                          generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
                          discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-4,
                                                       beta1: 0.5),
                          latentDimension: latentDimension, seed: 1)
    trainer.gradientPenalty = .r1(gamma: 1)
    trainer.generatorAverage = ExponentialMovingAverage(parameters: generator.parameters, decay: 0.999)
    return trainer  // trainer.sample(noise:) and checkpoints now use the averaged weights
}
// DOC-END

@Suite struct LossesDocTests {
    @Test func documentsShowTheCode() throws {
        try expectDocument("Docs/Losses.md", containsSnippetOf: #filePath)
        try expectDocument("Docs/EMA.md", containsSnippetOf: #filePath)
    }

    @Test func documentedTrainerSamplesWithTheAverage() throws {
        var rng = SeededGenerator(seed: 4)
        let (generator, discriminator) = MLPGAN.make(
            MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                                 discriminatorHiddenSizes: [16]), using: &rng)
        let trainer = makeHingeTrainer(generator: generator, discriminator: discriminator, latentDimension: 8)
        let images = Tensor.randomUniform([64, 1, 4, 4], lowerBound: -1, upperBound: 1, using: &rng)
        try trainer.train(epochs: 3, batchesPerEpoch: 4) { BatchSequence(images, batchSize: 16, seed: 2, epoch: $0) }
        let noise = Tensor.randomNormal([4, 8], using: &rng)
        let averaged = trainer.sample(noise: noise)
        generator.isTraining = false
        let live = generator(noise)
        #expect(averaged != live, "sampling must use the average, not the live weights")
    }
}
