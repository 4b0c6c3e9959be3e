import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Runs the code of Docs/Losses.md and Docs/EMA.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct LossesDocTests {
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
