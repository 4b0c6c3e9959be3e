import Testing
@testable import GANKit

/// The trainer's gradient penalty and class conditioning, end to end on small synthetic problems.
@Suite struct TrainerVariantTests {
    static func mlp(_ sizes: [Int], conditioning classes: Int? = nil, using rng: inout SeededGenerator) -> Sequential {
        Sequential {
            if let classes { ConcatenateClassEmbedding(classCount: classes, dimension: 4, using: &rng) }
            for (index, (from, to)) in zip(sizes, sizes.dropFirst()).enumerated() {
                Dense(from + (index == 0 && classes != nil ? 4 : 0), to, weightInitializer: .pytorchDefault, using: &rng)
                if index < sizes.count - 2 { LeakyReLU(alpha: 0.2) }
            }
        }
    }

    /// Mean ‖∇ₓD‖ over `points`.
    static func meanInputGradientNorm(_ critic: any Layer, at points: Tensor) -> Double {
        let output = critic.forward(points)
        let gradient = critic.backward(Tensor(repeating: 1, shape: output.shape), parameterGradients: .skip)
        let row = points.shape.elementsPerItem
        let values = gradient.scalars
        return (0..<points.shape[0]).map { n in
            values[n * row..<(n + 1) * row].reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
        }.reduce(0, +) / Double(points.shape[0])
    }

    /// Trains a WGAN critic alone (the generator is never updated) for `steps` updates.
    static func trainedCriticGradientNorm(penalty: GradientPenalty?) -> Double {
        var rng = SeededGenerator(seed: 21)
        let generator = mlp([4, 16, 4], using: &rng)
        let critic = mlp([4, 32, 32, 1], using: &rng)
        let trainer = Trainer(generator: generator, discriminator: critic, objective: .wasserstein,
                              generatorOptimizer: SGD(parameters: generator.parameters, learningRate: 0),
                              discriminatorOptimizer: Adam(parameters: critic.parameters, learningRate: 1e-3,
                                                           beta1: 0.5, beta2: 0.9),
                              latentDimension: 4, seed: 22)
        trainer.gradientPenalty = penalty
        let real = TrainerLearningTests.samples(count: 64, seed: 23)
        for _ in 0..<600 { trainer.discriminatorStep(real: real) }
        var probe = SeededGenerator(seed: 24)
        let fake = generator.forward(Tensor.randomNormal([64, 4], using: &probe))
        let midpoints = (real + fake) * 0.5
        return meanInputGradientNorm(critic, at: midpoints)
    }

    @Test func wganGPKeepsTheCriticNearlyOneLipschitz() {
        // Measured after 600 updates: 1.15 with the penalty (slightly above 1, as usual for WGAN-GP);
        // about 200 without it, where nothing bounds the critic's slope.
        let penalized = Self.trainedCriticGradientNorm(penalty: .wassersteinGP(weight: 10))
        let free = Self.trainedCriticGradientNorm(penalty: nil)
        #expect(abs(penalized - 1) < 0.35, "with WGAN-GP: mean ‖∇ₓD‖ = \(penalized)")
        #expect(free > 3, "without a penalty: mean ‖∇ₓD‖ = \(free)")
    }

    @Test func penalizedTrainingIsReproducible() throws {
        func run() throws -> StateSnapshot {
            let trainer = TinyGAN.makeTrainer(dropout: 0.3, objective: .wasserstein)
            trainer.gradientPenalty = .wassersteinGP()
            trainer.discriminatorSteps = 2
            try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(TinyGAN.images(), epoch: $0) }
            return trainerSnapshot(trainer)
        }
        expectIdentical(try run(), try run(), "two seeded WGAN-GP runs")
    }

    @Test func conditionalGeneratorLearnsEachClass() throws {
        // Two classes far apart; a conditional generator must put each class's samples near its own mean.
        let means: [[Float]] = [[2, -1, 0.5, 1.5], [-2, 1, -0.5, -1.5]]
        var data = SeededGenerator(seed: 31)
        let count = 256
        let labels = Tensor((0..<count).map { Float($0 % 2) })
        let images = Tensor(shape: [count, 4]) { index in means[(index / 4) % 2][index % 4] + 0.3 * data.nextNormal() }
        var rng = SeededGenerator(seed: 32)
        let generator = Self.mlp([4, 32, 4], conditioning: 2, using: &rng)
        let discriminator = Self.mlp([4, 32, 1], conditioning: 2, using: &rng)
        let trainer = Trainer(generator: generator, discriminator: discriminator, objective: .leastSquares,
                              generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-3, beta1: 0.5),
                              discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-3,
                                                           beta1: 0.5),
                              latentDimension: 4, seed: 33)
        #expect(trainer.isConditional)
        try trainer.train(epochs: 100, batchesPerEpoch: 8, labeledBatches: { epoch in
            zip(BatchSequence(images, batchSize: 32, seed: 34, epoch: epoch),
                BatchSequence(labels, batchSize: 32, seed: 34, epoch: epoch))
        })
        var probe = SeededGenerator(seed: 35)
        let noise = Tensor.randomNormal([256, 4], using: &probe)
        for (label, mean) in means.enumerated() {
            let samples = trainer.sample(noise: noise, labels: Tensor(repeating: Float(label), shape: [256]))
            let sampleMean = samples.mean(alongAxis: 0).scalars
            let distance = zip(sampleMean, mean).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
            // Measured 0.42 and 0.73. The class means are 5.5 apart, so a generator that
            // ignored the label could at best sit midway, 2.7 from each.
            #expect(distance < 1.3, "class \(label): sample mean \(sampleMean), data mean \(mean)")
        }
    }

    @Test func conditionalModelsNeedLabels() async {
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 1)
            let g = TrainerVariantTests.mlp([4, 8, 4], conditioning: 2, using: &rng)
            let d = TrainerVariantTests.mlp([4, 8, 1], using: &rng)
            let trainer = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                                  generatorOptimizer: SGD(parameters: g.parameters, learningRate: 0.1),
                                  discriminatorOptimizer: SGD(parameters: d.parameters, learningRate: 0.1),
                                  latentDimension: 4, seed: 1)
            _ = trainer.trainStep(real: Tensor(zeros: [2, 4]))
        }
    }
}
