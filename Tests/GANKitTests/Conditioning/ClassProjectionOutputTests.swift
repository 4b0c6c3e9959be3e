import Testing
@testable import GANKit

@Suite struct ClassProjectionOutputTests {
    private func makeLayer() -> ClassProjectionOutput {
        var g = SeededGenerator(seed: 12)
        return ClassProjectionOutput(features: 3, classCount: 2, using: &g)
    }

    @Test func scoreIsLinearPlusClassProjection() {
        let layer = makeLayer()
        layer.linear.weight.value = Tensor(shape: [1, 3], values: [1, 0, -1])
        layer.linear.bias!.value = Tensor([0.5])
        layer.classVectors.weight.value = Tensor(shape: [2, 3], values: [0, 0, 0, 2, 1, 0])
        layer.setClassLabels(Tensor([0, 1]))
        let output = layer(Tensor(shape: [2, 3], values: [1, 2, 3, 1, 2, 3]))
        // Sample 0: (1 − 3) + 0.5 + 0 = −1.5; sample 1: −1.5 + (2·1 + 1·2) = 2.5.
        #expect(output.shape == [2, 1])
        #expect(output.scalars == [-1.5, 2.5])
    }

    @Test func classVectorsStartAtZeroSoTheUntrainedScoreIgnoresTheLabel() {
        let layer = makeLayer()
        let input = seededInput([2, 3], seed: 1)
        layer.setClassLabels(Tensor([0, 0]))
        let first = layer(input)
        layer.setClassLabels(Tensor([1, 1]))
        #expect(layer(input) == first)
    }

    @Test func gradientsMatchFiniteDifferences() {
        for training in [true, false] {
            let layer = makeLayer()
            layer.isTraining = training
            var g = SeededGenerator(seed: 3)
            layer.classVectors.weight.value = Tensor.randomNormal([2, 3], using: &g)
            layer.setClassLabels(Tensor([1, 0, 1, 1]))
            let report = GradientCheck.run(layer, inputShape: [4, 3], seed: 2)
            #expect(report.entries.map(\.name) == ["input", "0.weight", "0.bias", "1.weight"])
            #expect(report.passes(tolerance: 1e-2), "\(report)")
        }
    }

    @Test func projectionDiscriminatorsFromTheBuilders() {
        let conditioning = ClassConditioning(classCount: 10, discriminator: .projection)
        var mlp = MLPGAN.Configuration.small
        mlp.conditioning = conditioning
        var rng = SeededGenerator(seed: 1)
        let d = MLPGAN.makeDiscriminator(mlp, using: &rng)
        #expect((d.layers[1] as? Dense)?.inFeatures == 784, "no label at the input")
        #expect(d.layers.last is ClassProjectionOutput)
        #expect(d.isClassConditioned && d.conditioningClassCount == 10)

        var dcgan = DCGAN.Configuration.mnist
        dcgan.baseWidth = 4
        dcgan.conditioning = conditioning
        let cd = DCGAN.makeDiscriminator(dcgan, using: &rng)
        #expect((cd.layers.first as? Conv2D)?.inChannels == 1)
        cd.setClassLabels(Tensor([3, 7]))
        #expect(cd(Tensor(zeros: [2, 1, 28, 28])).shape == [2, 1])
        #expect(cd.namedParameters.suffix(3).map(\.path) == ["6.0.weight", "6.0.bias", "6.1.weight"])
    }
}
