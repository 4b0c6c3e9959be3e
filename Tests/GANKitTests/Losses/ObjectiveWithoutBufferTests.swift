import Testing
@testable import GANKit

/// The `GANObjective` forms without a `TensorBuffer` (for custom loops and
/// notebooks) give exactly what the buffer-taking requirements give.
@Suite struct ObjectiveWithoutBufferTests {
    static let cases = GANObjectiveTests.cases + ProbabilityObjectiveTests.objectives

    @Test(arguments: cases)
    func bothFormsGiveIdenticalValuesAndGradients(_ testCase: GANObjectiveTests.Case) {
        let objective = testCase.objective
        // Values in (0, 1) suit the probability objectives and are ordinary logits and scores for the rest.
        let output = Tensor(shape: [5, 1], values: [0.1, 0.35, 0.5, 0.8, 0.95])
        var buffer = TensorBuffer()
        for label: Float in [1, 0.9] {
            let withBuffer = objective.discriminatorRealLoss(output, realLabel: label, gradient: &buffer)
            let without = objective.discriminatorRealLoss(output, realLabel: label)
            #expect(withBuffer.value.bitPattern == without.value.bitPattern, "\(testCase.name) real \(label)")
            #expect(TensorBits(withBuffer.gradient) == TensorBits(without.gradient), "\(testCase.name) real \(label)")
        }
        let fakeWithBuffer = objective.discriminatorFakeLoss(output, gradient: &buffer)
        let fake = objective.discriminatorFakeLoss(output)
        #expect(fakeWithBuffer.value.bitPattern == fake.value.bitPattern && TensorBits(fakeWithBuffer.gradient) == TensorBits(fake.gradient))
        let generatorWithBuffer = objective.generatorLoss(output, gradient: &buffer)
        let generator = objective.generatorLoss(output)
        #expect(generatorWithBuffer.value.bitPattern == generator.value.bitPattern
                && TensorBits(generatorWithBuffer.gradient) == TensorBits(generator.gradient))
        #expect(generator.gradient.shape == [5, 1])
    }

    @Test func theRealLabelDefaultsToOne() {
        let output = Tensor([0.3, -1.2])
        for testCase in Self.cases {
            var buffer = TensorBuffer()
            let explicit = testCase.objective.discriminatorRealLoss(output, realLabel: 1, gradient: &buffer)
            #expect(testCase.objective.discriminatorRealLoss(output) == explicit, "\(testCase.name)")
        }
    }

    @Test func eachCallGetsItsOwnGradient() {
        // A fresh gradient per call: an earlier result is not overwritten by a later one.
        let objective = NonSaturatingGAN()
        let first = objective.generatorLoss(Tensor([2]))
        let second = objective.generatorLoss(Tensor([-2]))
        #expect(first.gradient != second.gradient)
        #expect(first.gradient == objective.generatorLoss(Tensor([2])).gradient)
    }
}
