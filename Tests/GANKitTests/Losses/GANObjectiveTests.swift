import Foundation
import Testing
@testable import GANKit

/// Formula, gradient and stability tests for every GAN objective.
@Suite struct GANObjectiveTests {
    /// An objective with its name and its kinks (finite differences must stay away from them).
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var objective: any GANObjective
        var kinks: [Float] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "NonSaturatingGAN", objective: NonSaturatingGAN()),
        Case(name: "MinimaxGAN", objective: MinimaxGAN()),
        Case(name: "LeastSquaresGAN", objective: LeastSquaresGAN()),
        Case(name: "HingeGAN", objective: HingeGAN(), kinks: [-1, 1]),
        Case(name: "WassersteinGAN", objective: WassersteinGAN()),
    ]

    /// The three losses of an objective as plain functions of the output (label 0.9 for the real part).
    static func losses(_ objective: any GANObjective) -> [(String, (Tensor) -> (value: Float, gradient: Tensor))] {
        [
            ("real", { x in var b = TensorBuffer(); return objective.discriminatorRealLoss(x, realLabel: 0.9, gradient: &b) }),
            ("fake", { x in var b = TensorBuffer(); return objective.discriminatorFakeLoss(x, gradient: &b) }),
            ("generator", { x in var b = TensorBuffer(); return objective.generatorLoss(x, gradient: &b) }),
        ]
    }

    // MARK: - Gradient checks

    @Test(arguments: cases, [TensorShape([1]), [6, 1], [2, 3, 2]])
    func gradientsMatchCentralDifferences(_ testCase: Case, shape: TensorShape) {
        let n = shape.elementCount
        // Step 1e-2 with a 0.05 margin keeps x ± step on one side of every kink.
        let output = Tensor(shape: shape, values: seededValues(n, in: -3...3, avoiding: testCase.kinks, seed: 3))
        for (part, loss) in Self.losses(testCase.objective) {
            let analytic = loss(output).gradient
            #expect(analytic.shape == shape)
            let numeric = centralDifferenceGradient(of: { loss($0).value }, at: output, step: 1e-2)
            expectApproximatelyEqual(analytic.scalars, numeric, absolute: 1e-4, relative: 5e-3, "\(testCase.name) \(part)")
        }
    }

    // MARK: - Formulas on a small vector

    /// x = [1.5, −2, 1.25]: away from the hinge kinks at ±1; n = 3, Σx = 0.75, mean 0.25.
    static let sample = Tensor([1.5, -2, 1.25])
    static let xs: [Double] = [1.5, -2, 1.25]

    /// Naive σ and log in Double: an oracle independent of the stable forms in the library.
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    @Test func crossEntropyObjectivesMatchTheirFormulas() {
        let (xs, t) = (Self.xs, 0.9)
        let sigmoid = Self.sigmoid
        // Real: −t·log σ(x) − (1 − t)·log(1 − σ(x)); fake: −log(1 − σ(x)).
        let real = Self.mean(xs.map { -t * log(sigmoid($0)) - (1 - t) * log(1 - sigmoid($0)) })
        let realGradient = xs.map { (sigmoid($0) - t) / 3 }
        let fake = Self.mean(xs.map { -log(1 - sigmoid($0)) })
        let fakeGradient = xs.map { sigmoid($0) / 3 }
        for objective in [NonSaturatingGAN() as any GANObjective, MinimaxGAN()] {
            var buffer = TensorBuffer()
            let r = objective.discriminatorRealLoss(Self.sample, realLabel: 0.9, gradient: &buffer)
            expectApproximatelyEqual(r.value, real)
            expectApproximatelyEqual(r.gradient, realGradient, shape: [3])
            let f = objective.discriminatorFakeLoss(Self.sample, gradient: &buffer)
            expectApproximatelyEqual(f.value, fake)
            expectApproximatelyEqual(f.gradient, fakeGradient, shape: [3])
        }
        var buffer = TensorBuffer()
        // Non-saturating generator: −log σ(x), gradient (σ(x) − 1)/n.
        let nonSaturating = NonSaturatingGAN().generatorLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(nonSaturating.value, Self.mean(xs.map { -log(sigmoid($0)) }))
        expectApproximatelyEqual(nonSaturating.gradient, xs.map { (sigmoid($0) - 1) / 3 })
        // Minimax generator: log(1 − σ(x)), gradient −σ(x)/n.
        let minimax = MinimaxGAN().generatorLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(minimax.value, Self.mean(xs.map { log(1 - sigmoid($0)) }))
        expectApproximatelyEqual(minimax.gradient, xs.map { -sigmoid($0) / 3 })
    }

    @Test func leastSquaresMatchesMaoEtAl() {
        // Real, b = 1: ½·((0.5)² + (−3)² + (0.25)²)/3 = ½·9.3125/3 = 1.5520833; gradient (x − 1)/3
        // Fake, a = 0: ½·(2.25 + 4 + 1.5625)/3 = ½·7.8125/3 = 1.3020833; gradient x/3
        // Generator, c = 1: same as real with b = 1.
        let objective = LeastSquaresGAN()
        var buffer = TensorBuffer()
        let real = objective.discriminatorRealLoss(Self.sample, realLabel: 1, gradient: &buffer)
        expectApproximatelyEqual(real.value, 1.5520833)
        expectApproximatelyEqual(real.gradient, [0.5 / 3, -1, 0.25 / 3])
        let fake = objective.discriminatorFakeLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(fake.value, 1.3020833)
        expectApproximatelyEqual(fake.gradient, [0.5, -2.0 / 3, 1.25 / 3])
        let generator = objective.generatorLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(generator.value, 1.5520833)
        expectApproximatelyEqual(generator.gradient, [0.5 / 3, -1, 0.25 / 3])
    }

    @Test func hingeMatchesItsFormula() {
        // Real: relu(1 − x) = [0, 3, 0] → 1;        gradient [0, −1/3, 0]
        // Fake: relu(1 + x) = [2.5, 0, 2.25] → 4.75/3 = 1.5833333; gradient [1/3, 0, 1/3]
        // Generator: −mean(x) = −0.25;              gradient −1/3 each
        let objective = HingeGAN()
        var buffer = TensorBuffer()
        let real = objective.discriminatorRealLoss(Self.sample, realLabel: 1, gradient: &buffer)
        expectApproximatelyEqual(real.value, 1)
        expectApproximatelyEqual(real.gradient, [0, -1.0 / 3, 0])
        let fake = objective.discriminatorFakeLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(fake.value, 4.75 / 3)
        expectApproximatelyEqual(fake.gradient, [1.0 / 3, 0, 1.0 / 3])
        let generator = objective.generatorLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(generator.value, -0.25)
        expectApproximatelyEqual(generator.gradient, [-1.0 / 3, -1.0 / 3, -1.0 / 3])
    }

    @Test func wassersteinMatchesItsFormula() {
        // Real −mean(x) = −0.25, fake mean(x) = 0.25, generator −0.25; gradients ∓1/3.
        let objective = WassersteinGAN()
        var buffer = TensorBuffer()
        let real = objective.discriminatorRealLoss(Self.sample, realLabel: 1, gradient: &buffer)
        expectApproximatelyEqual(real.value, -0.25)
        expectApproximatelyEqual(real.gradient, [-1.0 / 3, -1.0 / 3, -1.0 / 3])
        let fake = objective.discriminatorFakeLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(fake.value, 0.25)
        expectApproximatelyEqual(fake.gradient, [1.0 / 3, 1.0 / 3, 1.0 / 3])
        let generator = objective.generatorLoss(Self.sample, gradient: &buffer)
        expectApproximatelyEqual(generator.value, -0.25)
        expectApproximatelyEqual(generator.gradient, [-1.0 / 3, -1.0 / 3, -1.0 / 3])
    }

    // MARK: - Label smoothing

    @Test(arguments: cases)
    func labelSmoothingChangesOnlyTheRealLoss(_ testCase: Case) {
        let objective = testCase.objective
        var buffer = TensorBuffer()
        let hard = objective.discriminatorRealLoss(Self.sample, realLabel: 1, gradient: &buffer)
        let smooth = objective.discriminatorRealLoss(Self.sample, realLabel: 0.9, gradient: &buffer)
        let usesLabels = !(objective is HingeGAN || objective is WassersteinGAN)
        #expect((hard.value != smooth.value) == usesLabels, "\(testCase.name)")
        #expect((hard.gradient != smooth.gradient) == usesLabels, "\(testCase.name)")
        // The fake and generator losses take no label; they are the same before and after.
        let fake = objective.discriminatorFakeLoss(Self.sample, gradient: &buffer)
        let generator = objective.generatorLoss(Self.sample, gradient: &buffer)
        #expect(fake.value == objective.discriminatorFakeLoss(Self.sample, gradient: &buffer).value)
        #expect(generator.value == objective.generatorLoss(Self.sample, gradient: &buffer).value)
    }

    @Test func smoothedLabelIsTheLeastSquaresTargetB() {
        // b = 0.9: ½·((0.6)² + (−2.9)² + (0.35)²)/3 = ½·8.8925/3 = 1.4820833; gradient (x − 0.9)/3
        var buffer = TensorBuffer()
        let real = LeastSquaresGAN().discriminatorRealLoss(Self.sample, realLabel: 0.9, gradient: &buffer)
        expectApproximatelyEqual(real.value, 1.4820833)
        expectApproximatelyEqual(real.gradient, [0.2, -2.9 / 3, 0.35 / 3])
    }

    // MARK: - Stability and realness

    @Test(arguments: [Case(name: "NonSaturatingGAN", objective: NonSaturatingGAN()),
                      Case(name: "MinimaxGAN", objective: MinimaxGAN())])
    func crossEntropyObjectivesAreStableAtLargeLogits(_ testCase: Case) {
        // x = [100, −100, 1e4, −1e4], n = 4.
        let x = Tensor([100, -100, 1e4, -1e4])
        // Real (t = 1): softplus(−x) = [0, 100, 0, 1e4] → 2525; gradient (σ(x) − 1)/4 = [0, −¼, 0, −¼]
        // Fake: softplus(x) = [100, 0, 1e4, 0] → 2525; gradient σ(x)/4 = [¼, 0, ¼, 0]
        var buffer = TensorBuffer()
        let real = testCase.objective.discriminatorRealLoss(x, realLabel: 1, gradient: &buffer)
        expectApproximatelyEqual(real.value, 2525)
        expectApproximatelyEqual(real.gradient, [0, -0.25, 0, -0.25], absolute: 1e-12)
        let fake = testCase.objective.discriminatorFakeLoss(x, gradient: &buffer)
        expectApproximatelyEqual(fake.value, 2525)
        expectApproximatelyEqual(fake.gradient, [0.25, 0, 0.25, 0], absolute: 1e-12)
        // Generator: non-saturating = real part; minimax = −fake part.
        let generator = testCase.objective.generatorLoss(x, gradient: &buffer)
        let isMinimax = testCase.objective is MinimaxGAN
        expectApproximatelyEqual(generator.value, isMinimax ? -2525 : 2525)
        expectApproximatelyEqual(generator.gradient, isMinimax ? [-0.25, 0, -0.25, 0] : [0, -0.25, 0, -0.25],
                                 absolute: 1e-12)
    }

    @Test func realnessIsSigmoidForCrossEntropyAndIdentityOtherwise() {
        for objective in [NonSaturatingGAN() as any GANObjective, MinimaxGAN()] {
            #expect(objective.realness(0) == 0.5)
            #expect(objective.realness(1e4) == 1 && objective.realness(-1e4) == 0)
            expectApproximatelyEqual(objective.realness(2), 0.880797078)
        }
        for objective in [LeastSquaresGAN() as any GANObjective, HingeGAN(), WassersteinGAN()] {
            #expect(objective.realness(0.75) == 0.75 && objective.realness(-3) == -3)
        }
    }

    @Test func staticShorthandsBuildTheObjectives() {
        func name(_ objective: some GANObjective) -> String { String(describing: type(of: objective)) }
        #expect(name(.nonSaturating) == "NonSaturatingGAN")
        #expect(name(.minimax) == "MinimaxGAN")
        #expect(name(.leastSquares) == "LeastSquaresGAN")
        #expect(name(.hinge) == "HingeGAN")
        #expect(name(.wasserstein) == "WassersteinGAN")
    }
}
