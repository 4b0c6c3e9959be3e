import Foundation
import Testing
@testable import GANKit

/// Optimizer and moving-average step counts are integers in a checkpoint; files
/// written before, which hold them as the state dictionary's two floats, still load.
@Suite struct CheckpointStepCountTests {
    /// A trained TinyGAN with a scheduled Adam for G (two step counts), a plain
    /// Adam for D and a moving average of G.
    static func trainedTrainer(modelSeed: UInt64 = 1) throws -> Trainer {
        var rng = SeededGenerator(seed: modelSeed)
        let (g, d) = MLPGAN.make(TinyGAN.configuration(), using: &rng)
        let trainer = Trainer(
            generator: g, discriminator: d, objective: NonSaturatingGAN(),
            generatorOptimizer: ScheduledOptimizer(base: Adam(parameters: g.parameters, learningRate: 2e-3, beta1: 0.5),
                                                   schedule: .stepDecay(every: 4, gamma: 0.5)),
            discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 2e-3, beta1: 0.5),
            latentDimension: TinyGAN.latentDimension, seed: 2)
        trainer.discriminatorSteps = 2
        trainer.generatorAverage = ExponentialMovingAverage(parameters: g.parameters, decay: 0.9)
        let data = TinyGAN.images()
        try trainer.train(epochs: 1, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        return trainer
    }

    /// A fresh trainer of the same architecture (other weights) to restore into.
    static func freshTrainer() throws -> Trainer {
        let trainer = try trainedTrainer(modelSeed: 9)
        trainer.generatorAverage = ExponentialMovingAverage(parameters: trainer.generator.parameters, decay: 0.9)
        return trainer
    }

    static let stepCountNames = ["discriminatorOptimizer/step", "generatorOptimizer/step",
                                 "generatorOptimizer/schedule.step", "generatorAverage/updates"]

    /// What GANKit wrote before step counts became integers: each one as the
    /// state dictionary's `[high, low]` floats among the tensors.
    static func inTheOldFormat(_ checkpoint: Checkpoint) -> Checkpoint {
        var old = checkpoint
        for name in stepCountNames {
            old.tensors[name] = encodeStepCount(Int(old.integers[name]![0]))
            old.integers[name] = nil
        }
        return old
    }

    static func expectSameState(_ actual: Trainer, _ expected: Trainer, _ what: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        expectIdentical(trainerSnapshot(actual), trainerSnapshot(expected), what, sourceLocation: sourceLocation)
        #expect(actual.generatorAverage?.stateDictionary() == expected.generatorAverage?.stateDictionary(),
                "\(what): moving average", sourceLocation: sourceLocation)
    }

    @Test func stepCountsAreStoredAsIntegers() throws {
        let trainer = try Self.trainedTrainer()
        let checkpoint = try Checkpoint.decode(trainer.makeCheckpoint().encoded())
        #expect(checkpoint.integers["discriminatorOptimizer/step"] == [10], "two D steps per step")
        #expect(checkpoint.integers["generatorOptimizer/step"] == [5])
        #expect(checkpoint.integers["generatorOptimizer/schedule.step"] == [5])
        #expect(checkpoint.integers["generatorAverage/updates"] == [5])
        for name in Self.stepCountNames { #expect(checkpoint.tensors[name] == nil, "\(name) is not a tensor") }

        let resumed = try Self.freshTrainer()
        try resumed.restore(from: checkpoint)
        Self.expectSameState(resumed, trainer, "restored")
    }

    @Test func floatStepCountsOfOlderCheckpointsStillLoad() throws {
        let trainer = try Self.trainedTrainer()
        let old = try Checkpoint.decode(Self.inTheOldFormat(trainer.makeCheckpoint()).encoded())
        #expect(old.tensors["generatorOptimizer/step"] == Tensor([0, 5]))

        let resumed = try Self.freshTrainer()
        try resumed.restore(from: old)
        Self.expectSameState(resumed, trainer, "restored from the old format")
        // Saved again, the counts are integers.
        #expect(resumed.makeCheckpoint().integers["generatorOptimizer/schedule.step"] == [5])

        // A plain optimizer through Checkpoint.restore(_:from:) as well.
        var plain = Checkpoint()
        for (key, value) in trainer.discriminatorOptimizer.stateDictionary() { plain.tensors["d/\(key)"] = value }
        let adam = Adam(parameters: resumed.discriminator.parameters, learningRate: 1)
        try plain.restore(adam, from: "d")
        #expect(adam.stepCount == 10 && adam.learningRate == 2e-3)
    }

    /// `Fuzz/Corpus/checkpoint/trainer-float-step-counts-raw` is the seed corpus's
    /// valid trainer checkpoint as GANKit wrote it before step counts became
    /// integers (kept when the seeds were regenerated): its real bytes still restore.
    @Test func theFuzzCorpusCheckpointFromBeforeStillRestores() throws {
        let url = FuzzCorpusTests.root.appendingPathComponent("checkpoint/trainer-float-step-counts-raw")
        var bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes.removeLast() == UInt8(ascii: "!"))
        let checkpoint = try Checkpoint.decode(bytes, path: url.lastPathComponent)
        #expect(checkpoint.tensors["generatorOptimizer/step"] != nil && checkpoint.integers["generatorOptimizer/step"] == nil)
        let trainer = FuzzCorpusTests.makeFuzzTrainer()
        try trainer.restore(from: checkpoint)
        #expect((trainer.generatorOptimizer as? Adam)?.stepCount == 0)
    }

    @Test func invalidIntegerStepCountsAreRejected() throws {
        let source = try Self.trainedTrainer()
        let target = try Self.freshTrainer()
        let before = try Self.freshTrainer()
        let name = "generatorOptimizer/schedule.step"
        func rejected(_ value: [UInt64]?, tensor: Tensor? = nil, with error: CheckpointError) {
            var checkpoint = source.makeCheckpoint()
            checkpoint.integers[name] = value
            if let tensor { checkpoint.tensors[name] = tensor }
            #expect(throws: error) { try target.restore(from: checkpoint) }
        }
        rejected([UInt64.max], with: .invalidEntry(name: name, reason: "a step count of \(UInt64.max), above 2^48 - 1"))
        rejected([1 << 48], with: .invalidEntry(name: name, reason: "a step count of \(1 << 48), above 2^48 - 1"))
        rejected([], with: .shapeMismatch(name: name, expected: [1], found: [0]))
        rejected([1, 2], with: .shapeMismatch(name: name, expected: [1], found: [2]))
        rejected([5], tensor: Tensor([0, 5]),
                 with: .invalidEntry(name: name, reason: "stored both as a tensor and as an integer"))
        Self.expectSameState(target, before, "after rejected restores")

        // The largest count the state dictionary holds exactly loads.
        var largest = source.makeCheckpoint()
        largest.integers[name] = [(1 << 48) - 1]
        try target.restore(from: largest)
        #expect((target.generatorOptimizer as? ScheduledOptimizer)?.stepCount == (1 << 48) - 1)
    }
}
