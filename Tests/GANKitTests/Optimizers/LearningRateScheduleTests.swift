import Testing
@testable import GANKit

/// The rates a schedule gives a base rate of 0.1 for steps 0..<count.
func rates(_ schedule: LearningRateSchedule, count: Int) -> [Double] {
    (0..<count).map { 0.1 * schedule.factor(atStep: $0) }
}

func expectClose(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    let report = approximationReport(actual, expected, absolute: 1e-9, relative: 1e-7)
    #expect(report.failures == 0, "\(actual) vs \(expected): \(report)", sourceLocation: sourceLocation)
}

@Suite struct LearningRateScheduleTests {
    @Test func constant() {
        expectClose(rates(.constant, count: 3), [0.1, 0.1, 0.1])
    }

    @Test func stepDecayMultipliesEveryKSteps() {
        // every 3 steps × 0.5: steps 0–2 at 0.1, 3–5 at 0.05, 6 at 0.025
        expectClose(rates(.stepDecay(every: 3, gamma: 0.5), count: 7), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])
    }

    @Test func exponentialMultipliesEveryStep() {
        // 0.1·0.9^t: 0.1, 0.09, 0.081, 0.0729
        expectClose(rates(.exponential(gamma: 0.9), count: 4), [0.1, 0.09, 0.081, 0.0729])
    }

    @Test func cosineAnnealsToTheMinimumAndStays() {
        // T = 4: 0.1·(1 + cos(πt/4))/2 = 0.1, 0.1·0.853553390593, 0.05, 0.1·0.146446609407, 0, then 0
        expectClose(rates(.cosine(steps: 4), count: 6),
                    [0.1, 0.0853553390593, 0.05, 0.0146446609407, 0, 0])
        // minimum factor 0.1: t = 2 gives 0.1·(0.1 + 0.9·0.5) = 0.055; t ≥ 4 gives 0.01
        expectClose(rates(.cosine(steps: 4, minimumFactor: 0.1), count: 5).enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element),
                    [0.1, 0.055, 0.01])
    }

    @Test func warmupThenAnotherSchedule() {
        // 4 warm-up steps: 0.025, 0.05, 0.075, 0.1; then cosine over 2: 0.1, 0.05, 0, 0
        expectClose(rates(.warmup(steps: 4, then: .cosine(steps: 2)), count: 8),
                    [0.025, 0.05, 0.075, 0.1, 0.1, 0.05, 0, 0])
        // warm-up alone ends at the base rate
        expectClose(rates(.warmup(steps: 2), count: 4), [0.05, 0.1, 0.1, 0.1])
    }

    @Test func scheduledSGDUsesTheScheduledRateAtEveryStep() {
        // Plain SGD with gradient 1: each step lowers the parameter by exactly the rate used.
        let parameter = Parameter(name: "w", value: Tensor([0]))
        let optimizer = ScheduledOptimizer(base: SGD(parameters: [parameter], learningRate: 0.5),
                                           schedule: .stepDecay(every: 2, gamma: 0.5))
        #expect(optimizer.learningRate == 0.5)
        var values: [Float] = []
        for _ in 0..<5 {
            parameter.gradient = Tensor([1])
            optimizer.step()
            values.append(parameter.value.scalars[0])
        }
        // rates 0.5, 0.5, 0.25, 0.25, 0.125 → cumulative −0.5, −1, −1.25, −1.5, −1.625
        #expect(values == [-0.5, -1, -1.25, -1.5, -1.625])
        #expect(optimizer.stepCount == 5)
        #expect(optimizer.base.learningRate == 0.125)
        #expect(optimizer.currentLearningRate == 0.125)   // step 5: 0.5·0.5^2
        // Changing the base rate (as --lr-d does) rescales the whole schedule.
        optimizer.learningRate = 1
        #expect(optimizer.currentLearningRate == 0.25)
    }

    @Test func restoringStateContinuesTheScheduleBitIdentically() throws {
        let schedule = LearningRateSchedule.warmup(steps: 2, then: .cosine(steps: 5, minimumFactor: 0.1))
        let parameters = OptimizerFixture.makeParameters()
        let optimizer = ScheduledOptimizer(base: Adam(parameters: parameters, learningRate: 0.01, beta1: 0.5),
                                           schedule: schedule)
        OptimizerFixture.run(optimizer, steps: 0..<3)
        let saved = optimizer.stateDictionary()
        #expect(saved["schedule.step"] == Tensor([0, 3]))
        #expect(saved["schedule.learningRate"] == Tensor([0.01]))
        #expect(saved["step"] == Tensor([0, 3]))   // Adam's own entries are unchanged
        let savedWeights = parameters.map(\.value.scalars)
        OptimizerFixture.run(optimizer, steps: 3..<7)

        let restoredParameters = OptimizerFixture.makeParameters(values: savedWeights)
        let restored = ScheduledOptimizer(base: Adam(parameters: restoredParameters, learningRate: 0.5, beta1: 0.5),
                                          schedule: schedule)
        try restored.loadStateDictionary(saved)
        #expect(restored.stepCount == 3 && restored.learningRate == 0.01)
        OptimizerFixture.run(restored, steps: 3..<7)
        #expect(OptimizerFixture.flatValues(restoredParameters) == OptimizerFixture.flatValues(parameters))
        #expect(restored.stateDictionary() == optimizer.stateDictionary())
    }

    @Test func invalidStateChangesNothing() {
        let parameters = OptimizerFixture.makeParameters()
        let plain = Adam(parameters: parameters, learningRate: 0.01)
        OptimizerFixture.run(plain, steps: 0..<2)
        let optimizer = ScheduledOptimizer(base: Adam(parameters: parameters, learningRate: 0.01), schedule: .exponential(gamma: 0.9))
        let before = optimizer.stateDictionary()
        // A plain Adam checkpoint has no schedule entries.
        #expect(throws: OptimizerStateError.missingKey(optimizer: "ScheduledOptimizer", key: "schedule.learningRate")) {
            try optimizer.loadStateDictionary(plain.stateDictionary())
        }
        var fractional = plain.stateDictionary()
        fractional["schedule.step"] = Tensor([0, 2.5])
        fractional["schedule.learningRate"] = Tensor([0.01])
        #expect(throws: OptimizerStateError.invalidValue(optimizer: "ScheduledOptimizer", key: "schedule.step", value: [0, 2.5])) {
            try optimizer.loadStateDictionary(fractional)
        }
        // The base's own validation error comes through, and the schedule position is untouched.
        var broken = plain.stateDictionary()
        broken["schedule.step"] = Tensor([0, 7])
        broken["schedule.learningRate"] = Tensor([0.01])
        broken["m.0"] = Tensor([1, 2])
        #expect(throws: OptimizerStateError.self) { try optimizer.loadStateDictionary(broken) }
        #expect(optimizer.stepCount == 0)
        #expect(optimizer.stateDictionary() == before)
    }
}
