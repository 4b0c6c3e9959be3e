import Foundation
import Testing
@testable import GANKit

/// Lazy regularisation: a penalty with `interval` k is computed at D updates 0, k, 2k, …
/// with k times its weight, and nowhere else; the count survives checkpoints.
@Suite struct LazyPenaltyTests {
    /// D's gradients at its next update (what the optimizer is about to apply).
    static func nextDiscriminatorGradients(of trainer: Trainer, real: Tensor) -> StateSnapshot {
        var captured = StateSnapshot()
        trainer.onGradientsComputed = { network, _ in
            if network == .discriminator { captured = StateSnapshot(gradientsOf: trainer.discriminator) }
        }
        trainer.discriminatorStep(real: real)
        trainer.onGradientsComputed = { _, _ in }
        return captured
    }

    /// A fresh trainer with `penalty`, in the state `source` is in.
    static func copy(of source: Trainer, penalty: GradientPenalty?) throws -> Trainer {
        let trainer = TinyGAN.makeTrainer(modelSeed: 99, noiseSeed: 98)
        trainer.gradientPenalty = penalty
        try trainer.restore(from: source.makeCheckpoint())
        return trainer
    }

    @Test func dueUpdatesAddIntervalTimesThePenaltyAndOthersNone() throws {
        let interval = 3
        let lazy = TinyGAN.makeTrainer()
        lazy.gradientPenalty = .r1(gamma: 2).lazy(every: interval)
        let real = TinyGAN.images(count: TinyGAN.batchSize)
        for update in 0..<7 {
            #expect(lazy.discriminatorUpdates == update)
            let isDue = update % interval == 0
            // The same update by a trainer that always adds the penalty at 3× its weight, or never any.
            let reference = try Self.copy(of: lazy, penalty: isDue ? .r1(gamma: 2 * Float(interval)) : nil)
            let expected = Self.nextDiscriminatorGradients(of: reference, real: real)
            let actual = Self.nextDiscriminatorGradients(of: lazy, real: real)
            expectIdentical(actual, expected, "D's gradients at update \(update) (due: \(isDue))")
            if isDue {
                #expect(lazy.lastGradientPenalty == reference.lastGradientPenalty / Float(interval))
                #expect(lazy.lastGradientPenalty > 0)
            }
        }
        // Not vacuous: the penalty changes the gradients of a due update.
        let withPenalty = try Self.copy(of: lazy, penalty: .r1(gamma: 2))
        let without = try Self.copy(of: lazy, penalty: nil)
        #expect(Self.nextDiscriminatorGradients(of: withPenalty, real: real)
                    != Self.nextDiscriminatorGradients(of: without, real: real))
    }

    @Test func resumingKeepsTheScheduleBitForBit() throws {
        let data = TinyGAN.images()
        func makeTrainer(modelSeed: UInt64 = 1) -> Trainer {
            let trainer = TinyGAN.makeTrainer(modelSeed: modelSeed)
            trainer.gradientPenalty = .r1(gamma: 1).lazy(every: 4)
            trainer.discriminatorSteps = 2
            return trainer
        }
        let straight = makeTrainer()
        try straight.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(straight.discriminatorUpdates == 20)

        let interrupted = makeTrainer()
        interrupted.onBatchEnd = { $0.step == 3 ? .stop : .continue }
        try interrupted.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(interrupted.discriminatorUpdates == 6)  // the next due update (8) lies after the restart
        let resumed = makeTrainer(modelSeed: 5)
        try resumed.restore(from: Checkpoint.decode(interrupted.makeCheckpoint().encoded()))
        #expect(resumed.discriminatorUpdates == 6)
        try resumed.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        expectIdentical(trainerSnapshot(resumed), trainerSnapshot(straight), "resumed lazy-penalty run")
    }

    @Test func checkpointsWithoutTheCountDeriveItFromTheSteps() throws {
        let trainer = TinyGAN.makeTrainer()
        trainer.discriminatorSteps = 3
        try trainer.train(epochs: 1, batchesPerEpoch: 5) { TinyGAN.batches(TinyGAN.images(), epoch: $0) }
        var checkpoint = trainer.makeCheckpoint()
        #expect(trainer.step == 5 && checkpoint.integers["trainer/discriminatorUpdates"] == [15])
        checkpoint.integers["trainer/discriminatorUpdates"] = nil  // as written before lazy penalties
        let restored = TinyGAN.makeTrainer()
        restored.discriminatorSteps = 3
        try restored.restore(from: checkpoint)
        #expect(restored.discriminatorUpdates == 15)

        checkpoint.integers["trainer/discriminatorUpdates"] = [1, 2]
        #expect(throws: CheckpointError.self) { try restored.restore(from: checkpoint) }
    }

    @Test func descriptionNamesTheInterval() {
        let trainer = TinyGAN.makeTrainer()
        trainer.gradientPenalty = .r1(gamma: 1).lazy(every: 16)
        #expect(trainer.description.contains("R1 γ 1 every 16 D updates"))
        trainer.gradientPenalty = .r1(gamma: 1)
        #expect(!trainer.description.contains("every"))
    }
}
