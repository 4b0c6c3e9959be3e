import Testing
@testable import GANKit

/// The discriminator's real and fake passes run as one stacked batch when its layers allow it.
@Suite struct JointDiscriminatorTests {
    /// One discriminator update, stacked and separate, from the same state: the same
    /// losses, scores and updated weights up to rounding (the weight gradients sum 2N
    /// rows at once instead of N and N). With dropout both draw the same masks.
    @Test(arguments: [Float(0), 0.4])
    func jointPassMatchesSeparatePasses(dropout: Float) {
        let real = TinyGAN.images(count: TinyGAN.batchSize)
        let joint = TinyGAN.makeTrainer(dropout: dropout), separate = TinyGAN.makeTrainer(dropout: dropout)
        #expect(joint.discriminatesJointly)
        separate.discriminatesJointly = false
        for _ in 0..<3 {
            let a = joint.discriminatorStep(real: real), b = separate.discriminatorStep(real: real)
            #expect(abs(a.loss - b.loss) <= 1e-5 * abs(b.loss), "loss \(a.loss) vs \(b.loss)")
            #expect(abs(a.realScore - b.realScore) <= 1e-5 && abs(a.fakeScore - b.fakeScore) <= 1e-5)
            _ = joint.generatorStep(batchSize: TinyGAN.batchSize)
            _ = separate.generatorStep(batchSize: TinyGAN.batchSize)
        }
        for ((path, p), (_, q)) in zip(joint.discriminator.namedParameters, separate.discriminator.namedParameters) {
            let expected = q.value.scalars.map(Double.init)
            #expect(maxRelativeDifference(p.value.scalars, expected) < 1e-4, "D \(path)")
        }
        for ((path, p), (_, q)) in zip(joint.generator.namedParameters, separate.generator.namedParameters) {
            #expect(maxRelativeDifference(p.value.scalars, q.value.scalars.map(Double.init)) < 1e-4, "G \(path)")
        }
        // Not vacuous: the steps moved the weights.
        let untouched = TinyGAN.makeTrainer(dropout: dropout)
        #expect(StateSnapshot(untouched.discriminator) != StateSnapshot(joint.discriminator))
    }

    /// BatchNorm, minibatch statistics, spectral norm and layers that do not declare
    /// ``SampleIndependentLayer`` keep the two separate passes.
    @Test func onlySampleIndependentDiscriminatorsRunJointly() {
        var rng = SeededGenerator(seed: 1)
        let mlp = MLPGAN.makeDiscriminator(TinyGAN.configuration(dropout: 0.4), using: &rng)
        #expect(mlp.treatsSamplesIndependently)
        let dcgan = DCGAN.makeDiscriminator(DCGAN.Configuration(imageSize: 8, channels: 1, baseWidth: 2, depth: 2),
                                            using: &rng)
        #expect(!dcgan.treatsSamplesIndependently)
        #expect(!Sequential([Dense(4, 4, using: &rng), MinibatchStdDev()]).treatsSamplesIndependently)
        #expect(!SpectralNorm(Dense(4, 1, using: &rng), using: &rng).treatsSamplesIndependently)
        #expect(!Sequential([Dense(4, 4, using: &rng), CountingIdentity()]).treatsSamplesIndependently)

        let g = MLPGAN.makeGenerator(TinyGAN.configuration(), using: &rng)
        func trainer(_ d: any Layer) -> Trainer {
            Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                    generatorOptimizer: SGD(parameters: g.parameters, learningRate: 0.1),
                    discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 0.1),
                    latentDimension: TinyGAN.latentDimension, seed: 1)
        }
        #expect(trainer(mlp).discriminatesJointly)
        #expect(!trainer(dcgan).discriminatesJointly)
    }

    @Test func refusesAJointPassOverBatchNorm() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 1)
            let (g, d) = DCGAN.make(DCGAN.Configuration(imageSize: 8, channels: 1, baseWidth: 2, depth: 2), using: &rng)
            let trainer = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                                  generatorOptimizer: SGD(parameters: g.parameters, learningRate: 0.1),
                                  discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 0.1),
                                  latentDimension: 100, seed: 1)
            trainer.discriminatesJointly = true
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("discriminatesJointly needs a discriminator whose layers are all SampleIndependentLayer"),
                "\(message)")
    }

    @Test func stackingJoinsAlongTheFirstAxis() {
        var buffer = TensorBuffer()
        let a = Tensor(shape: [2, 3]) { Float($0) }, b = Tensor(shape: [1, 3]) { Float(10 + $0) }
        let joined = buffer.stacking(a, b)
        #expect(joined.shape == [3, 3])
        #expect(joined.scalars == [0, 1, 2, 3, 4, 5, 10, 11, 12])
        #expect(joined == Tensor(concatenating: [a, b]))
    }
}

/// A layer that passes its input through but does not declare ``SampleIndependentLayer``
/// (as a user's custom layer would not).
private final class CountingIdentity: ParameterlessLayer {
    var isTraining = true
    var forwardCount = 0
    func forward(_ input: Tensor) -> Tensor {
        forwardCount += 1
        return input
    }
    func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor { outputGradient }
    var description: String { "CountingIdentity" }
}
