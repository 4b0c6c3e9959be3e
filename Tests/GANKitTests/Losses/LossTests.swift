import Foundation
import Testing
@testable import GANKit

/// Value, gradient and stability tests for the element-wise losses.
@Suite struct LossTests {
    // MARK: - Hand-computed values

    @Test func binaryCrossEntropyValueAndGradient() {
        // p = [0.9, 0.2], t = [1, 0], n = 2
        // L = −(ln 0.9 + ln 0.8) / 2 = (0.1053605 + 0.2231436) / 2 = 0.1642520
        // dL/dp = (p − t) / (p(1 − p)) / n = [−0.1 / 0.09 / 2, 0.2 / 0.16 / 2] = [−0.5555556, 0.625]
        let (value, gradient) = BinaryCrossEntropy()(Tensor([0.9, 0.2]), Tensor([1, 0]))
        expectApproximatelyEqual(value, 0.164252033)
        expectApproximatelyEqual(gradient, [-0.5555556, 0.625], shape: [2])
    }

    @Test func binaryCrossEntropyClampsLikeKeras() {
        // ε = Float(1e-7); 1 − ε rounds to 0.99999988 in Float (as in Keras' float32 clip).
        // p = 0, t = 1:  −ln ε             = 16.1180956
        // p = 1, t = 0:  −ln(1 − 0.99999988) = −ln(1.1920929e-7) = 15.9423852
        // p = −0.5 and p = 1.5 clamp the same way. Mean = (16.1180956 + 15.9423852) / 2 = 16.0302404.
        // Outside the clamp the loss is flat, so the gradient is 0.
        let (value, gradient) = BinaryCrossEntropy()(Tensor([0, 1, -0.5, 1.5]), Tensor([1, 0, 1, 0]))
        expectApproximatelyEqual(value, 16.0302404)
        #expect(gradient.scalars == [0, 0, 0, 0])
    }

    @Test func binaryCrossEntropyWithLogitsValueAndGradient() {
        // x = [2, −1, 0], t = [1, 0, 0.5], term = max(x, 0) − x·t + log1p(e^−|x|):
        //   2 − 2 + ln(1 + e^−2)  = 0.1269280
        //   0 − 0 + ln(1 + e^−1)  = 0.3132617
        //   0 − 0 + ln 2          = 0.6931472      mean = 1.1333369 / 3 = 0.3777790
        // dL/dx = (σ(x) − t) / 3 = [(0.8807971 − 1) / 3, 0.2689414 / 3, 0] = [−0.0397343, 0.0896471, 0]
        let (value, gradient) = BinaryCrossEntropyWithLogits()(Tensor([2, -1, 0]), Tensor([1, 0, 0.5]))
        expectApproximatelyEqual(value, 0.377778960)
        expectApproximatelyEqual(gradient, [-0.0397343073, 0.0896471405, 0], shape: [3])
    }

    @Test func meanSquaredErrorValueAndGradient() {
        // p − t = [1, 0, −2]; L = (1 + 0 + 4) / 3 = 1.6666667; dL/dp = 2·[1, 0, −2] / 3
        let (value, gradient) = MeanSquaredError()(Tensor([1, 2, 3]), Tensor([0, 2, 5]))
        expectApproximatelyEqual(value, 5.0 / 3)
        expectApproximatelyEqual(gradient, [2.0 / 3, 0, -4.0 / 3], shape: [3])
    }

    @Test func logitsLossMatchesSigmoidThenCrossEntropy() {
        // Away from the clamp the two forms agree: BCE(σ(x), t) = BCEWithLogits(x, t).
        let logits = Tensor(shape: [2, 3], values: [-3, -0.5, 0.1, 0.7, 2, 4])
        let target = Tensor(shape: [2, 3], values: [0, 1, 0.3, 1, 0, 0.9])
        let probabilities = Tensor(shape: [2, 3], values: logits.scalars.map { 1 / (1 + exp(-$0)) })
        let fromLogits = BinaryCrossEntropyWithLogits()(logits, target)
        let fromProbabilities = BinaryCrossEntropy()(probabilities, target)
        expectApproximatelyEqual(fromLogits.value, Double(fromProbabilities.value), relative: 1e-5)
    }

    // MARK: - Finite differences

    /// A loss, its name, an input range that keeps finite differences away from
    /// the clamp, and a step small enough for its curvature (log p bends sharply near 0).
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var loss: any Loss
        var range: ClosedRange<Float>
        var step: Float
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "BinaryCrossEntropy", loss: BinaryCrossEntropy(), range: 0.1...0.9, step: 1e-3),
        Case(name: "BinaryCrossEntropyWithLogits", loss: BinaryCrossEntropyWithLogits(), range: -6...6, step: 1e-2),
        Case(name: "MeanSquaredError", loss: MeanSquaredError(), range: -3...3, step: 1e-2),
    ]

    @Test(arguments: cases, [TensorShape([1]), [5], [4, 1], [2, 3, 2]])
    func gradientMatchesCentralDifferences(_ testCase: Case, shape: TensorShape) {
        let n = shape.elementCount
        let prediction = Tensor(shape: shape, values: seededValues(n, in: testCase.range, seed: 1))
        let target = Tensor(shape: shape, values: seededValues(n, in: 0...1, seed: 2))
        let (_, analytic) = testCase.loss(prediction, target)
        let numeric = centralDifferenceGradient(of: { testCase.loss($0, target).value }, at: prediction,
                                                step: testCase.step)
        // The loss value is a Float (≈ 6e-8 rounding near 1), so the difference quotient
        // carries ≈ 6e-8 / (2·step) of noise: hence the absolute term.
        expectApproximatelyEqual(analytic.scalars, numeric, absolute: 1e-4, relative: 5e-3, testCase.name)
    }

    // MARK: - Stability

    @Test func logitsLossIsStableAtLargeMagnitudes() {
        // x = [100, −100, 1e4, −1e4], t = [1, 1, 0, 0]; terms max(x, 0) − x·t + log1p(e^−|x|):
        //   100 − 100 + 3.7e−44 ≈ 0,   0 + 100 + 3.7e−44 ≈ 100,   1e4 − 0 + 0 = 1e4,   0 + 0 + 0 = 0
        // mean = (100 + 1e4) / 4 = 2525
        // dL/dx = (σ(x) − t) / 4 = [≈ −9e−45, −0.25, 0.25, 0]
        let (value, gradient) = BinaryCrossEntropyWithLogits()(Tensor([100, -100, 1e4, -1e4]), Tensor([1, 1, 0, 0]))
        #expect(value.isFinite)
        expectApproximatelyEqual(value, 2525)
        #expect(gradient.scalars.allSatisfy { $0.isFinite })
        expectApproximatelyEqual(gradient, [0, -0.25, 0.25, 0], absolute: 1e-12)
    }

    @Test func logitsLossIsExactWhenConfidentlyRight() {
        // x = ±1e4 on the right side of t: loss 0 and gradient 0, no NaN from ∞ − ∞.
        let (value, gradient) = BinaryCrossEntropyWithLogits()(Tensor([1e4, -1e4]), Tensor([1, 0]))
        #expect(value == 0)
        #expect(gradient.scalars == [0, 0])
    }

    @Test func crossEntropyOnSaturatedProbabilitiesIsFinite() {
        let (value, gradient) = BinaryCrossEntropy()(Tensor([1, 0]), Tensor([1, 0]))
        #expect(value.isFinite && value >= 0 && value < 1e-5)
        #expect(gradient.scalars.allSatisfy { $0.isFinite })
    }

    // MARK: - API

    @Test func shapeMismatchMessageNamesBothShapes() {
        #expect(lossShapeError(loss: "BinaryCrossEntropy", prediction: [64, 1], target: [32, 1])
            == "BinaryCrossEntropy: prediction [64, 1] and target [32, 1] differ")
    }

    @Test func evaluateReusesItsGradientStorage() {
        let loss = MeanSquaredError()
        var scratch = TensorBuffer()
        let prediction = Tensor(shape: [8, 1], values: (0..<8).map(Float.init))
        let target = Tensor(zeros: [8, 1])
        var addresses: [UnsafePointer<Float>?] = []
        for _ in 0..<3 {
            let result = loss.evaluate(prediction, target, gradient: &scratch)
            addresses.append(result.gradient.withUnsafeBufferPointer(\.baseAddress))
        }
        #expect(addresses[1] == addresses[0] && addresses[2] == addresses[0])
    }

    @Test func evaluateWithBufferEqualsCallAsFunction() {
        let prediction = Tensor(shape: [3, 2], values: [0.1, 0.5, 0.9, 0.3, 0.7, 0.2])
        let target = Tensor(shape: [3, 2], values: [0, 1, 1, 0, 1, 0])
        var scratch = TensorBuffer()
        let losses: [any Loss] = [BinaryCrossEntropy(), BinaryCrossEntropyWithLogits(), MeanSquaredError()]
        for loss in losses {
            let buffered = loss.evaluate(prediction, target, gradient: &scratch)
            let fresh = loss(prediction, target)
            #expect(buffered.value == fresh.value && buffered.gradient == fresh.gradient)
        }
    }

    @Test func staticShorthandsBuildTheLosses() {
        func value(_ loss: some Loss) -> Float { loss(Tensor([0.5]), Tensor([1])).value }
        #expect(value(.meanSquaredError) == 0.25)
        #expect(value(.binaryCrossEntropy) == value(BinaryCrossEntropy()))
        #expect(value(.binaryCrossEntropyWithLogits) == value(BinaryCrossEntropyWithLogits()))
    }
}
