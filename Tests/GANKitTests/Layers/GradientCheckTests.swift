import Testing
@testable import GANKit

/// A named layer factory with an input shape, so parameterized tests print readable names.
struct LayerCase: CustomTestStringConvertible, Sendable {
    let name: String
    let inputShape: TensorShape
    /// Inputs kept at least this far from 0 (for kinked activations).
    let awayFromZero: Float
    let make: @Sendable () -> any Layer
    var testDescription: String { "\(name) \(inputShape)" }
}

/// N(0, 1) values, pushed to at least `margin` away from zero.
func seededInput(_ shape: TensorShape, seed: UInt64, awayFromZero margin: Float = 0) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor.randomNormal(shape, using: &generator).map { value in
        abs(value) < margin ? (value < 0 ? -margin : margin) + value : value
    }
}

let denseAndActivationCases: [LayerCase] = [
    LayerCase(name: "Dense 5→3", inputShape: [4, 5], awayFromZero: 0) {
        var g = SeededGenerator(seed: 1); return Dense(5, 3, using: &g)
    },
    LayerCase(name: "Dense 7→1 no bias", inputShape: [3, 7], awayFromZero: 0) {
        var g = SeededGenerator(seed: 2); return Dense(7, 1, bias: false, using: &g)
    },
    LayerCase(name: "Dense 12→4 on [2,3,2,2]", inputShape: [2, 3, 2, 2], awayFromZero: 0) {
        var g = SeededGenerator(seed: 3); return Dense(12, 4, using: &g)
    },
    // A batch of 32 with 130 inputs: the unpacked AVX-512 products (DenseProducts).
    LayerCase(name: "Dense 130→20 (unpacked kernel)", inputShape: [32, 130], awayFromZero: 0) {
        var g = SeededGenerator(seed: 6); return Dense(130, 20, using: &g)
    },
    LayerCase(name: "ReLU", inputShape: [3, 6], awayFromZero: 0.05) { ReLU() },
    LayerCase(name: "LeakyReLU 0.2", inputShape: [2, 3, 4], awayFromZero: 0.05) { LeakyReLU(alpha: 0.2) },
    LayerCase(name: "Tanh", inputShape: [4, 5], awayFromZero: 0) { Tanh() },
    LayerCase(name: "Sigmoid", inputShape: [4, 5], awayFromZero: 0) { Sigmoid() },
    LayerCase(name: "Dropout 0.5 (fixed mask)", inputShape: [6, 8], awayFromZero: 0) { Dropout(rate: 0.5, seed: 9) },
    LayerCase(name: "Dropout 0", inputShape: [6, 8], awayFromZero: 0) { Dropout(rate: 0, seed: 9) },
    LayerCase(name: "Reshape", inputShape: [2, 12], awayFromZero: 0) { Reshape([3, 2, 2]) },
    LayerCase(name: "Flatten", inputShape: [2, 3, 2, 2], awayFromZero: 0) { Flatten() },
    LayerCase(name: "Sequential MLP", inputShape: [5, 6], awayFromZero: 0) {
        var g = SeededGenerator(seed: 4)
        return Sequential {
            Dense(6, 8, using: &g)
            LeakyReLU(alpha: 0.2)
            Dropout(rate: 0.3, seed: 5)
            Dense(8, 2, using: &g)
            Tanh()
        }
    },
]

@Suite struct GradientCheckTests {
    @Test(arguments: denseAndActivationCases, KernelLevel.supported)
    func layerGradientsMatchFiniteDifferences(_ layerCase: LayerCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let layer = layerCase.make()
            let input = seededInput(layerCase.inputShape, seed: 11, awayFromZero: layerCase.awayFromZero)
            let report = GradientCheck.run(layer, input: input, stepSize: 1e-2)
            #expect(report.passes(tolerance: 1e-2), "\(layerCase.name):\n\(report)")
            #expect(report.entries.count == 1 + layer.parameters.count)
        }
    }

    @Test(arguments: denseAndActivationCases)
    func inferenceModeGradientsMatch(_ layerCase: LayerCase) {
        let layer = layerCase.make()
        layer.isTraining = false
        let input = seededInput(layerCase.inputShape, seed: 12, awayFromZero: layerCase.awayFromZero)
        let report = GradientCheck.run(layer, input: input)
        #expect(report.passes(tolerance: 1e-2), "\(layerCase.name):\n\(report)")
    }

    @Test func checkerCatchesAWrongBackward() {
        let report = GradientCheck.run(WrongGradientLayer(), inputShape: [3, 4])
        #expect(!report.passes(tolerance: 1e-2))
    }

    @Test func skipLeavesParameterGradientsUntouched() {
        var g = SeededGenerator(seed: 3)
        let layer = Dense(4, 3, using: &g)
        _ = layer.forward(seededInput([2, 4], seed: 1))
        _ = layer.backward(seededInput([2, 3], seed: 2))
        let before = layer.parameters.map(\.gradient)
        _ = layer.forward(seededInput([2, 4], seed: 3))
        let inputGradient = layer.backward(seededInput([2, 3], seed: 4), parameterGradients: .skip)
        #expect(layer.parameters.map(\.gradient) == before)
        #expect(inputGradient.shape == [2, 4])
    }
}

/// Doubles in forward but claims the identity's gradient: the checker must flag it.
final class WrongGradientLayer: ParameterlessLayer {
    var isTraining = true
    func forward(_ input: Tensor) -> Tensor { input * 2 }
    func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor { outputGradient }
    var description: String { "WrongGradientLayer()" }
}
