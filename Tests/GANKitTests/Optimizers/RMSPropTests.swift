import Testing
@testable import GANKit

/// PyTorch's RMSprop written from its documented algorithm, in Double (all state starts at 0).
struct ReferenceRMSProp: ReferenceRule {
    var learningRate: Double, alpha: Double, epsilon: Double, momentum: Double, weightDecay: Double
    var centered: Bool
    var squareAverage: [Double] = [], gradientAverage: [Double] = [], buffer: [Double] = []

    init(learningRate: Float, alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0,
         centered: Bool = false, weightDecay: Float = 0) {
        (self.learningRate, self.alpha, self.epsilon, self.momentum, self.weightDecay, self.centered)
            = (exact(learningRate), exact(alpha), exact(epsilon), exact(momentum), exact(weightDecay), centered)
    }

    mutating func update(_ p: inout [Double], _ gradient: [Double]) {
        if squareAverage.isEmpty {
            squareAverage = Array(repeating: 0, count: p.count)
            (gradientAverage, buffer) = (squareAverage, squareAverage)
        }
        for i in p.indices {
            let g = gradient[i] + weightDecay * p[i]
            squareAverage[i] = alpha * squareAverage[i] + (1 - alpha) * g * g
            var rms = squareAverage[i].squareRoot() + epsilon
            if centered {
                gradientAverage[i] = alpha * gradientAverage[i] + (1 - alpha) * g
                rms = (squareAverage[i] - gradientAverage[i] * gradientAverage[i]).squareRoot() + epsilon
            }
            if momentum > 0 {
                buffer[i] = momentum * buffer[i] + g / rms
                p[i] -= learningRate * buffer[i]
            } else {
                p[i] -= learningRate * g / rms
            }
        }
    }
}

@Suite struct RMSPropTests {
    @Test(arguments: [OptimizerCase.rmsProp, .rmsPropCentered, .rmsPropMomentum, .rmsPropCenteredMomentumWeightDecay])
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

    @Test func plainTwoStepsByHand() {
        // p = 1, lr = 0.01, α = 0.99; g₁ = 0.5, g₂ = −0.2.
        // Step 1: s = 0.01·0.25 = 0.0025, √s = 0.05;  p = 1 − 0.01·0.5/0.05 = 0.9
        // Step 2: s = 0.99·0.0025 + 0.01·0.04 = 0.002875, √s = 0.0536190;
        //         p = 0.9 + 0.01·0.2/0.0536190 = 0.9 + 0.0373002 = 0.9373002 (ε shifts the 10th digit)
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = RMSProp(parameters: [parameter])
        parameter.gradient = Tensor([0.5]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.9])
        parameter.gradient = Tensor([-0.2]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.9373001854])
    }

    @Test func centeredWithMomentumByHand() {
        // p = 1, lr = 0.01, α = 0.9, μ = 0.5, centred; g₁ = 0.5, g₂ = −0.2.
        // Step 1: s = 0.025, a = 0.05, s − a² = 0.0225, r = 0.15;  b = 0.5/0.15 = 3.3333333;  p = 0.9666667
        // Step 2: s = 0.0225 + 0.004 = 0.0265, a = 0.045 − 0.02 = 0.025, s − a² = 0.025875, r = 0.1608571;
        //         b = 0.5·3.3333333 − 0.2/0.1608571 = 1.6666667 − 1.2433398 = 0.4233269;  p = 0.9624334
        let parameter = Parameter(name: "w", value: Tensor([1]))
        let optimizer = RMSProp(parameters: [parameter], learningRate: 0.01, alpha: 0.9, momentum: 0.5, centered: true)
        parameter.gradient = Tensor([0.5]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.9666666689])
        parameter.gradient = Tensor([-0.2]); optimizer.step()
        expectApproximatelyEqual(parameter.value, [0.9624334000])
    }

    @Test func centeredVarianceNeverGoesNegative() {
        // A constant gradient makes s − a² → 0 (α(1 − α)ᵗ-weighted variance of a constant);
        // rounding could push it below 0, and the clamp keeps the update finite.
        let parameter = Parameter(name: "w", value: Tensor(repeating: 1, shape: [64]))
        let optimizer = RMSProp(parameters: [parameter], learningRate: 1e-3, alpha: 0.5, centered: true)
        parameter.gradient = Tensor(shape: [64], element: { Float($0 + 1) * 0.37 })
        for _ in 0..<200 { optimizer.step() }
        #expect(parameter.value.scalars.allSatisfy { $0.isFinite })
    }
}
