import Testing
@testable import GANKit

/// Spectral norm, minibatch stddev and scheduled optimizers inside a real Trainer:
/// seeded runs are bit-identical and a resumed run equals an uninterrupted one.
@Suite struct StabilizedTrainingTests {
    static func makeTrainer(modelSeed: UInt64 = 1, noiseSeed: UInt64 = 2) -> Trainer {
        var configuration = TinyGAN.configuration()
        configuration.spectralNorm = true
        configuration.minibatchStdDev = true
        var rng = SeededGenerator(seed: modelSeed)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        let schedule = LearningRateSchedule.warmup(steps: 3, then: .cosine(steps: 10, minimumFactor: 0.1))
        return Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(),
                       generatorOptimizer: ScheduledOptimizer(
                           base: Adam(parameters: g.parameters, learningRate: 2e-3, beta1: 0.5), schedule: schedule),
                       discriminatorOptimizer: ScheduledOptimizer(
                           base: Adam(parameters: d.parameters, learningRate: 2e-3, beta1: 0.5),
                           schedule: .stepDecay(every: 4, gamma: 0.5)),
                       latentDimension: TinyGAN.latentDimension, seed: noiseSeed)
    }

    @Test func resumeEqualsUninterrupted() throws {
        let data = TinyGAN.images()
        let straight = Self.makeTrainer()
        let straightHistory = try straight.train(epochs: 3, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let again = Self.makeTrainer()
        try again.train(epochs: 3, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        expectIdentical(trainerSnapshot(again), trainerSnapshot(straight), "second seeded run")

        let interrupted = Self.makeTrainer()
        interrupted.onBatchEnd = { $0.epoch == 1 && $0.batch == 2 ? .stop : .continue }
        try interrupted.train(epochs: 3, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let checkpoint = try Checkpoint.decode(interrupted.makeCheckpoint().encoded())
        #expect(checkpoint.tensors["discriminator/1.u"] != nil && checkpoint.tensors["discriminator/4.v"] != nil)
        #expect(checkpoint.integers["generatorOptimizer/schedule.step"] == [8])
        #expect(checkpoint.integers["generatorOptimizer/step"] == [8])

        let resumed = Self.makeTrainer(modelSeed: 77, noiseSeed: 78)
        try resumed.restore(from: checkpoint)
        let secondPart = try resumed.train(epochs: 3, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        expectIdentical(trainerSnapshot(resumed), trainerSnapshot(straight), "resumed run")
        #expect(secondPart.batches.map(\.generatorLoss.bitPattern)
            == straightHistory.batches.dropFirst(8).map(\.generatorLoss.bitPattern))
        // The schedule really ran: D's rate after 15 steps is 2e-3 · 0.5^⌊14/4⌋ = 2.5e-4.
        let d = try #require(resumed.discriminatorOptimizer as? ScheduledOptimizer)
        #expect(d.stepCount == 15 && d.base.learningRate == 2.5e-4)
    }
}
