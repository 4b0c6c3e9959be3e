import Testing
import GANKit  // public API only, as a user would write it

// Runs the code of Docs/Schedules.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct SchedulesDocTests {
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
