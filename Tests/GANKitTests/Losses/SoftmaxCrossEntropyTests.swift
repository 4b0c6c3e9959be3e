import Foundation
import Testing
@testable import GANKit

/// Softmax cross-entropy: reference values, label and one-hot forms, gradient check, stability.
@Suite struct SoftmaxCrossEntropyTests {
    @Test func valueAndGradientMatchNumpy() {
        // x = np.array([[1., 2., -1.], [0.5, 0., 3.]]); labels = [1, 2]
        // ls = x - np.log(np.exp(x).sum(1, keepdims=True))
        // -(ls[0, 1] + ls[1, 2]) / 2                         → 0.236442587568777
        // g = np.exp(ls); g[0, 1] -= 1; g[1, 2] -= 1; g / 2  → [0.12974823017120954, -0.1473077436508795,
        //     0.01755951347966986, 0.03626072284037388, 0.02199324014602892, -0.05825396298640279]
        let logits = Tensor(shape: [2, 3], values: [1, 2, -1, 0.5, 0, 3])
        let expected: [Double] = [0.12974823017120954, -0.1473077436508795, 0.01755951347966986,
                                  0.03626072284037388, 0.02199324014602892, -0.05825396298640279]
        let fromLabels = SoftmaxCrossEntropy()(logits, labels: [1, 2])
        expectApproximatelyEqual(fromLabels.value, 0.236442587568777)
        expectApproximatelyEqual(fromLabels.gradient, expected, shape: [2, 3])
        let fromOneHot = SoftmaxCrossEntropy()(logits, oneHot([1, 2], classes: 3))
        #expect(fromOneHot.value == fromLabels.value)
        expectApproximatelyEqual(fromOneHot.gradient, expected, shape: [2, 3])
    }

    @Test func gradientMatchesFiniteDifferences() {
        // Soft targets (rows summing to 1) exercise the general form.
        let logits = Tensor(shape: [3, 4], values: seededValues(12, in: -2...2, seed: 11))
        let target = Tensor(shape: [3, 4], values: [0.1, 0.2, 0.3, 0.4, 0, 0, 1, 0, 0.25, 0.25, 0.25, 0.25])
        let loss = SoftmaxCrossEntropy()
        let analytic = loss(logits, target).gradient.scalars.map(Double.init)
        let numeric = centralDifferenceGradient(of: { loss($0, target).value }, at: logits, step: 1e-2)
        expectApproximatelyEqual(analytic, numeric, absolute: 1e-4, relative: 1e-2)
        let labels = [3, 0, 2]
        let analyticLabels = loss(logits, labels: labels).gradient.scalars.map(Double.init)
        let numericLabels = centralDifferenceGradient(of: { loss($0, labels: labels).value }, at: logits, step: 1e-2)
        expectApproximatelyEqual(analyticLabels, numericLabels, absolute: 1e-4, relative: 1e-2)
    }

    @Test func hugeLogitsStayFinite() {
        // Confidently right: loss 0, gradient 0. Confidently wrong by 2e4: loss 2e4 / 2 rows = 1e4.
        let logits = Tensor(shape: [2, 2], values: [1e4, -1e4, 1e4, -1e4])
        let (value, gradient) = SoftmaxCrossEntropy()(logits, labels: [0, 1])
        #expect(value == 1e4)
        #expect(gradient.scalars == [0, 0, 0.5, -0.5])
    }
}
