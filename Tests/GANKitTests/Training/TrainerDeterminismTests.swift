import Testing
@testable import GANKit

/// Same seeds ⇒ identical weights; a checkpointed, resumed run equals an uninterrupted one bit for bit.
@Suite struct TrainerDeterminismTests {
    static let dropoutRates: [Float] = [0, 0.4]

    @Test("same seeds give bit-identical parameters", arguments: dropoutRates)
    func sameSeedsSameWeights(dropout: Float) throws {
        let data = TinyGAN.images()
        func run(noiseSeed: UInt64) throws -> Trainer {
            let trainer = TinyGAN.makeTrainer(dropout: dropout, modelSeed: 1, noiseSeed: noiseSeed)
            try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
            return trainer
        }
        let first = try run(noiseSeed: 2), second = try run(noiseSeed: 2)
        #expect(first.step == 10)
        expectIdentical(trainerSnapshot(second), trainerSnapshot(first), "second run")

        // Not vacuous: another noise seed ends elsewhere.
        let other = try run(noiseSeed: 3)
        #expect(StateSnapshot(other.generator) != StateSnapshot(first.generator))
    }

    @Test("resuming from a checkpoint equals training straight through", arguments: dropoutRates)
    func resumeEqualsUninterrupted(dropout: Float) throws {
        let data = TinyGAN.images()
        let batchesPerEpoch = 5

        let straight = TinyGAN.makeTrainer(dropout: dropout)
        let straightHistory = try straight.train(epochs: 3, batchesPerEpoch: batchesPerEpoch) {
            TinyGAN.batches(data, epoch: $0)
        }
        #expect(straight.step == 15 && straight.epoch == 3 && straight.batchInEpoch == 0)

        // Epoch 0, then the first three batches of epoch 1.
        let interrupted = TinyGAN.makeTrainer(dropout: dropout)
        interrupted.onBatchEnd = { $0.epoch == 1 && $0.batch == 2 ? .stop : .continue }
        let firstPart = try interrupted.train(epochs: 3, batchesPerEpoch: batchesPerEpoch) {
            TinyGAN.batches(data, epoch: $0)
        }
        #expect(firstPart.batches.count == 8 && firstPart.epochs.count == 1)
        #expect(interrupted.step == 8 && interrupted.epoch == 1 && interrupted.batchInEpoch == 3)

        let bytes = interrupted.makeCheckpoint().encoded()
        let checkpoint = try Checkpoint.decode(bytes)

        // Everything fresh and seeded differently: only the restore can make it match.
        let resumed = TinyGAN.makeTrainer(dropout: dropout, modelSeed: 77, noiseSeed: 78)
        #expect(trainerSnapshot(resumed) != trainerSnapshot(interrupted))
        try resumed.restore(from: checkpoint)
        expectIdentical(trainerSnapshot(resumed), trainerSnapshot(interrupted), "restored trainer")
        if dropout > 0 {
            #expect(!namedRandomizedLayers(resumed.discriminator).isEmpty, "dropout state is covered")
        }

        var epochsSeen: [Int] = []
        resumed.onEpochEnd = { epochsSeen.append($0.epoch); return .continue }
        let secondPart = try resumed.train(epochs: 3, batchesPerEpoch: batchesPerEpoch) {
            TinyGAN.batches(data, epoch: $0)
        }
        expectIdentical(trainerSnapshot(resumed), trainerSnapshot(straight), "resumed run")
        #expect(epochsSeen == [1, 2])

        // The resumed steps report the same batches and losses as the uninterrupted run.
        let expected = Array(straightHistory.batches.dropFirst(8))
        #expect(secondPart.batches.map(\.step) == Array(9...15))
        #expect(secondPart.batches.map(\.batch) == expected.map(\.batch))
        #expect(secondPart.batches.map(\.discriminatorLoss.bitPattern) == expected.map(\.discriminatorLoss.bitPattern))
        #expect(secondPart.batches.map(\.generatorLoss.bitPattern) == expected.map(\.generatorLoss.bitPattern))
    }

    @Test func checkpointRoundTripsThroughAFile() throws {
        let data = TinyGAN.images()
        let trainer = TinyGAN.makeTrainer(dropout: 0.4)
        try trainer.train(epochs: 1, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let directory = try TemporaryDirectory()
        let url = directory.file("trainer.ckpt")
        try trainer.makeCheckpoint().write(to: url)

        let restored = TinyGAN.makeTrainer(dropout: 0.4, modelSeed: 5, noiseSeed: 6)
        try restored.restore(from: Checkpoint.read(from: url))
        expectIdentical(trainerSnapshot(restored), trainerSnapshot(trainer), "restored from file")
    }

    @Test func restoreRejectsAnotherArchitecture() throws {
        let checkpoint = TinyGAN.makeTrainer(dropout: 0.4).makeCheckpoint()
        let withoutDropout = TinyGAN.makeTrainer(dropout: 0)
        // The dropout model's D has Dropout at index 3, so its last Dense sits at 4, not 3.
        #expect(throws: CheckpointError.self) { try withoutDropout.restore(from: checkpoint) }

        var noCounters = checkpoint
        noCounters.integers["trainer/counters"] = nil
        let target = TinyGAN.makeTrainer(dropout: 0.4, modelSeed: 9)
        let before = trainerSnapshot(target)
        #expect(throws: CheckpointError.missingEntry(name: "trainer/counters")) {
            try target.restore(from: noCounters)
        }
        expectIdentical(trainerSnapshot(target), before, "trainer after a rejected restore")
    }

    @Test func restoreRejectedByAnOptimizerChangesNothing() throws {
        let data = TinyGAN.images()
        let source = TinyGAN.makeTrainer(dropout: 0.4)
        try source.train(epochs: 1, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        // Same networks, but SGD instead of Adam: the networks match, the optimizer state does not.
        var rng = SeededGenerator(seed: 31)
        let (g, d) = MLPGAN.make(TinyGAN.configuration(dropout: 0.4), using: &rng)
        let target = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                             generatorOptimizer: SGD(parameters: g.parameters, learningRate: 0.1),
                             discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 0.1),
                             latentDimension: TinyGAN.latentDimension, seed: 32)
        let before = trainerSnapshot(target)
        #expect(throws: CheckpointError.settingsMismatch(setting: "generator optimizer", checkpoint: "Adam", current: "SGD")) {
            try target.restore(from: source.makeCheckpoint())
        }
        // A checkpoint without the settings record (written before GANKit kept one) fails only at the
        // optimizer, after the networks were restored: they must be put back.
        var unrecorded = source.makeCheckpoint()
        unrecorded.strings = [:]
        #expect(throws: OptimizerStateError.self) { try target.restore(from: unrecorded) }
        expectIdentical(trainerSnapshot(target), before, "trainer after a rejected optimizer state")
    }
}
