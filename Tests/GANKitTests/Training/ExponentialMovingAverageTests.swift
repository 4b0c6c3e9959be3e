import Foundation
import Testing
@testable import GANKit

/// Weight averaging for sampling: hand-computed updates, swap and restore, state round trip.
@Suite struct ExponentialMovingAverageTests {
    @Test func updatesFollowTheWarmedUpDecay() {
        let parameter = Parameter(name: "w", value: Tensor([0, 4]))
        let average = ExponentialMovingAverage(parameters: [parameter], decay: 0.5)
        parameter.value = Tensor([10, 4])
        // t = 0: d = min(0.5, 1/10) = 0.1 → 0.1·[0, 4] + 0.9·[10, 4] = [9, 4]
        average.update()
        expectApproximatelyEqual(average.averages[0], [9, 4], absolute: 1e-6, relative: 0)
        // t = 1: d = min(0.5, 2/11) = 0.181818… → 0.181818·9 + 0.818182·10 = 9.818182
        average.update()
        expectApproximatelyEqual(average.averages[0], [9.8181818, 4], absolute: 1e-5, relative: 0)
        // Late updates use the full decay: t = 8 → min(0.5, 9/18) = 0.5.
        for _ in 2..<8 { average.update() }
        #expect(average.currentDecay == 0.5)
    }

    @Test func averagedParametersAreSwappedInAndRestored() {
        let parameter = Parameter(name: "w", value: Tensor([1, 2]))
        let average = ExponentialMovingAverage(parameters: [parameter], decay: 0.9)
        parameter.value = Tensor([3, 4])
        let seen = average.withAveragedParameters { parameter.value.scalars }
        #expect(seen == [1, 2])
        #expect(parameter.value.scalars == [3, 4])
    }

    @Test func stateRoundTripsAndRejectsWrongShapes() throws {
        let parameter = Parameter(name: "w", value: Tensor([1, 2, 3]))
        let average = ExponentialMovingAverage(parameters: [parameter])
        parameter.value = Tensor([4, 5, 6])
        average.update()
        let copy = ExponentialMovingAverage(parameters: [Parameter(name: "w", value: Tensor([0, 0, 0]))])
        try copy.loadStateDictionary(average.stateDictionary())
        #expect(copy.averages == average.averages && copy.updateCount == 1)
        let other = ExponentialMovingAverage(parameters: [Parameter(name: "w", value: Tensor([0, 0]))])
        #expect(throws: OptimizerStateError.self) { try other.loadStateDictionary(average.stateDictionary()) }
    }

    @Test func trainerSamplesWithTheAverageAndCheckpointsIt() throws {
        let trainer = TinyGAN.makeTrainer()
        trainer.generatorAverage = ExponentialMovingAverage(parameters: trainer.generator.parameters, decay: 0.9)
        let data = TinyGAN.images()
        try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(trainer.generatorAverage?.updateCount == 10, "one update per generator step")
        let noise = Tensor.randomNormal([3, TinyGAN.latentDimension], using: &trainer.noiseGenerator)
        let averaged = trainer.sample(noise: noise)
        let average = trainer.generatorAverage!
        trainer.generatorAverage = nil
        let live = trainer.sample(noise: noise)
        #expect(averaged != live)
        trainer.generatorAverage = average
        #expect(average.withAveragedParameters { trainer.generator.forward(noise) } == averaged)

        // A fresh trainer with an average restores it from the checkpoint and samples identically.
        let resumed = TinyGAN.makeTrainer(modelSeed: 9)
        resumed.generatorAverage = ExponentialMovingAverage(parameters: resumed.generator.parameters, decay: 0.9)
        try resumed.restore(from: trainer.makeCheckpoint())
        #expect(resumed.sample(noise: noise) == averaged)
    }
}
