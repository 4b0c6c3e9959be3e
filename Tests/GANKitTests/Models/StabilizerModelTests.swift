import Testing
@testable import GANKit

/// The `spectralNorm` and `minibatchStdDev` options of the model builders.
@Suite struct StabilizerModelTests {
    @Test func mlpDiscriminatorWithBothOptions() {
        var configuration = MLPGAN.Configuration.small
        configuration.spectralNorm = true
        configuration.minibatchStdDev = true
        var rng = SeededGenerator(seed: 1)
        let (g, d) = MLPGAN.make(configuration, using: &rng)
        let kinds = d.layers.map { String(describing: type(of: $0)) }
        #expect(kinds == ["Flatten", "SpectralNorm<Dense>", "LeakyReLU", "SpectralNorm<Dense>", "LeakyReLU",
                          "MinibatchStdDev", "SpectralNorm<Dense>"])
        #expect(d.layers.last!.description.hasPrefix("SpectralNorm(Dense(257 → 1))"))
        #expect(d.namedBuffers.map(\.path) == ["1.u", "1.v", "3.u", "3.v", "6.u", "6.v"])
        #expect(!g.layers.contains { $0 is SpectralNorm<Dense> })   // the generator is untouched
        var noise = SeededGenerator(seed: 2)
        let images = g(Tensor.randomNormal([8, 100], using: &noise))
        #expect(d(images).shape == [8, 1])
    }

    @Test func dcganDiscriminatorWithSpectralNormDropsBatchNormAndAddsBiases() {
        var configuration = DCGAN.Configuration.mnist
        configuration.spectralNorm = true
        var rng = SeededGenerator(seed: 1)
        let d = DCGAN.makeDiscriminator(configuration, using: &rng)
        let kinds = d.layers.map { String(describing: type(of: $0)) }
        #expect(kinds == ["SpectralNorm<Conv2D>", "LeakyReLU", "SpectralNorm<Conv2D>", "LeakyReLU", "Flatten",
                          "SpectralNorm<Dense>"])
        #expect(d.namedParameters.map(\.path) == ["0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias"])
        #expect(d.namedBuffers.map(\.path) == ["0.u", "0.v", "2.u", "2.v", "5.u", "5.v"])
    }

    @Test func dcganDiscriminatorWithMinibatchStdDev() {
        var configuration = DCGAN.Configuration.mnist
        configuration.minibatchStdDev = true
        var rng = SeededGenerator(seed: 1)
        let d = DCGAN.makeDiscriminator(configuration, using: &rng)
        #expect(d.layers[d.layers.count - 3] is MinibatchStdDev)
        #expect(d.layers.last!.description.hasPrefix("Dense(6321 → 1)"))   // (128 + 1)·7·7
        #expect(d(Tensor(zeros: [4, 1, 28, 28])).shape == [4, 1])
    }

    @Test func defaultsLeaveTheModelsAsBefore() {
        #expect(MLPGAN.Configuration.small.spectralNorm == false && MLPGAN.Configuration.small.minibatchStdDev == false)
        #expect(DCGAN.Configuration.mnist.spectralNorm == false && DCGAN.Configuration.mnist.minibatchStdDev == false)
        var rng = SeededGenerator(seed: 1)
        let d = DCGAN.makeDiscriminator(.mnist, using: &rng)
        #expect(d.layers.contains { $0 is BatchNorm } && !d.layers.contains { $0 is MinibatchStdDev })
    }

    @Test func smallStabilizedDCGANDiscriminatorPassesTheGradientCheck() {
        // Both options together, end to end through the builder, in inference mode
        // (u and v fixed) after a few training forwards. W/σ does not change when W is
        // scaled, so the N(0, 0.02²) weights are scaled by 50 first: a finite-difference
        // step of 1e-2 on weights of 0.02 would be far outside the linear range.
        let configuration = DCGAN.Configuration(imageSize: 8, channels: 1, baseWidth: 2, depth: 2,
                                                spectralNorm: true, minibatchStdDev: true)
        var rng = SeededGenerator(seed: 3)
        let d = DCGAN.makeDiscriminator(configuration, using: &rng)
        for (path, parameter) in d.namedParameters where path.hasSuffix("weight") {
            parameter.value = parameter.value.map { $0 * 50 }
        }
        let input = seededInput([4, 1, 8, 8], seed: 4)
        for _ in 0..<3 { _ = d(input) }
        d.isTraining = false
        let report = GradientCheck.run(d, input: input)
        #expect(report.passes(tolerance: 1e-2), "\(report)")
    }

    @Test func seededBuildsAreIdentical() {
        var configuration = DCGAN.Configuration.mnist
        configuration.spectralNorm = true
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let x = DCGAN.make(configuration, using: &a).discriminator, y = DCGAN.make(configuration, using: &b).discriminator
        #expect(x.parameters.map(\.value) == y.parameters.map(\.value))
        #expect(x.buffers.map(\.value) == y.buffers.map(\.value))
    }
}
