import Testing
@testable import GANKit

/// Conv2D, ConvTranspose2D and BatchNorm configurations for the finite-difference checks
/// (the companion of `denseAndActivationCases`).
let convolutionAndNormalizationCases: [LayerCase] = [
    LayerCase(name: "Conv2D 3→4 k3 s1 p1, batch 1", inputShape: [1, 3, 5, 5], awayFromZero: 0) {
        var g = SeededGenerator(seed: 21); return Conv2D(3, 4, kernelSize: 3, stride: 1, padding: 1, using: &g)
    },
    LayerCase(name: "Conv2D 1→4 k4 s2 p1, batch 3", inputShape: [3, 1, 8, 8], awayFromZero: 0) {
        var g = SeededGenerator(seed: 22); return Conv2D(1, 4, kernelSize: 4, stride: 2, padding: 1, using: &g)
    },
    LayerCase(name: "Conv2D 3→2 k(3,2) s(2,1) p(1,0), batch 3", inputShape: [3, 3, 7, 5], awayFromZero: 0) {
        var g = SeededGenerator(seed: 23)
        return Conv2D(3, 2, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), using: &g)
    },
    LayerCase(name: "Conv2D 1→3 k3 no bias, batch 1", inputShape: [1, 1, 6, 6], awayFromZero: 0) {
        var g = SeededGenerator(seed: 24); return Conv2D(1, 3, kernelSize: 3, bias: false, using: &g)
    },
    LayerCase(name: "Conv2D 3→5 k3 s2 p0 no bias, batch 3", inputShape: [3, 3, 7, 7], awayFromZero: 0) {
        var g = SeededGenerator(seed: 25); return Conv2D(3, 5, kernelSize: 3, stride: 2, bias: false, using: &g)
    },
    LayerCase(name: "ConvTranspose2D 3→2 k4 s2 p1, batch 2", inputShape: [2, 3, 4, 4], awayFromZero: 0) {
        var g = SeededGenerator(seed: 26); return ConvTranspose2D(3, 2, kernelSize: 4, stride: 2, padding: 1, using: &g)
    },
    LayerCase(name: "ConvTranspose2D 2→3 k3 s2 p1 op1, batch 2", inputShape: [2, 2, 3, 3], awayFromZero: 0) {
        var g = SeededGenerator(seed: 27)
        return ConvTranspose2D(2, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, using: &g)
    },
    LayerCase(name: "ConvTranspose2D 2→2 k(2,3), batch 2", inputShape: [2, 2, 3, 4], awayFromZero: 0) {
        var g = SeededGenerator(seed: 28); return ConvTranspose2D(2, 2, kernelSize: (2, 3), using: &g)
    },
    LayerCase(name: "BatchNorm 4 on [N, C]", inputShape: [6, 4], awayFromZero: 0) {
        var g = SeededGenerator(seed: 29)
        return warmedUp(BatchNorm(4, weightInitializer: .normal(mean: 1, standardDeviation: 0.3), using: &g), [6, 4])
    },
    LayerCase(name: "BatchNorm 3 on [N, C, H, W]", inputShape: [3, 3, 3, 3], awayFromZero: 0) {
        var g = SeededGenerator(seed: 30)
        return warmedUp(BatchNorm(3, weightInitializer: .normal(mean: 1, standardDeviation: 0.3), using: &g),
                        [3, 3, 3, 3])
    },
    LayerCase(name: "BatchNorm 2 not affine", inputShape: [2, 2, 2, 3], awayFromZero: 0) {
        warmedUp(BatchNorm(2, affine: false), [2, 2, 2, 3])
    },
    LayerCase(name: "Conv2D → BatchNorm → Tanh → ConvTranspose2D", inputShape: [2, 2, 6, 6], awayFromZero: 0) {
        var g = SeededGenerator(seed: 31)
        return Sequential {
            // Weights ≫ the step size: BatchNorm divides out their scale, so with small
            // weights h = 1e-2 is a large relative step and the O(h²) error shows.
            Conv2D(2, 3, kernelSize: 4, stride: 2, padding: 1, bias: false,
                   weightInitializer: .normal(mean: 0, standardDeviation: 1), using: &g)
            BatchNorm(3)
            Tanh()
            ConvTranspose2D(3, 1, kernelSize: 4, stride: 2, padding: 1, using: &g)
        }
    },
]

/// Runs two training batches through `norm` so the running statistics (used in
/// inference mode) are not the trivial 0 and 1, and clears the gradients.
private func warmedUp(_ norm: BatchNorm, _ shape: TensorShape) -> BatchNorm {
    _ = norm.forward(seededInput(shape, seed: 40) * 2 + 1)
    _ = norm.forward(seededInput(shape, seed: 41) * 3 - 1)
    return norm
}

@Suite struct ConvolutionGradientCheckTests {
    @Test(arguments: convolutionAndNormalizationCases, KernelLevel.supported)
    func trainingModeGradientsMatchFiniteDifferences(_ layerCase: LayerCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let layer = layerCase.make()
            let input = seededInput(layerCase.inputShape, seed: 11, awayFromZero: layerCase.awayFromZero)
            let buffers = layer.namedBuffers.map(\.buffer.value)
            let report = GradientCheck.run(layer, input: input, stepSize: 1e-2)
            #expect(report.passes(tolerance: 1e-2), "\(layerCase.name):\n\(report)")
            #expect(report.entries.count == 1 + layer.parameters.count)
            #expect(layer.namedBuffers.map(\.buffer.value) == buffers, "GradientCheck restores running statistics")
        }
    }

    @Test(arguments: convolutionAndNormalizationCases)
    func inferenceModeGradientsMatchFiniteDifferences(_ layerCase: LayerCase) {
        let layer = layerCase.make()
        layer.isTraining = false
        let input = seededInput(layerCase.inputShape, seed: 12, awayFromZero: layerCase.awayFromZero)
        let report = GradientCheck.run(layer, input: input, stepSize: 1e-2)
        #expect(report.passes(tolerance: 1e-2), "\(layerCase.name):\n\(report)")
    }
}
