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
}
