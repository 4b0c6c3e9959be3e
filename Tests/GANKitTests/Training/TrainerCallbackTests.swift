import Foundation
import Testing
@testable import GANKit

/// Callbacks, stopping, history, and what each step may and may not touch.
@Suite struct TrainerCallbackTests {
    let data = TinyGAN.images()  // 40 images: 5 batches of 8 per epoch

    @Test func batchReportsCountStepsEpochsAndBatches() throws {
        let trainer = TinyGAN.makeTrainer()
        var batchReports: [BatchReport] = []
        var epochReports: [EpochReport] = []
        trainer.onBatchEnd = { batchReports.append($0); return .continue }
        trainer.onEpochEnd = { epochReports.append($0); return .continue }
        let history = try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }

        #expect(batchReports.map(\.step) == Array(1...10))
        #expect(batchReports.map(\.epoch) == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
        #expect(batchReports.map(\.batch) == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
        #expect(batchReports.allSatisfy { $0.batchesPerEpoch == 5 && $0.seconds >= 0 })
        #expect(batchReports.allSatisfy { $0.discriminatorLoss.isFinite && $0.generatorLoss.isFinite })
        #expect(batchReports.allSatisfy { (0...1).contains($0.realScore) && (0...1).contains($0.fakeScore) },
                "NonSaturatingGAN scores are sigmoid probabilities")
        #expect(history.batches == batchReports)
        #expect(history.epochs == epochReports)
        #expect(epochReports.map(\.epoch) == [0, 1] && epochReports.map(\.step) == [5, 10])
        let firstMean = batchReports.prefix(5).reduce(0.0) { $0 + Double($1.discriminatorLoss) } / 5
        #expect(epochReports[0].meanDiscriminatorLoss == Float(firstMean))
        #expect(trainer.step == 10 && trainer.epoch == 2 && trainer.batchInEpoch == 0)
    }

    @Test func stopFromOnBatchEndStopsAfterThatBatch() throws {
        let trainer = TinyGAN.makeTrainer()
        var epochEnds = 0
        trainer.onBatchEnd = { $0.step == 3 ? .stop : .continue }
        trainer.onEpochEnd = { _ in epochEnds += 1; return .continue }
        let history = try trainer.train(epochs: 4, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(history.batches.count == 3 && history.epochs.isEmpty && epochEnds == 0)
        #expect(trainer.step == 3 && trainer.epoch == 0 && trainer.batchInEpoch == 3)
    }

    @Test func stopFromOnEpochEndStopsAfterThatEpoch() throws {
        let trainer = TinyGAN.makeTrainer()
        trainer.onEpochEnd = { $0.epoch == 0 ? .stop : .continue }
        let history = try trainer.train(epochs: 4, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(history.batches.count == 5 && history.epochs.count == 1)
        #expect(trainer.step == 5 && trainer.epoch == 1 && trainer.batchInEpoch == 0)

        // Calling train again continues with the next epoch.
        let more = try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(more.batches.map(\.epoch) == [1, 1, 1, 1, 1] && more.batches.first?.step == 6)
    }

    @Test func historyCSVHasAHeaderAndOneRowPerStepAndReadsBack() throws {
        let trainer = TinyGAN.makeTrainer()
        let history = try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let lines = history.csv.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "step,epoch,batch,d_loss,g_loss,d_real,d_fake,seconds")
        #expect(lines.count == 1 + 10 + 1, "header, 10 rows, and the final newline")
        #expect(lines[1].hasPrefix("1,0,0,") && lines[10].hasPrefix("10,1,4,"))

        let directory = try TemporaryDirectory()
        let url = directory.file("history.csv")
        try history.writeCSV(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == history.csv)

        let reread = History(csv: text)
        #expect(reread.batches.count == 10)
        for (read, original) in zip(reread.batches, history.batches) {
            #expect(read.step == original.step && read.epoch == original.epoch && read.batch == original.batch)
            #expect(read.discriminatorLoss.bitPattern == original.discriminatorLoss.bitPattern)
            #expect(read.generatorLoss.bitPattern == original.generatorLoss.bitPattern)
            #expect(read.realScore.bitPattern == original.realScore.bitPattern)
            #expect(read.fakeScore.bitPattern == original.fakeScore.bitPattern)
            #expect(abs(read.seconds - original.seconds) <= 5e-7, "seconds are written with 6 decimals")
        }
        #expect(History(csv: text, upToStep: 4).batches.map(\.step) == [1, 2, 3, 4])
        #expect(History(csv: text + "11,2,0,nonsense\n\n").batches.count == 10, "malformed rows are skipped")
    }

    @Test func discriminatorStepsRunsSeveralDiscriminatorUpdatesPerGeneratorUpdate() throws {
        let trainer = TinyGAN.makeTrainer()
        trainer.discriminatorSteps = 3
        try trainer.train(epochs: 1, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let g = try #require(trainer.generatorOptimizer as? Adam)
        let d = try #require(trainer.discriminatorOptimizer as? Adam)
        #expect(g.stepCount == 5 && d.stepCount == 15)

        // Each discriminator update draws one noise batch; the generator update
        // reuses the last fake batch and draws none.
        var reference = SeededGenerator(seed: 2)
        for _ in 0..<(5 * 3 * TinyGAN.batchSize * TinyGAN.latentDimension) { _ = reference.nextNormal() }
        #expect(trainer.noiseGenerator == reference)
    }

    @Test func realLabelSmoothingChangesTheDiscriminatorLossByTheExpectedAmount() {
        let real = TinyGAN.images(count: 8)
        let hard = TinyGAN.makeTrainer(), smooth = TinyGAN.makeTrainer()
        smooth.realLabel = 0.9
        // Oracle: BCE-with-logits on real logits x with target t is mean(softplus(x) − t·x),
        // so L(0.9) − L(1) = 0.1·mean(x); the fake part is identical (same noise, same D).
        let logits = TinyGAN.makeTrainer().discriminator.forward(real).scalars
        let meanLogit = logits.reduce(0.0) { $0 + Double($1) } / Double(logits.count)
        let hardLoss = hard.discriminatorStep(real: real).loss
        let smoothLoss = smooth.discriminatorStep(real: real).loss
        #expect(hardLoss != smoothLoss)
        expectApproximatelyEqual(smoothLoss - hardLoss, 0.1 * meanLogit, absolute: 1e-5, relative: 1e-3)
    }

    @Test func generatorStepChangesOnlyTheGenerator() {
        let trainer = TinyGAN.makeTrainer(dropout: 0.4)
        trainer.discriminatorStep(real: TinyGAN.images(count: 8))  // leaves non-zero D gradients behind
        let discriminatorValues = StateSnapshot(trainer.discriminator)
        let discriminatorGradients = StateSnapshot(gradientsOf: trainer.discriminator)
        let discriminatorOptimizer = StateSnapshot(trainer.discriminatorOptimizer)
        let generatorValues = StateSnapshot(trainer.generator)
        #expect(discriminatorGradients.tensors.values.contains { $0.bits.contains { $0 != 0 } })

        let loss = trainer.generatorStep(batchSize: 8)
        #expect(loss.isFinite)
        // Dropout generators in D advance (D runs forward in training mode), so compare parameters only.
        #expect(StateSnapshot(trainer.discriminator).tensors == discriminatorValues.tensors,
                "generatorStep must not change D's parameter values")
        expectIdentical(StateSnapshot(gradientsOf: trainer.discriminator), discriminatorGradients,
                        "D's gradients (backpropagated with .skip)")
        expectIdentical(StateSnapshot(trainer.discriminatorOptimizer), discriminatorOptimizer, "D's optimizer")
        #expect(StateSnapshot(trainer.generator) != generatorValues, "G is updated")
    }

    @Test func sampleDoesNotAdvanceTheNoiseAndRestoresTrainingMode() {
        var rng = SeededGenerator(seed: 4)
        let dropout = Dropout(rate: 0.5, seed: 8)
        let generator = Sequential([Dense(4, 8, using: &rng), dropout, Dense(8, 3, using: &rng)])
        let discriminator = Sequential([Dense(3, 1, using: &rng)])
        let trainer = Trainer(generator: generator, discriminator: discriminator, objective: .nonSaturating,
                              generatorOptimizer: SGD(parameters: generator.parameters, learningRate: 0.1),
                              discriminatorOptimizer: SGD(parameters: discriminator.parameters, learningRate: 0.1),
                              latentDimension: 4, seed: 3)
        let noise = Tensor.randomNormal([5, 4], using: &rng)
        let noiseState = trainer.noiseGenerator, dropoutState = dropout.generator

        let first = trainer.sample(noise: noise), second = trainer.sample(noise: noise)
        #expect(first.shape == [5, 3] && TensorBits(first) == TensorBits(second), "inference mode: no dropout")
        #expect(trainer.noiseGenerator == noiseState && dropout.generator == dropoutState)
        #expect(generator.isTraining && generator.layers.allSatisfy { $0.isTraining })

        _ = trainer.sample(noise: noise, inferenceMode: false)
        #expect(dropout.generator != dropoutState, "training-mode sampling draws dropout masks")
        #expect(trainer.noiseGenerator == noiseState)
        #expect(generator.layers.allSatisfy { $0.isTraining })
    }

    @Test func makeNoiseDrawsStandardNormalsFromTheNoiseGenerator() {
        let trainer = TinyGAN.makeTrainer(noiseSeed: 21)
        let noise = trainer.makeNoise(batchSize: 3)
        var reference = SeededGenerator(seed: 21)
        let expected = (0..<12).map { _ in reference.nextNormal() }
        #expect(noise.shape == [3, 4] && noise.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(trainer.noiseGenerator == reference)
    }
}
