import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Docs/ConditionalGAN.md shows this code verbatim (between the markers).
// DOC-BEGIN
/// Trains a conditional MLP GAN on `images` `[N, 1, 28, 28]` with their digits
/// `labels` `[N]`, then returns 8 samples of every digit, `[80, 1, 28, 28]`.
func trainConditionalGAN(images: Tensor, labels: Tensor, epochs: Int) throws -> Tensor {
    var configuration = MLPGAN.Configuration.small
    configuration.conditioning = .digits  // a learned 10-d class vector in both networks
    var rng = SeededGenerator(seed: 42)
    let (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
    let trainer = Trainer(generator: generator, discriminator: discriminator, objective: .nonSaturating,
                          generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
                          discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-4,
                                                       beta1: 0.5),
                          latentDimension: 100, seed: 43)
    let batchCount = BatchSequence(images, batchSize: 64, seed: 7).batchCount
    try trainer.train(epochs: epochs, batchesPerEpoch: batchCount, labeledBatches: { epoch in
        zip(BatchSequence(images, batchSize: 64, seed: 7, epoch: epoch),  // the same seed and epoch give
            BatchSequence(labels, batchSize: 64, seed: 7, epoch: epoch))  // the same order: pairs stay paired
    })
    var noise = SeededGenerator(seed: 1)
    let digits = Tensor((0..<80).map { Float($0 / 8) })  // 0,0,…,0,1,1,…,9
    return trainer.sample(noise: Tensor.randomNormal([80, 100], using: &noise), labels: digits)
}
// DOC-END

@Suite struct ConditionalGANDocTests {
    @Test func documentShowsTheCode() throws {
        try expectDocument("Docs/ConditionalGAN.md", containsSnippetOf: #filePath)
    }

    @Test func documentedCodeRunsAndAsksForEveryDigit() throws {
        var rng = SeededGenerator(seed: 5)
        let images = Tensor.randomUniform([128, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
        let labels = Tensor((0..<128).map { Float($0 % 10) })
        let samples = try trainConditionalGAN(images: images, labels: labels, epochs: 1)
        #expect(samples.shape == [80, 1, 28, 28])
        #expect(samples.scalars.allSatisfy { $0.isFinite && abs($0) <= 1 })
        // Rows of different digits differ (the label reaches the generator).
        #expect(samples.slice(0..<8) != samples.slice(8..<16))
    }
}
