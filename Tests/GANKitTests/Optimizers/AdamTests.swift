import Foundation
import Testing
@testable import GANKit

/// Adam as in Kingma & Ba's algorithm 1 (bias-corrected m̂, v̂; ε outside the root),
/// with PyTorch's L2 or AdamW decoupled decay, in Double.
struct ReferenceAdam: ReferenceRule {
    var learningRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    var decoupled: Bool
    var m: [Double] = [], v: [Double] = [], t = 0

    init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
         weightDecay: Float = 0, decoupled: Bool = false) {
        (self.learningRate, self.beta1, self.beta2, self.epsilon, self.weightDecay, self.decoupled)
            = (exact(learningRate), exact(beta1), exact(beta2), exact(epsilon), exact(weightDecay), decoupled)
    }

    mutating func update(_ p: inout [Double], _ gradient: [Double]) {
        if m.isEmpty { m = Array(repeating: 0, count: p.count); v = m }
        t += 1
        for i in p.indices {
            var g = gradient[i]
            if decoupled { p[i] *= 1 - learningRate * weightDecay } else { g += weightDecay * p[i] }
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            let mHat = m[i] / (1 - pow(beta1, Double(t)))
            let vHat = v[i] / (1 - pow(beta2, Double(t)))
            p[i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
        }
    }
}

@Suite struct AdamTests {
    @Test(arguments: [OptimizerCase.adam, .adamL2, .adamDecoupled, .adamW], KernelLevel.supported)
    func twoStepsMatchTheReference(_ testCase: OptimizerCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let parameters = OptimizerFixture.makeParameters()
            let optimizer = testCase.makeOptimizer(parameters)
            for steps in 1...2 {
                OptimizerFixture.run(optimizer, steps: (steps - 1)..<steps)
                let expected = OptimizerFixture.referenceValues(testCase.makeReference(), steps: steps)
                expectApproximatelyEqual(OptimizerFixture.flatValues(parameters), expected, absolute: 1e-7,
                                         relative: 1e-6, "\(testCase) after \(steps) step(s)")
            }
        }
    }

    /// A tensor large enough to be split over three threads (200 003 elements, so the
    /// last block is ragged) matches the Double reference everywhere.
    @Test(arguments: KernelLevel.supported)
    func largeTensorsSplitOverThreadsMatchTheReference(level: KernelLevel) {
        KernelLevel.withCap(level) {
            Parallelism.withThreadCount(3) { largeTensorMatchesTheReference() }
        }
    }

    private func largeTensorMatchesTheReference() {
        let count = 200_003
        func initial(_ i: Int) -> Float { Float((i % 97) - 48) / 50 }
        func gradient(_ i: Int, step: Int) -> Float { Float(((i * 7 + step) % 31) - 15) / 10 }
        let parameter = Parameter(name: "w", value: Tensor(shape: [count]) { initial($0) })
        let optimizer = Adam(parameters: [parameter], learningRate: 0.01, beta1: 0.5, weightDecay: 0.01)
        var reference = ReferenceAdam(learningRate: 0.01, beta1: 0.5, weightDecay: 0.01)
        var expected = (0..<count).map { exact(initial($0)) }
        for step in 0..<3 {
            parameter.gradient = Tensor(shape: [count]) { gradient($0, step: step) }
            optimizer.step()
            reference.update(&expected, (0..<count).map { exact(gradient($0, step: step)) })
        }
        expectApproximatelyEqual(parameter.value.scalars, expected, absolute: 1e-6, relative: 1e-5)
    }

    @Test func twoStepsByHand() {
        // p = 1, lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8; g₁ = 0.5, g₂ = −0.2.
        // Step 1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25; p = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.9
        // Step 2: m = 0.045 − 0.02 = 0.025, v = 0.00024975 + 0.00004 = 0.00028975;
        //         m̂ = 0.025/0.19 = 0.1315789, v̂ = 0.00028975/0.001999 = 0.1449475, √v̂ = 0.3807197;
        //         p = 0.9 − 0.1·0.1315789/0.3807197 = 0.8654394
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = Adam(parameters: [parameter], learningRate: 0.1)
        parameter.gradient = Tensor([0.5]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.9])
        parameter.gradient = Tensor([-0.2]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.8654394181])
        #expect(optimizer.stepCount == 2)
    }

    @Test func adamWByHand() {
        // As above with decoupled λ = 0.01: each step first multiplies p by 1 − 0.1·0.01 = 0.999.
        // Step 1: p = 0.999 − 0.1 = 0.899;  Step 2: p = 0.899·0.999 − 0.0345606 = 0.8635404
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = AdamW(parameters: [parameter], learningRate: 0.1)
        #expect(optimizer.weightDecay == 0.01)  // PyTorch's AdamW default
        parameter.gradient = Tensor([0.5]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.899])
        parameter.gradient = Tensor([-0.2]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.8635404181])
    }

    @Test func adamWEqualsAdamWithDecoupledDecay() throws {
        let first = OptimizerFixture.makeParameters(), second = OptimizerFixture.makeParameters()
        let adamW = AdamW(parameters: first, learningRate: 0.01, weightDecay: 0.1)
        let adam = Adam(parameters: second, learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true)
        OptimizerFixture.run(adamW, steps: 0..<3)
        OptimizerFixture.run(adam, steps: 0..<3)
        #expect(OptimizerFixture.flatValues(first) == OptimizerFixture.flatValues(second))
        // The state dictionaries are interchangeable.
        try adam.loadStateDictionary(adamW.stateDictionary())
        #expect(adam.stateDictionary() == adamW.stateDictionary())
    }

    @Test func l2AndDecoupledDecayDiffer() {
        // With the same λ the two forms are different algorithms (Loshchilov & Hutter).
        let first = OptimizerFixture.makeParameters(), second = OptimizerFixture.makeParameters()
        OptimizerFixture.run(OptimizerCase.adamL2.makeOptimizer(first), steps: 0..<2)
        OptimizerFixture.run(OptimizerCase.adamDecoupled.makeOptimizer(second), steps: 0..<2)
        #expect(OptimizerFixture.flatValues(first) != OptimizerFixture.flatValues(second))
    }

    @Test func firstStepMovesEachWeightByAboutTheLearningRate() {
        // Bias correction makes step 1 equal lr·g/(|g| + ε) ≈ lr·sign(g) (0 where g = 0).
        let parameters = OptimizerFixture.makeParameters()
        let optimizer = Adam(parameters: parameters, learningRate: 0.01)
        OptimizerFixture.run(optimizer, steps: 0..<1)
        let moved = zip(OptimizerFixture.flatValues(parameters), OptimizerFixture.flatInitial).map { Double($0) - $1 }
        let expected = OptimizerFixture.flatGradient(step: 0).map { $0 == 0 ? 0 : -0.01 * ($0 > 0 ? 1 : -1) }
        expectApproximatelyEqual(moved, expected, absolute: 1e-6)
    }
}
