import Testing
@testable import GANKit

/// PyTorch's SGD written from its documented algorithm, in Double (dampening 0).
struct ReferenceSGD: ReferenceRule {
    var learningRate: Double, momentum = 0.0, nesterov = false, weightDecay = 0.0
    var buffer: [Double]? = nil

    init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        (self.learningRate, self.momentum, self.nesterov, self.weightDecay)
            = (exact(learningRate), exact(momentum), nesterov, exact(weightDecay))
    }

    mutating func update(_ p: inout [Double], _ g: [Double]) {
        var d = zip(g, p).map { $0 + weightDecay * $1 }
        if momentum != 0 {
            // First step: b = d; then b = μ·b + d.
            let b = buffer.map { zip($0, d).map { momentum * $0 + $1 } } ?? d
            buffer = b
            d = nesterov ? zip(d, b).map { $0 + momentum * $1 } : b
        }
        p = zip(p, d).map { $0 - learningRate * $1 }
    }
}

@Suite struct SGDTests {
    @Test(arguments: [OptimizerCase.sgd, .sgdWeightDecay, .sgdMomentum, .sgdNesterov, .sgdMomentumWeightDecay])
    func twoStepsMatchTheReference(_ testCase: OptimizerCase) {
        let parameters = OptimizerFixture.makeParameters()
        let optimizer = testCase.makeOptimizer(parameters)
        for steps in 1...2 {
            OptimizerFixture.run(optimizer, steps: (steps - 1)..<steps)
            let expected = OptimizerFixture.referenceValues(testCase.makeReference(), steps: steps)
            expectApproximatelyEqual(OptimizerFixture.flatValues(parameters), expected, absolute: 1e-7,
                                     relative: 1e-6, "\(testCase) after \(steps) step(s)")
        }
    }

    @Test func momentumByHand() {
        // p = 1, lr = 0.1, μ = 0.9; g₁ = 0.5, g₂ = −0.2.
        // Step 1: b = g₁ = 0.5 (first-step init);  p = 1 − 0.1·0.5 = 0.95
        // Step 2: b = 0.9·0.5 − 0.2 = 0.25;        p = 0.95 − 0.1·0.25 = 0.925
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9)
        parameter.gradient = Tensor([0.5]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.95])
        parameter.gradient = Tensor([-0.2]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.925])
    }

    @Test func nesterovWithWeightDecayByHand() {
        // p = 1, lr = 0.1, μ = 0.9, λ = 0.1; g₁ = 0.5, g₂ = −0.2.
        // Step 1: d = 0.5 + 0.1·1 = 0.6;  b = 0.6;  d = 0.6 + 0.9·0.6 = 1.14;  p = 1 − 0.114 = 0.886
        // Step 2: d = −0.2 + 0.1·0.886 = −0.1114;  b = 0.9·0.6 − 0.1114 = 0.4286;
        //         d = −0.1114 + 0.9·0.4286 = 0.27434;  p = 0.886 − 0.027434 = 0.858566
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1)
        parameter.gradient = Tensor([0.5]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.886])
        parameter.gradient = Tensor([-0.2]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.858566])
    }

    @Test func stepNeverTouchesGradients() {
        let parameters = OptimizerFixture.makeParameters()
        let optimizer = SGD(parameters: parameters, learningRate: 0.1, momentum: 0.9)
        OptimizerFixture.setGradients(parameters, step: 0)
        let before = parameters.map(\.gradient)
        optimizer.step()
        #expect(parameters.map(\.gradient) == before)
        optimizer.zeroGradients()
        #expect(parameters.allSatisfy { p in p.gradient.scalars.allSatisfy { $0 == 0 } })
    }

    @Test func learningRateChangesApplyToTheNextStep() {
        // p = 1, g = 1: lr 0.1 → 0.9; lr set to 0.5 → 0.4.
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = SGD(parameters: [parameter], learningRate: 0.1)
        parameter.gradient = Tensor([1])
        optimizer.step()
        optimizer.learningRate = 0.5
        optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.4])
    }
}
