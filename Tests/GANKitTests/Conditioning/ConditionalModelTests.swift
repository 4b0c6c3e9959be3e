import Foundation
import Testing
@testable import GANKit

/// Conditional builders, balanced sampling and the labels file.
@Suite struct ConditionalModelTests {
    @Test func conditionalMLPGANTakesLabelsInBothNetworks() {
        var configuration = MLPGAN.Configuration.small
        configuration.conditioning = .digits
        var rng = SeededGenerator(seed: 1)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        #expect(g.layers.first is ConcatenateClassEmbedding)
        #expect(d.layers[1] is ConcatenateClassEmbedding)
        #expect((g.layers[1] as? Dense)?.inFeatures == 110)
        #expect((d.layers[2] as? Dense)?.inFeatures == 794)
        let labels = Tensor([0, 9, 3])
        g.setClassLabels(labels)
        d.setClassLabels(labels)
        let images = g(Tensor(zeros: [3, 100]))
        #expect(images.shape == [3, 1, 28, 28])
        #expect(d(images).shape == [3, 1])
        // Unconditional presets are unchanged: 100 → 256 first layer, no embedding.
        var plain = SeededGenerator(seed: 1)
        #expect((MLPGAN.makeGenerator(.small, using: &plain).layers.first as? Dense)?.inFeatures == 100)
    }

    @Test func conditionalDCGANAppendsClassPlanesToTheImage() {
        var configuration = DCGAN.Configuration.mnist
        configuration.baseWidth = 8
        configuration.conditioning = ClassConditioning(classCount: 10, embeddingDimension: 3)
        var rng = SeededGenerator(seed: 2)
        let (g, d) = DCGAN.make(configuration, using: &rng)
        #expect((d.layers[1] as? Conv2D)?.inChannels == 4)
        #expect((g.layers[1] as? Dense)?.inFeatures == 103)
        let labels = Tensor([1, 2, 3, 4])
        g.setClassLabels(labels)
        d.setClassLabels(labels)
        let images = g(Tensor(zeros: [4, 100]))
        #expect(images.shape == [4, 1, 28, 28])
        #expect(d(images).shape == [4, 1])
    }

    @Test func generateSamplesAsksForEveryClassInTurn() {
        var configuration = MLPGAN.Configuration(latentDimension: 4, imageShape: [1, 2, 2], generatorHiddenSizes: [8],
                                                 discriminatorHiddenSizes: [8])
        configuration.conditioning = ClassConditioning(classCount: 3, embeddingDimension: 2)
        var rng = SeededGenerator(seed: 3)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        let trainer = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                              generatorOptimizer: SGD(parameters: g.parameters, learningRate: 0.1),
                              discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 0.1),
                              latentDimension: 4, seed: 4)
        #expect(trainer.classCount == 3)
        let noiseBefore = trainer.noiseGenerator
        let samples = trainer.generateSamples(count: 7, seed: 5, chunkSize: 3)
        #expect(samples.images.shape == [7, 1, 2, 2])
        #expect(samples.labels?.scalars == [0, 1, 2, 0, 1, 2, 0])
        #expect(trainer.noiseGenerator == noiseBefore, "sampling must not advance the training noise")
        // Each sample is its class's image of its noise, whatever the chunking (which may only
        // change the rounding: the BLAS picks kernels by batch size).
        var noiseStream = SeededGenerator(seed: 5)
        let noise = Tensor.randomNormal([7, 4], using: &noiseStream)
        let whole = trainer.sample(noise: noise, labels: samples.labels!).scalars
        let chunked = samples.images.scalars
        #expect(zip(whole, chunked).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(whole) vs \(chunked)")
        let wrongClasses = trainer.sample(noise: noise, labels: Tensor([1, 2, 0, 1, 2, 0, 1])).scalars
        #expect(!zip(wrongClasses, chunked).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func labelsExportAsIDX1() throws {
        let dir = try TemporaryDirectory()
        try exportLabelsIDX(Tensor([3, 0, 9, 255]), to: dir.file("labels"))
        #expect(try IDXFile.read(contentsOf: dir.file("labels")) == IDXFile(dimensions: [4], bytes: [3, 0, 9, 255]))
        #expect(throws: IDXError.self) { try exportLabelsIDX(Tensor([1.5]), to: dir.file("bad")) }
        #expect(throws: IDXError.self) { try exportLabelsIDX(Tensor([256]), to: dir.file("bad")) }
        #expect(throws: IDXError.self) { try exportLabelsIDX(Tensor(zeros: [2, 1]), to: dir.file("bad")) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("bad").path))
    }
}
