import Testing
@testable import GANKit

/// The messages `forward` stops with on a wrong input shape: each names the layer (as its
/// constructor reads) and both shapes. `forward` calls `requireValidInput`, which stops with
/// exactly `inputShapeProblem(for:)`, so checking that function checks the stop message.
@Suite struct InputShapeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let layer: @Sendable () -> any InputShapeValidating
        let valid: [TensorShape]
        let invalid: TensorShape
        let message: String
        var testDescription: String { message }
    }

    static let cases: [Case] = [
        Case(layer: { var rng = SeededGenerator(seed: 1); return Dense(784, 256, using: &rng) },
             valid: [[64, 784], [64, 1, 28, 28], [64, 28, 28]], invalid: [64, 100],
             message: "Dense(784 → 256): expected input [N, 784], got [64, 100]"),
        Case(layer: { var rng = SeededGenerator(seed: 1); return Dense(3, 2, using: &rng) },
             valid: [[1, 3]], invalid: [3],
             message: "Dense(3 → 2): expected input [N, 3], got [3]"),
        Case(layer: { var rng = SeededGenerator(seed: 1); return Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &rng) },
             valid: [[8, 1, 28, 28], [1, 1, 2, 2]], invalid: [8, 3, 28, 28],
             message: "Conv2D(1 → 64, kernel 4, stride 2, padding 1): expected input [N, 1, H, W], got [8, 3, 28, 28]"),
        Case(layer: { var rng = SeededGenerator(seed: 1); return Conv2D(1, 4, kernelSize: 5, using: &rng) },
             valid: [[2, 1, 5, 5]], invalid: [2, 1, 4, 9],
             message: "Conv2D(1 → 4, kernel 5, stride 1, padding 0): expected input [N, 1, H ≥ 5, W ≥ 5], got [2, 1, 4, 9]"),
        Case(layer: { var rng = SeededGenerator(seed: 1); return ConvTranspose2D(128, 64, kernelSize: 4, stride: 2, padding: 1, using: &rng) },
             valid: [[2, 128, 7, 7]], invalid: [2, 128, 49],
             message: "ConvTranspose2D(128 → 64, kernel 4, stride 2, padding 1): expected input [N, 128, H, W], got [2, 128, 49]"),
        Case(layer: { var rng = SeededGenerator(seed: 1); return ConvTranspose2D(2, 2, kernelSize: 1, padding: 1, using: &rng) },
             valid: [[1, 2, 3, 3]], invalid: [1, 2, 2, 2],
             message: "ConvTranspose2D(2 → 2, kernel 1, stride 1, padding 1): expected input [N, 2, H, W] "
                 + "with a positive output size (here 0 × 0), got [1, 2, 2, 2]"),
        Case(layer: { BatchNorm(64) }, valid: [[8, 64], [8, 64, 7, 7]], invalid: [8, 32, 7, 7],
             message: "BatchNorm(64, momentum 0.1, epsilon 1e-05): expected input [N, 64] or [N, 64, H, W], got [8, 32, 7, 7]"),
        Case(layer: { Reshape([128, 7, 7]) }, valid: [[2, 6272], [2, 128, 49]], invalid: [2, 6000],
             message: "Reshape([128, 7, 7]): expected input [N, …] with 6272 elements per item, got [2, 6000]"),
        Case(layer: { Flatten() }, valid: [[2], [2, 3, 4]], invalid: [],
             message: "Flatten(): expected input [N, …], got []"),
    ]

    @Test(arguments: cases)
    func messageNamesTheLayerAndBothShapes(_ testCase: Case) {
        let layer = testCase.layer()
        #expect(layer.inputShapeProblem(for: testCase.invalid) == testCase.message)
        for shape in testCase.valid { #expect(layer.inputShapeProblem(for: shape) == nil, "\(shape)") }
    }

    /// A shape mismatch between two layers of a model is reported by the layer that
    /// receives the wrong shape, naming it and the shape the previous layer produced.
    @Test func mismatchInsideASequentialNamesTheReceivingLayer() {
        var rng = SeededGenerator(seed: 1)
        let first = Dense(4, 8, using: &rng), second = Dense(6, 1, using: &rng)
        let model = Sequential { first; ReLU(); second }
        let hidden = model.layers[1].forward(first.forward(Tensor(zeros: [2, 4])))
        #expect(second.inputShapeProblem(for: hidden.shape) == "Dense(6 → 1): expected input [N, 6], got [2, 8]")
    }
}
