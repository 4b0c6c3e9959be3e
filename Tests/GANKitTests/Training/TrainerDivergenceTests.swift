import Foundation
import Testing
@testable import GANKit

/// NaN/Inf detection (losses every step, parameters and buffers at epoch ends and on demand)
/// and gradient-norm clipping.
@Suite struct TrainerDivergenceTests {
    let data = TinyGAN.images()

    /// Sets the first element of the parameter at `path` of `layer` to `value`.
    private func poison(_ layer: any Layer, _ path: String, with value: Float) {
        let parameter = layer.namedParameters.first { $0.path == path }!.parameter
        parameter.value.withUnsafeMutableBufferPointer { $0[0] = value }
    }

    private func divergence(_ body: () throws -> Void) -> TrainingDivergence? {
        do { try body() } catch let error as TrainingError {
            if case .diverged(let divergence) = error { return divergence }
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func aNonFiniteParameterStopsAtTheFirstStepBeforeAnyCallback() throws {
        let trainer = TinyGAN.makeTrainer()
        poison(trainer.discriminator, "1.weight", with: .nan)
        var callbacks = 0
        trainer.onBatchEnd = { _ in callbacks += 1; return .continue }
        trainer.onEpochEnd = { _ in callbacks += 1; return .continue }
        let found = divergence { _ = try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) } }
        let divergence = try #require(found)
        #expect(divergence.step == 1 && divergence.epoch == 0 && divergence.batch == 0)
        #expect(divergence.lastFiniteLosses == nil && divergence.history.batches.isEmpty && callbacks == 0)
        #expect(divergence.finding.contains("the discriminator loss is nan"))
        #expect(divergence.finding.contains("holds nan"))  // by now NaN has spread to G too
        #expect(divergence.description.hasPrefix("training diverged at step 1 (epoch 1, batch 1): the discriminator loss is nan"))
        #expect(divergence.description.contains("no step of this run had finite losses"))
    }

    /// A parameter overflowing mid-epoch (simulated from a callback) stops the next step,
    /// reports the last finite losses, and the callbacks never see the broken step — so
    /// a checkpoint written by a callback is the last good state.
    @Test func divergenceMidEpochKeepsTheLastGoodCheckpoint() throws {
        let trainer = TinyGAN.makeTrainer()
        var lastCheckpoint: [UInt8] = []
        var lastReport: BatchReport?
        trainer.onBatchEnd = { report in
            lastReport = report
            lastCheckpoint = trainer.makeCheckpoint().encoded()
            if report.step == 7 { poison(trainer.discriminator, "1.weight", with: .infinity) }
            return .continue
        }
        let found = divergence { _ = try trainer.train(epochs: 3, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) } }
        let divergence = try #require(found)
        let report = try #require(lastReport)
        #expect(divergence.step == 8 && divergence.epoch == 1 && divergence.batch == 2)
        #expect(report.step == 7)
        let last = try #require(divergence.lastFiniteLosses)
        #expect(last.step == 7 && last.discriminator == report.discriminatorLoss && last.generator == report.generatorLoss)
        #expect(divergence.history.batches.map { $0.step } == Array(1...7) && divergence.history.epochs.count == 1)
        #expect(divergence.description.contains("at step 8 (epoch 2, batch 3)"))
        #expect(divergence.description.contains("last finite losses at step 7: D \(report.discriminatorLoss), G \(report.generatorLoss)"))

        // The checkpoint from the last callback holds finite values only, except the poison
        // injected after it was made, which a restore brings back as it was.
        let restored = TinyGAN.makeTrainer()
        try restored.restore(from: Checkpoint.decode(lastCheckpoint))
        #expect(restored.step == 7 && restored.firstNonFiniteValue() == nil)
    }

    /// A non-finite buffer does not change training-mode losses; the end-of-epoch check finds it.
    @Test func aNonFiniteBufferIsFoundAtTheEndOfTheEpoch() throws {
        var rng = SeededGenerator(seed: 1)
        let generator = Sequential { Dense(4, 8, using: &rng); BatchNorm(8); ReLU(); Dense(8, 16, using: &rng); Tanh() }
        let discriminator = Sequential { Flatten(); Dense(16, 8, using: &rng); LeakyReLU(alpha: 0.2); Dense(8, 1, using: &rng) }
        let trainer = Trainer(generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
                              generatorOptimizer: SGD(parameters: generator.parameters, learningRate: 0.01),
                              discriminatorOptimizer: SGD(parameters: discriminator.parameters, learningRate: 0.01),
                              latentDimension: 4, seed: 2)
        let images = TinyGAN.images().reshaped(to: [40, 16])
        var epochEnds = 0
        trainer.onBatchEnd = { report in
            if report.step == 2 {
                let buffer = generator.namedBuffers.first { $0.path == "1.runningVariance" }!.buffer
                buffer.value.withUnsafeMutableBufferPointer { $0[3] = -.infinity }
            }
            return .continue
        }
        trainer.onEpochEnd = { _ in epochEnds += 1; return .continue }
        let found = divergence {
            _ = try trainer.train(epochs: 2, batchesPerEpoch: 5) { BatchSequence(images, batchSize: 8, seed: 1, epoch: $0) }
        }
        let divergence = try #require(found)
        #expect(divergence.batch == nil && divergence.step == 5 && epochEnds == 0)
        #expect(divergence.finding == "parameter generator/1.runningVariance holds -inf")
        #expect(divergence.description.hasPrefix("training diverged at the end of epoch 1 (step 5): parameter generator/1.runningVariance"))
        #expect(throws: TrainingError.self) { try trainer.checkParametersFinite() }
    }

    @Test func finiteTrainingPassesTheChecks() throws {
        let trainer = TinyGAN.makeTrainer()
        let history = try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(history.batches.count == 10)
        #expect(trainer.firstNonFiniteValue() == nil)
        try trainer.checkParametersFinite()
        #expect(trainer.lastFiniteLosses?.step == 10)
    }

    // MARK: - Gradient clipping

    @Test func clipGradientNormScalesToTheLimitAndLeavesSmallGradientsAlone() {
        let a = Parameter(name: "a", value: .zeros([2])), b = Parameter(name: "b", value: .zeros([1]))
        a.gradient = Tensor([3, 0])
        b.gradient = Tensor([4])  // global norm 5
        let norm = Trainer.clipGradientNorm(of: [a, b], to: 1)
        #expect(norm == 5)
        let scale = Float(1 / (5 + 1e-6))
        #expect(a.gradient.scalars == [3 * scale, 0] && b.gradient.scalars == [4 * scale])

        let before = [a.gradient.scalars, b.gradient.scalars]
        #expect(abs(Trainer.clipGradientNorm(of: [a, b], to: 2) - 1) < 1e-6)
        #expect([a.gradient.scalars, b.gradient.scalars] == before)
    }

    /// With plain SGD (learning rate 1) an update equals minus the gradient, so the
    /// parameter change of each network shows the clipped norm.
    @Test func theTrainerClipsEachNetworkBeforeItsUpdate() {
        func updateNorms(clip: Float?) -> (generator: Double, discriminator: Double) {
            var rng = SeededGenerator(seed: 1)
            let (g, d) = MLPGAN.make(TinyGAN.configuration(), using: &rng)
            let trainer = Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(),
                                  generatorOptimizer: SGD(parameters: g.parameters, learningRate: 1),
                                  discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 1),
                                  latentDimension: TinyGAN.latentDimension, seed: 2)
            trainer.gradientClipNorm = clip
            let before = (g.parameters.map(\.value), d.parameters.map(\.value))
            _ = trainer.trainStep(real: TinyGAN.images().slice(0..<8))
            func distance(_ old: [Tensor], _ new: [Parameter]) -> Double {
                zip(old, new).reduce(0.0) { sum, pair in
                    sum + zip(pair.0.scalars, pair.1.value.scalars).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
                }.squareRoot()
            }
            return (distance(before.0, g.parameters), distance(before.1, d.parameters))
        }
        let free = updateNorms(clip: nil), clipped = updateNorms(clip: 1e-3)
        #expect(free.generator > 1e-2 && free.discriminator > 1e-2)
        #expect(abs(clipped.generator - 1e-3) < 1e-5 && abs(clipped.discriminator - 1e-3) < 1e-5)
    }
}
