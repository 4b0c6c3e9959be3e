import Foundation
import Testing
@testable import GANKit

/// The cross-entropy objectives on probabilities (a D that ends in a `Sigmoid`,
/// Keras' `binary_crossentropy`): gradients, values against a naive formula,
/// Keras' clamp, and agreement with the logits form.
@Suite struct ProbabilityObjectiveTests {
    static let objectives: [GANObjectiveTests.Case] = [
        .init(name: "NonSaturatingGAN(outputs: .probabilities)", objective: NonSaturatingGAN(outputs: .probabilities)),
        .init(name: "MinimaxGAN(outputs: .probabilities)", objective: MinimaxGAN(outputs: .probabilities)),
    ]

    @Test(arguments: objectives, [TensorShape([1]), [6, 1], [2, 3, 2]])
    func gradientsMatchCentralDifferences(_ testCase: GANObjectiveTests.Case, shape: TensorShape) {
        // Probabilities well inside the clamp [1e-7, 1 − 1e-7], so p ± step stays inside.
        let output = Tensor(shape: shape, values: seededValues(shape.elementCount, in: 0.05...0.95, seed: 8))
        for (part, loss) in GANObjectiveTests.losses(testCase.objective) {
            let analytic = loss(output).gradient
            #expect(analytic.shape == shape)
            let numeric = centralDifferenceGradient(of: { loss($0).value }, at: output, step: 1e-3)
            expectApproximatelyEqual(analytic.scalars, numeric, absolute: 1e-4, relative: 5e-3, "\(testCase.name) \(part)")
        }
    }

    /// p = [0.9, 0.2, 0.6], n = 3.
    static let sample = Tensor([0.9, 0.2, 0.6])
    static let ps: [Double] = [Double(Float(0.9)), Double(Float(0.2)), Double(Float(0.6))]
    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    @Test func valuesAndGradientsMatchTheBinaryCrossEntropyFormula() {
        let (ps, t) = (Self.ps, 0.9)
        // Real: −t·log p − (1 − t)·log(1 − p), d/dp = −t/p + (1 − t)/(1 − p); fake: −log(1 − p), d/dp = 1/(1 − p).
        let real = Self.mean(ps.map { -t * log($0) - (1 - t) * log(1 - $0) })
        let realGradient = ps.map { (-t / $0 + (1 - t) / (1 - $0)) / 3 }
        let fake = Self.mean(ps.map { -log(1 - $0) })
        let fakeGradient = ps.map { 1 / (1 - $0) / 3 }
        for testCase in Self.objectives {
            let objective = testCase.objective
            let r = objective.discriminatorRealLoss(Self.sample, realLabel: 0.9)
            expectApproximatelyEqual(r.value, real)
            expectApproximatelyEqual(r.gradient, realGradient, shape: [3])
            let f = objective.discriminatorFakeLoss(Self.sample)
            expectApproximatelyEqual(f.value, fake)
            expectApproximatelyEqual(f.gradient, fakeGradient, shape: [3])
        }
        // Non-saturating generator: −log p, d/dp = −1/p; minimax: log(1 − p), d/dp = −1/(1 − p).
        let nonSaturating = NonSaturatingGAN(outputs: .probabilities).generatorLoss(Self.sample)
        expectApproximatelyEqual(nonSaturating.value, Self.mean(ps.map { -log($0) }))
        expectApproximatelyEqual(nonSaturating.gradient, ps.map { -1 / $0 / 3 })
        let minimax = MinimaxGAN(outputs: .probabilities).generatorLoss(Self.sample)
        expectApproximatelyEqual(minimax.value, Self.mean(ps.map { log(1 - $0) }))
        expectApproximatelyEqual(minimax.gradient, ps.map { -1 / (1 - $0) / 3 })
    }

    @Test func kerasBinaryCrossEntropyOfOneProbability() {
        // keras.losses.binary_crossentropy([[1]], [[0.9]]) = −log 0.9 = 0.105360516; of [[0]] = −log 0.1 = 2.302585.
        let objective = NonSaturatingGAN(outputs: .probabilities)
        expectApproximatelyEqual(objective.discriminatorRealLoss(Tensor([0.9])).value, 0.105360516)
        expectApproximatelyEqual(objective.discriminatorFakeLoss(Tensor([0.9])).value, 2.302585093)
        expectApproximatelyEqual(objective.generatorLoss(Tensor([0.9])).value, 0.105360516)
    }

    @Test(arguments: objectives)
    func saturatedProbabilitiesAreClampedLikeKeras(_ testCase: GANObjectiveTests.Case) {
        // p = 0 and 1 (a saturated sigmoid), and values outside [0, 1]: each is clamped to
        // [ε, 1 − ε], ε = 1e-7 (1 − ε rounded to Float), so the loss is finite and the
        // gradient is 0 where the clamp is flat.
        let epsilon = Double(Float(1e-7)), top = Double(Float(1) - Float(1e-7))
        let outside = Tensor([0, 1, -0.5, 1.5])
        let clamped = [epsilon, top, epsilon, top]
        let real = testCase.objective.discriminatorRealLoss(outside, realLabel: 1)
        expectApproximatelyEqual(real.value, Self.mean(clamped.map { -log($0) }))
        #expect(real.gradient.scalars == [0, 0, 0, 0])
        let fake = testCase.objective.discriminatorFakeLoss(outside)
        expectApproximatelyEqual(fake.value, Self.mean(clamped.map { -log(1 - $0) }))
        #expect(fake.gradient.scalars == [0, 0, 0, 0])
        let generator = testCase.objective.generatorLoss(outside)
        #expect(generator.value.isFinite && generator.gradient.scalars == [0, 0, 0, 0])
        // At most −log ε ≈ 16.118 per element.
        #expect(real.value <= 16.12 && fake.value <= 16.12)
    }

    @Test(arguments: [("NonSaturatingGAN", NonSaturatingGAN() as any GANObjective, NonSaturatingGAN(outputs: .probabilities) as any GANObjective),
                      ("MinimaxGAN", MinimaxGAN(), MinimaxGAN(outputs: .probabilities))])
    func probabilitiesOfASigmoidGiveTheLogitsLoss(name: String, logits: any GANObjective, probabilities: any GANObjective) {
        // D = σ(x): the probability form on σ(x) has the logits form's values, and its
        // gradient times σ'(x) = σ(1 − σ) is the logits form's gradient (the chain rule
        // through the Sigmoid layer). Moderate logits, far from the clamp.
        let x = Tensor([-2.5, -0.3, 0.4, 1.7, 3])
        let sigmoid = Sigmoid()
        let p = sigmoid.forward(x)
        for part in 0..<3 {
            let onLogits = GANObjectiveTests.losses(logits)[part].1(x)
            let onProbabilities = GANObjectiveTests.losses(probabilities)[part].1(p)
            expectApproximatelyEqual(onProbabilities.value, Double(onLogits.value), "\(name) part \(part)")
            let chained = sigmoid.backward(onProbabilities.gradient)
            expectApproximatelyEqual(chained.scalars.map(Double.init), onLogits.gradient.scalars.map(Double.init),
                                     absolute: 1e-6, relative: 1e-4, "\(name) part \(part)")
        }
    }

    @Test func realnessIsTheProbabilityItself() {
        for testCase in Self.objectives {
            #expect(testCase.objective.realness(0.25) == 0.25)
            #expect(testCase.objective.realness(1) == 1 && testCase.objective.realness(0) == 0)
        }
    }

    @Test func logitsStayTheDefault() {
        #expect(NonSaturatingGAN().outputs == .logits && MinimaxGAN().outputs == .logits)
        // The default objective is unchanged bit for bit: the logits loss of the old formula.
        let x = Tensor([1.5, -2, 1.25])
        let loss = BinaryCrossEntropyWithLogits()
        #expect(NonSaturatingGAN().discriminatorRealLoss(x, realLabel: 1) == loss(x, Tensor.ones([3])))
        #expect(NonSaturatingGAN().generatorLoss(x) == loss(x, Tensor.ones([3])))
        #expect(NonSaturatingGAN().discriminatorFakeLoss(x) == loss(x, Tensor.zeros([3])))
    }
}
