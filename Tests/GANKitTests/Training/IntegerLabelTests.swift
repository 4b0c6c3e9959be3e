import Foundation
import Testing
@testable import GANKit

/// Integer class labels (as `ImageDataset.labels` holds them) wherever labels are
/// passed: the same results as the `Tensor` forms, bit for bit.
@Suite struct IntegerLabelTests {
    /// A tiny conditional GAN on 3 classes; the same seeds give the same trainer.
    static func makeTrainer() -> Trainer {
        var configuration = TinyGAN.configuration()
        configuration.conditioning = ClassConditioning(classCount: 3, embeddingDimension: 2)
        var rng = SeededGenerator(seed: 1)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        return Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                       generatorOptimizer: Adam(parameters: g.parameters, learningRate: 2e-3, beta1: 0.5),
                       discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 2e-3, beta1: 0.5),
                       latentDimension: TinyGAN.latentDimension, seed: 2)
    }

    static let indices = [0, 2, 1, 1, 0, 2, 2, 0]
    let real = TinyGAN.images(count: 8)

    @Test func stepsWithIntegerLabelsEqualStepsWithTensors() {
        let withIntegers = Self.makeTrainer(), withTensor = Self.makeTrainer()
        let labels = Tensor(classIndices: Self.indices)
        #expect(withIntegers.trainStep(real: real, labels: Self.indices) == withTensor.trainStep(real: real, labels: labels))
        #expect(withIntegers.discriminatorStep(real: real, labels: Self.indices)
                == withTensor.discriminatorStep(real: real, labels: labels))
        #expect(withIntegers.generatorStep(batchSize: 8, labels: Self.indices)
                == withTensor.generatorStep(batchSize: 8, labels: labels))
        expectIdentical(trainerSnapshot(withIntegers), trainerSnapshot(withTensor), "trainer state")
    }

    @Test func samplingWithIntegerLabelsEqualsSamplingWithATensor() {
        let trainer = Self.makeTrainer()
        var rng = SeededGenerator(seed: 3)
        let noise = Tensor.randomNormal([8, TinyGAN.latentDimension], using: &rng)
        let samples = trainer.sample(noise: noise, labels: Self.indices)
        #expect(TensorBits(samples) == TensorBits(trainer.sample(noise: noise, labels: Tensor(classIndices: Self.indices))))
        #expect(TensorBits(trainer.sample(noise: noise, labels: Self.indices, inferenceMode: false))
                == TensorBits(trainer.sample(noise: noise, labels: Tensor(classIndices: Self.indices), inferenceMode: false)))
    }

    @Test func datasetLabelsGoStraightToANetwork() {
        let dataset = ImageDataset(images: Tensor(zeros: [3, 1, 4, 4]), labels: [2, 0, 1])
        var rng = SeededGenerator(seed: 4)
        let embedding = ConcatenateClassEmbedding(classCount: 3, dimension: 2, using: &rng)
        let network = Sequential([Flatten(), embedding])
        network.setClassLabels(dataset.labels!)
        #expect(embedding.classLabels == Tensor([2, 0, 1]))
        #expect(network.forward(dataset.images).shape == [3, 18])
    }

    #if os(macOS) || os(Linux) || os(Windows)  // exit tests need a child process
    @Test func aNegativeClassIndexStopsWithItsMessage() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let trainer = IntegerLabelTests.makeTrainer()
            _ = trainer.sample(noise: Tensor(zeros: [2, TinyGAN.latentDimension]), labels: [1, -1])
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("class index -1 is not in 0..<16777216"), "\(message)")
    }
    #endif
}
