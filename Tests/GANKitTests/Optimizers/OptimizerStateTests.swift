import Testing
@testable import GANKit

/// Behaviour shared by every optimizer: checkpoints, state errors, convergence.
@Suite struct OptimizerStateTests {
    // MARK: - State dictionary round trip

    @Test(arguments: OptimizerCase.allCases)
    func restoringStateContinuesBitIdentically(_ testCase: OptimizerCase) throws {
        // Original: 3 steps, save, 2 more.
        let parameters = OptimizerFixture.makeParameters()
        let optimizer = testCase.makeOptimizer(parameters)
        OptimizerFixture.run(optimizer, steps: 0..<3)
        let saved = optimizer.stateDictionary()
        let savedWeights = parameters.map(\.value.scalars)
        OptimizerFixture.run(optimizer, steps: 3..<5)

        // Restored: fresh parameters from the saved weights, a fresh optimizer (with a
        // different learning rate, which the state overrides), the same 2 steps.
        let restoredParameters = OptimizerFixture.makeParameters(values: savedWeights)
        let restored = testCase.makeOptimizer(restoredParameters, learningRate: 0.5)
        try restored.loadStateDictionary(saved)
        OptimizerFixture.run(restored, steps: 3..<5)

        #expect(OptimizerFixture.flatValues(restoredParameters) == OptimizerFixture.flatValues(parameters))
        #expect(restored.stateDictionary() == optimizer.stateDictionary())
        // The saved dictionary was a copy: later steps did not change it.
        #expect(saved["step"] == Tensor([0, 3]))
    }

    @Test(arguments: OptimizerCase.allCases)
    func stateDictionaryKeysFollowTheConfiguration(_ testCase: OptimizerCase) {
        let keys = Set(testCase.makeOptimizer(OptimizerFixture.makeParameters()).stateDictionary().keys)
        let perParameter: [String] = switch testCase {
        case .sgd, .sgdWeightDecay: []
        case .sgdMomentum, .sgdNesterov, .sgdMomentumWeightDecay: ["momentum"]
        case .adam, .adamL2, .adamDecoupled, .adamW: ["m", "v"]
        case .rmsProp: ["squareAverage"]
        case .rmsPropCentered: ["squareAverage", "gradientAverage"]
        case .rmsPropMomentum: ["squareAverage", "momentum"]
        case .rmsPropCenteredMomentumWeightDecay: ["squareAverage", "gradientAverage", "momentum"]
        }
        let expected = Set(["step", "learningRate"] + perParameter.flatMap { ["\($0).0", "\($0).1"] })
        #expect(keys == expected)
    }

    @Test(arguments: OptimizerCase.allCases)
    func stepUpdatesValuesInPlace(_ testCase: OptimizerCase) {
        // Same storage before and after: the update neither copies nor reallocates values.
        let parameters = OptimizerFixture.makeParameters()
        let optimizer = testCase.makeOptimizer(parameters)
        let addresses = parameters.map { $0.value.withUnsafeBufferPointer(\.baseAddress) }
        OptimizerFixture.run(optimizer, steps: 0..<2)
        _ = optimizer.stateDictionary()  // copies out; must not make the next step copy
        OptimizerFixture.run(optimizer, steps: 2..<3)
        #expect(parameters.map { $0.value.withUnsafeBufferPointer(\.baseAddress) } == addresses)
    }

    // MARK: - Errors

    @Test func wrongShapeThrowsNamingKeyAndBothShapes() throws {
        let optimizer = Adam(parameters: OptimizerFixture.makeParameters())
        OptimizerFixture.run(optimizer, steps: 0..<1)
        let before = optimizer.stateDictionary()
        var state = before
        state["m.1"] = Tensor(zeros: [4])  // parameter 1 is [2, 2]
        let error = #expect(throws: OptimizerStateError.self) { try optimizer.loadStateDictionary(state) }
        #expect(error == .shapeMismatch(optimizer: "Adam", key: "m.1", expected: [2, 2], found: [4]))
        #expect(error?.description == "Adam state \"m.1\": expected shape [2, 2], found [4]")
        // Nothing was loaded.
        #expect(optimizer.stateDictionary() == before)
    }

    @Test func missingKeyThrows() {
        var state = SGD(parameters: OptimizerFixture.makeParameters(), learningRate: 0.1).stateDictionary()
        // No momentum buffers were saved, but this optimizer needs them.
        let withMomentum = SGD(parameters: OptimizerFixture.makeParameters(), learningRate: 0.1, momentum: 0.9)
        let error = #expect(throws: OptimizerStateError.self) { try withMomentum.loadStateDictionary(state) }
        #expect(error == .missingKey(optimizer: "SGD", key: "momentum.0"))
        #expect(error?.description == "SGD state: missing key \"momentum.0\"")
        state["step"] = nil
        #expect(throws: OptimizerStateError.missingKey(optimizer: "SGD", key: "step")) {
            try SGD(parameters: OptimizerFixture.makeParameters(), learningRate: 0.1).loadStateDictionary(state)
        }
    }

    @Test func unexpectedKeyThrows() {
        // State for three parameters loaded into an optimizer over two.
        var state = RMSProp(parameters: OptimizerFixture.makeParameters()).stateDictionary()
        state["squareAverage.2"] = Tensor(zeros: [5])
        #expect(throws: OptimizerStateError.unexpectedKey(optimizer: "RMSProp", key: "squareAverage.2")) {
            try RMSProp(parameters: OptimizerFixture.makeParameters()).loadStateDictionary(state)
        }
    }

    @Test func invalidStepOrLearningRateThrows() {
        let optimizer = Adam(parameters: OptimizerFixture.makeParameters())
        var state = optimizer.stateDictionary()
        state["step"] = Tensor([0, 2.5])
        #expect(throws: OptimizerStateError.invalidValue(optimizer: "Adam", key: "step", value: [0, 2.5])) {
            try optimizer.loadStateDictionary(state)
        }
        state["step"] = Tensor([0, 2])
        state["learningRate"] = Tensor([-1])
        #expect(throws: OptimizerStateError.invalidValue(optimizer: "Adam", key: "learningRate", value: [-1])) {
            try optimizer.loadStateDictionary(state)
        }
    }

    @Test func stepCountsBeyondTwoToTheTwentyFourAreExact() throws {
        // 2²⁴ + 1 is not a Float; [high, low] = [1, 1] stores it exactly.
        let count = 16_777_217
        #expect(encodeStepCount(count) == Tensor([1, 1]))
        let optimizer = Adam(parameters: OptimizerFixture.makeParameters())
        var state = optimizer.stateDictionary()
        state["step"] = encodeStepCount(count)
        try optimizer.loadStateDictionary(state)
        #expect(optimizer.stepCount == count)
        optimizer.step()
        #expect(optimizer.stateDictionary()["step"] == Tensor([1, 2]))
    }

    // MARK: - Convergence

    /// f(p) = ½ Σ cᵢ (pᵢ − targetᵢ)², ∇f = c ⊙ (p − target), on one [4] parameter.
    static let curvature: [Float] = [1, 2, 0.5, 1.5]
    static let target: [Float] = [1, -2, 0.5, 3]

    static func quadratic(_ p: [Float]) -> Double {
        zip(zip(p, target), curvature).reduce(0) { sum, item in
            let d = Double(item.0.0 - item.0.1)
            return sum + 0.5 * Double(item.1) * d * d
        }
    }

    @Test(arguments: OptimizerCase.allCases)
    func reducesASimpleQuadratic(_ testCase: OptimizerCase) {
        let parameter = Parameter(name: "w", value: Tensor([0, 0, 0, 0]))
        let optimizer = testCase.makeOptimizer([parameter], learningRate: testCase.quadraticLearningRate)
        let initial = Self.quadratic(parameter.value.scalars)
        for _ in 0..<300 {
            optimizer.zeroGradients()
            let p = parameter.value.scalars
            parameter.gradient = Tensor((0..<4).map { Self.curvature[$0] * (p[$0] - Self.target[$0]) })
            optimizer.step()
        }
        let final = Self.quadratic(parameter.value.scalars)
        #expect(final < 0.01 * initial, "\(testCase): \(initial) → \(final)")
    }
}
