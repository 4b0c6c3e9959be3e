import Testing
@testable import GANKit

@Suite struct BatchNormRecalibrationTests {
    @Test func runningStatisticsBecomeTheAverageOfTheBatchStatistics() {
        let norm = BatchNorm(2)
        norm.runningMean.value = Tensor([100, 100])
        norm.isTraining = false
        // Batch 1, channel 0: 1, 3 (mean 2, unbiased variance 2); channel 1: 0, 0 (0, 0).
        // Batch 2, channel 0: 5, 5, 5 (5, 0); channel 1: 1, 2, 3 (2, 1).
        let first = Tensor(shape: [2, 2], values: [1, 0, 3, 0])
        let second = Tensor(shape: [3, 2], values: [5, 1, 5, 2, 5, 3])
        recalibrateBatchNormStatistics(of: norm, inputs: [first, second])
        #expect(norm.runningMean.value.scalars == [3.5, 1])
        #expect(norm.runningVariance.value.scalars == [1, 0.5])
        #expect(!norm.isTraining, "the mode is restored")
        // Afterwards the usual momentum applies again.
        norm.isTraining = true
        _ = norm(Tensor(shape: [2, 2], values: [0, 0, 0, 0]))
        #expect(norm.runningMean.value.scalars == [0.9 * 3.5, 0.9 * 1])
    }

    @Test func averagedGeneratorsSampleWithTheirOwnStatisticsAndLeaveTheLiveOnesAlone() throws {
        var rng = SeededGenerator(seed: 3)
        var configuration = DCGAN.Configuration.mnist
        configuration.baseWidth = 4
        configuration.latentDimension = 8
        let (g, d) = DCGAN.make(configuration, using: &rng)
        let trainer = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                              generatorOptimizer: Adam(parameters: g.parameters, learningRate: 1e-3, beta1: 0.5),
                              discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 1e-3, beta1: 0.5),
                              latentDimension: 8, seed: 4)
        trainer.generatorAverage = ExponentialMovingAverage(parameters: g.parameters, decay: 0.9)
        let images = Tensor.randomUniform([32, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
        try trainer.train(epochs: 1, batchesPerEpoch: 4) { BatchSequence(images, batchSize: 8, seed: 1, epoch: $0) }

        let liveBuffers = g.buffers.map(\.value)
        let noise = Tensor.randomNormal([5, 8], using: &rng)
        let sampled = trainer.sample(noise: noise)
        #expect(g.buffers.map(\.value) == liveBuffers, "sampling must not change the live statistics")
        #expect(trainer.sample(noise: noise) == sampled, "repeatable (cached standing statistics)")

        // The same by hand: averaged weights, statistics recomputed from the documented noise.
        let expected = trainer.generatorAverage!.withAveragedParameters {
            var noiseStream = SeededGenerator(seed: 0x57A4D1)
            let inputs = (0..<64).map { _ in Tensor.randomNormal([64, 8], using: &noiseStream) }
            recalibrateBatchNormStatistics(of: g, inputs: inputs)
            g.isTraining = false
            defer { g.isTraining = true }
            return g(noise)
        }
        for (buffer, value) in zip(g.buffers, liveBuffers) { buffer.value = value }
        #expect(sampled == expected)
        // …and differs from sampling the averaged weights with the live network's statistics.
        let withLiveStatistics = trainer.generatorAverage!.withAveragedParameters {
            g.isTraining = false
            defer { g.isTraining = true }
            return g(noise)
        }
        #expect(sampled != withLiveStatistics)
    }
}
