import Foundation
import Testing
@testable import GANKit

/// Data-parallel training over threads: R ranks on parts of a global batch train like
/// one process on the whole batch (up to summation order), reruns are bit-identical,
/// only rank 0 runs the run components, all ranks stop together, a failing rank ends
/// the job, and checkpoints move between rank counts.
@Suite struct DataParallelTrainerTests {
    /// The tiny GAN with the improved recipe's pieces: R1 penalty and an EMA of G.
    static func makeTrainer(modelSeed: UInt64 = 1, noiseSeed: UInt64 = 2) -> Trainer {
        let trainer = TinyGAN.makeTrainer(modelSeed: modelSeed, noiseSeed: noiseSeed)
        trainer.gradientPenalty = .r1(gamma: 1)
        trainer.generatorAverage = ExponentialMovingAverage(parameters: trainer.generator.parameters, decay: 0.9)
        return trainer
    }

    /// Global batches of 8 over 40 images: 5 steps per epoch, this rank's part of each.
    static func train(_ trainer: Trainer, epochs: Int) throws -> History {
        let data = TinyGAN.images()
        return try trainer.train(epochs: epochs, batchesPerEpoch: 5) { epoch in
            BatchSequence(data, batchSize: TinyGAN.batchSize, seed: 11, epoch: epoch, shard: trainer.batchShard)
        }
    }

    /// What a run ends with: every parameter and buffer of both networks and the averaged
    /// generator weights, plus the reported losses of every step.
    struct Outcome: Sendable {
        var values: [String: [Float]] = [:]
        var losses: [Float] = []
        var snapshot: StateSnapshot

        init(_ trainer: Trainer, history: History) {
            for (prefix, network) in [("G/", trainer.generator), ("D/", trainer.discriminator)] {
                for (path, parameter) in network.namedParameters { values[prefix + path] = parameter.value.scalars }
            }
            for (key, value) in trainer.generatorAverage?.stateDictionary() ?? [:] { values["EMA/" + key] = value.scalars }
            losses = history.batches.flatMap { [$0.discriminatorLoss, $0.generatorLoss, $0.realScore, $0.fakeScore] }
            snapshot = trainerSnapshot(trainer)
        }

        /// The largest absolute difference of any value or loss.
        func largestDifference(from other: Outcome) -> Float {
            var largest: Float = 0
            for (key, values) in values {
                for (a, b) in zip(values, other.values[key] ?? []) { largest = max(largest, abs(a - b)) }
                #expect(values.count == other.values[key]?.count, "\(key)")
            }
            #expect(losses.count == other.losses.count)
            for (a, b) in zip(losses, other.losses) { largest = max(largest, abs(a - b)) }
            return largest
        }
    }

    static func dataParallelRun(ranks: Int, epochs: Int) throws -> [Outcome] {
        try ThreadProcessGroup.run(size: ranks) { group in
            let trainer = makeTrainer()
            trainer.distribute(over: group)
            let history = try train(trainer, epochs: epochs)
            return Outcome(trainer, history: history)
        }
    }

    /// Measured: 1.2e-7 after 10 steps with 2 ranks, 2.4e-7 with 4 (the summation order
    /// of the gradient average and of the losses). The bound leaves room for other CPUs' kernels.
    static let tolerance: Float = 1e-5

    @Test(arguments: [2, 4])
    func ranksTrainLikeOneProcessOnTheGlobalBatch(ranks: Int) throws {
        let single = Self.makeTrainer()
        let reference = Outcome(single, history: try Self.train(single, epochs: 2))
        let outcomes = try Self.dataParallelRun(ranks: ranks, epochs: 2)
        for (rank, outcome) in outcomes.enumerated() {
            let difference = outcome.largestDifference(from: reference)
            #expect(difference <= Self.tolerance, "rank \(rank) of \(ranks): largest difference \(difference)")
            #expect(outcome.losses.count == 40)
        }
        // Every rank holds the same weights, bit for bit (BatchNorm statistics aside; there is none here).
        for outcome in outcomes.dropFirst() { expectIdentical(outcome.snapshot, outcomes[0].snapshot, "rank replica") }
    }

    @Test func aRerunWithTheSameRankCountIsBitIdentical() throws {
        let first = try Self.dataParallelRun(ranks: 2, epochs: 2)
        let second = try Self.dataParallelRun(ranks: 2, epochs: 2)
        expectIdentical(second[0].snapshot, first[0].snapshot, "second run")
        #expect(first[0].losses.map(\.bitPattern) == second[0].losses.map(\.bitPattern))
    }

    @Test func eachRankDrawsItsPartOfTheGlobalNoise() throws {
        let single = Self.makeTrainer()
        let whole = single.makeNoise(batchSize: 8).scalars
        let parts = try ThreadProcessGroup.run(size: 2) { group in
            let trainer = Self.makeTrainer()
            trainer.distribute(over: group)
            return (trainer.makeNoise(batchSize: 4).scalars, trainer.noiseGenerator.state)
        }
        #expect(parts[0].0 + parts[1].0 == whole)
        #expect(parts.allSatisfy { $0.1 == single.noiseGenerator.state })
    }

    @Test func shardsSplitEveryGlobalBatchInOrder() {
        let data = Tensor(shape: [50, 2]) { Float($0) }
        for count in [2, 4] {
            let whole = BatchSequence(data, batchSize: 8, seed: 5, epoch: 3)
            let shards = (0..<count).map {
                BatchSequence(data, batchSize: 8, seed: 5, epoch: 3, shard: BatchShard(index: $0, count: count))
            }
            #expect(shards.allSatisfy { $0.batchCount == whole.batchCount })
            for batch in 0..<whole.batchCount {
                #expect(Array(shards.flatMap { $0.indices(ofBatch: batch) }) == Array(whole.indices(ofBatch: batch)))
            }
            let yielded = zip(whole, zip(shards[0], shards[1])).map { ($0.0.shape[0], $0.1.0.shape[0], $0.1.1.shape[0]) }
            #expect(yielded.allSatisfy { $0.0 == 8 && $0.1 == 8 / count && $0.2 == 8 / count })
        }
    }

    @Test func rankZerosStateReachesEveryRankWhenTrainingStarts() throws {
        let snapshots = try ThreadProcessGroup.run(size: 2) { group in
            // Rank 1 starts from other weights and another noise stream: rank 0's replace them.
            let trainer = group.rank == 0 ? Self.makeTrainer() : Self.makeTrainer(modelSeed: 9, noiseSeed: 10)
            trainer.distribute(over: group)
            _ = try Self.train(trainer, epochs: 0)
            return trainerSnapshot(trainer)
        }
        expectIdentical(snapshots[1], snapshots[0], "rank 1 after the start")
        expectIdentical(snapshots[0], trainerSnapshot(Self.makeTrainer()), "rank 0")
    }

    @Test func aRankWithOtherSettingsEndsTheJobNamingThem() throws {
        let errors = try ThreadProcessGroup.run(size: 2) { group -> String in
            let trainer = Self.makeTrainer()
            if group.rank == 1 { trainer.generatorAverage = nil }
            trainer.distribute(over: group)
            do {
                _ = try Self.train(trainer, epochs: 1)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(errors[1].contains("rank 1 ended the job: cannot take rank 0's state"), "\(errors[1])")
        #expect(errors[1].contains("generator average"), "\(errors[1])")
        #expect(errors[0].hasPrefix("rank 1 ended the job"), "\(errors[0])")
    }

    /// Counts the calls it gets; stops (or throws) at a given step when asked to.
    final class Probe: TrainingComponent, @unchecked Sendable {
        var batches = 0, starts = 0, ends = 0
        let everyRank: Bool, stopAt: Int?, throwAt: Int?
        init(everyRank: Bool = false, stopAt: Int? = nil, throwAt: Int? = nil) {
            (self.everyRank, self.stopAt, self.throwAt) = (everyRank, stopAt, throwAt)
        }
        var runsOnEveryRank: Bool { everyRank }
        func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) { starts += 1 }
        func batchDidEnd(_ report: BatchReport, trainer: Trainer) throws -> TrainingDecision {
            batches += 1
            struct Failed: Error, CustomStringConvertible { var description: String { "cannot write" } }
            if report.step == throwAt { throw Failed() }
            return report.step == stopAt ? .stop : .continue
        }
        func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) { ends += 1 }
    }

    @Test func componentsRunOnRankZeroUnlessTheyAskForEveryRank() throws {
        let counts = try ThreadProcessGroup.run(size: 2) { group -> [Int] in
            let trainer = Self.makeTrainer()
            trainer.distribute(over: group)
            let leaderOnly = Probe(), everywhere = Probe(everyRank: true)
            trainer.add(leaderOnly)
            trainer.add(everywhere)
            _ = try Self.train(trainer, epochs: 1)
            return [leaderOnly.starts, leaderOnly.batches, leaderOnly.ends, everywhere.starts, everywhere.batches, everywhere.ends]
        }
        #expect(counts[0] == [1, 5, 1, 1, 5, 1])
        #expect(counts[1] == [0, 0, 0, 1, 5, 1])
    }

    @Test func aStopOnAnyRankStopsEveryRankAtTheSameStep() throws {
        let steps = try ThreadProcessGroup.run(size: 2) { group -> Int in
            let trainer = Self.makeTrainer()
            trainer.distribute(over: group)
            // Like a SIGTERM that reaches rank 1 only.
            trainer.add(Probe(everyRank: true, stopAt: group.rank == 1 ? 3 : nil))
            _ = try Self.train(trainer, epochs: 2)
            return trainer.step
        }
        #expect(steps == [3, 3])
    }

    @Test func aRankWhoseComponentThrowsEndsTheJob() throws {
        let errors = try ThreadProcessGroup.run(size: 2) { group -> String in
            let trainer = Self.makeTrainer()
            trainer.distribute(over: group)
            trainer.add(Probe(throwAt: 2))  // rank 0 only
            do {
                _ = try Self.train(trainer, epochs: 2)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(errors[0] == "Probe: cannot write")
        #expect(errors[1] == "rank 0 ended the job: training failed: Probe: cannot write")
    }

    @Test func aCheckpointMovesBetweenRankCounts() throws {
        // Two ranks for one epoch, then one process for the second, against two ranks throughout.
        let straight = try Self.dataParallelRun(ranks: 2, epochs: 2)[0]
        let checkpoint = try ThreadProcessGroup.run(size: 2) { group in
            let trainer = Self.makeTrainer()
            trainer.distribute(over: group)
            _ = try Self.train(trainer, epochs: 1)
            return trainer.makeCheckpoint().encoded()
        }[0]
        let single = Self.makeTrainer()
        try single.restore(from: Checkpoint.decode(checkpoint))
        #expect(single.step == 5 && single.epoch == 1)
        let continued = Outcome(single, history: try Self.train(single, epochs: 2))
        var expected = straight
        expected.losses = Array(expected.losses.suffix(20))
        #expect(continued.largestDifference(from: expected) <= Self.tolerance)

        // And back: the single process's checkpoint, restored on rank 0 only, continued on 2 ranks.
        let resumed = try ThreadProcessGroup.run(size: 2) { group in
            let trainer = Self.makeTrainer()
            if group.rank == 0 { try trainer.restore(from: Checkpoint.decode(checkpoint)) }
            trainer.distribute(over: group)
            return Outcome(trainer, history: try Self.train(trainer, epochs: 2))
        }
        for outcome in resumed { #expect(outcome.largestDifference(from: expected) <= Self.tolerance) }
    }
}
