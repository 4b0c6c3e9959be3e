import Testing
import GANKit  // public API only, as a user would write it

// Docs/Schedules.md shows this code verbatim (checked below).
// DOC-BEGIN
func makeScheduledOptimizers(generator: Sequential, discriminator: Sequential,
                             stepsPerEpoch: Int, epochs: Int) -> (generator: any Optimizer, discriminator: any Optimizer) {
    // G: linear warm-up over the first epoch, then cosine down to 10 % of 2e-4 by the last step.
    let warmupThenCosine = LearningRateSchedule.warmup(
        steps: stepsPerEpoch, then: .cosine(steps: stepsPerEpoch * (epochs - 1), minimumFactor: 0.1))
    // D: halve the rate every 10 epochs (PyTorch's StepLR(step_size=10, gamma=0.5) stepped per epoch).
    let stepDecay = LearningRateSchedule.stepDecay(every: stepsPerEpoch * 10, gamma: 0.5)
    return (ScheduledOptimizer(base: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
                               schedule: warmupThenCosine),
            ScheduledOptimizer(base: Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
                               schedule: stepDecay))
}
// DOC-END

@Suite struct SchedulesDocTests {
    @Test func documentShowsTheCode() throws {
        try expectDocument("Docs/Schedules.md", containsSnippetOf: #filePath)
    }

    @Test func theDocumentedSchedulesGiveTheDocumentedRates() throws {
        var rng = SeededGenerator(seed: 1)
        let (g, d) = MLPGAN.make(.small, using: &rng)
        let optimizers = makeScheduledOptimizers(generator: g, discriminator: d, stepsPerEpoch: 937, epochs: 30)
        let generator = try #require(optimizers.generator as? ScheduledOptimizer)
        let discriminator = try #require(optimizers.discriminator as? ScheduledOptimizer)
        func rate(_ optimizer: ScheduledOptimizer, _ step: Int) -> Double {
            Double(optimizer.learningRate) * optimizer.schedule.factor(atStep: step)
        }
        // Step 0: 2e-4/937; end of warm-up (step 936): 2e-4; last step (28 110): ≈ 2e-5.
        #expect(abs(rate(generator, 0) - 2e-4 / 937) < 1e-12)
        #expect(abs(rate(generator, 936) - 2e-4) < 1e-10)
        #expect(abs(rate(generator, 937 * 30 - 1) - 2e-5) < 1e-9)
        // D: 2e-4 for epochs 1–10, 1e-4 from epoch 11 (step 9 370), 5e-5 from epoch 21.
        #expect(rate(discriminator, 9369) == Double(Float(2e-4)))
        #expect(abs(rate(discriminator, 9370) - 1e-4) < 1e-10 && abs(rate(discriminator, 18740) - 5e-5) < 1e-10)
    }
}
