import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Runs the code of Docs/WGAN-GP.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct WGANGPDocTests {
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
