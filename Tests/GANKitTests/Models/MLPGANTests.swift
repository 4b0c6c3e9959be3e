import Testing
@testable import GANKit

/// MLPGAN builders: shapes, parameter counts, layer lists and initialisation.
@Suite struct MLPGANTests {
    /// (in, out) of every Dense layer, in order.
    static func denseWidths(_ network: Sequential) -> [[Int]] {
        network.layers.compactMap { $0 as? Dense }.map { [$0.inFeatures, $0.outFeatures] }
    }

    /// The layer descriptions, in order.
    static func layerNames(_ network: Sequential) -> [String] { network.layers.map(\.description) }

    static let presets: [(String, MLPGAN.Configuration)] = [("small", .small), ("keras", .keras)]

    @Test("output shapes", arguments: presets)
    func outputShapes(name: String, configuration: MLPGAN.Configuration) {
        var rng = SeededGenerator(seed: 1)
        let (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
        let noise = Tensor.randomNormal([3, 100], using: &rng)
        let images = generator.forward(noise)
        #expect(images.shape == [3, 1, 28, 28])
        #expect(images.scalars.allSatisfy { $0 >= -1 && $0 <= 1 }, "tanh output")
        #expect(discriminator.forward(images).shape == [3, 1])
        #expect(discriminator.forward(Tensor(zeros: [2, 784])).shape == [2, 1], "flat images work too")
    }

    @Test func smallParameterCounts() {
        var rng = SeededGenerator(seed: 1)
        let (generator, discriminator) = MLPGAN.make(.small, using: &rng)
        // G: 100·256+256 + 256·512+512 + 512·784+784 = 25,856 + 131,584 + 402,192
        #expect(generator.parameterCount == 559_632)
        // D: 784·512+512 + 512·256+256 + 256·1+1 = 401,920 + 131,328 + 257
        #expect(discriminator.parameterCount == 533_505)
    }

    @Test func kerasParameterCounts() {
        var rng = SeededGenerator(seed: 1)
        let (generator, discriminator) = MLPGAN.make(.keras, using: &rng)
        // G: 100·256+256 + 256·512+512 + 512·1024+1024 + 1024·784+784
        //  = 25,856 + 131,584 + 525,312 + 803,600
        #expect(generator.parameterCount == 1_486_352)
        // D: as small (dropout has no parameters)
        #expect(discriminator.parameterCount == 533_505)
    }

    @Test func smallLayers() {
        var rng = SeededGenerator(seed: 1)
        let (generator, discriminator) = MLPGAN.make(.small, using: &rng)
        #expect(Self.layerNames(generator) == [
            "Dense(100 → 256)  // 25,856 parameters", "LeakyReLU(alpha: 0.2)",
            "Dense(256 → 512)  // 131,584 parameters", "LeakyReLU(alpha: 0.2)",
            "Dense(512 → 784)  // 402,192 parameters", "Tanh()", "Reshape([1, 28, 28])",
        ])
        #expect(Self.layerNames(discriminator) == [
            "Flatten()", "Dense(784 → 512)  // 401,920 parameters", "LeakyReLU(alpha: 0.2)",
            "Dense(512 → 256)  // 131,328 parameters", "LeakyReLU(alpha: 0.2)", "Dense(256 → 1)  // 257 parameters",
        ])
        #expect(generator.description.hasPrefix("Sequential(\n  (0) Dense(100 → 256)  // 25,856 parameters\n"))
        #expect(generator.description.hasSuffix("\n  (6) Reshape([1, 28, 28])\n)  // 559,632 parameters"))
    }

    @Test func kerasHasDropoutInTheDiscriminatorOnly() {
        var rng = SeededGenerator(seed: 1)
        let (generator, discriminator) = MLPGAN.make(.keras, using: &rng)
        #expect(Self.denseWidths(generator) == [[100, 256], [256, 512], [512, 1024], [1024, 784]])
        #expect(!generator.layers.contains { $0 is Dropout })
        #expect(Self.layerNames(discriminator) == [
            "Flatten()", "Dense(784 → 512)  // 401,920 parameters", "LeakyReLU(alpha: 0.2)", "Dropout(rate: 0.4)",
            "Dense(512 → 256)  // 131,328 parameters", "LeakyReLU(alpha: 0.2)", "Dropout(rate: 0.4)",
            "Dense(256 → 1)  // 257 parameters",
        ])
        // Each dropout layer gets its own seed, so their masks differ.
        let dropouts = discriminator.layers.compactMap { $0 as? Dropout }
        #expect(dropouts.count == 2 && dropouts[0].generator != dropouts[1].generator)
    }

    @Test("weights follow the preset's initialiser; biases start at zero", arguments: presets)
    func initialisation(name: String, configuration: MLPGAN.Configuration) {
        var rng = SeededGenerator(seed: 3)
        let (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
        for dense in (generator.layers + discriminator.layers).compactMap({ $0 as? Dense }) {
            let (fanIn, fanOut) = (Float(dense.inFeatures), Float(dense.outFeatures))
            // small: PyTorch's U(−1/√fanIn, 1/√fanIn); keras: Glorot U(−√(6/(fanIn+fanOut)), …).
            let limit = name == "keras" ? (6 / (fanIn + fanOut)).squareRoot() : 1 / fanIn.squareRoot()
            let weights = dense.weight.value
            #expect(weights.max() <= limit && weights.min() >= -limit, "\(dense)")
            #expect(weights.max() > 0.9 * limit && weights.min() < -0.9 * limit, "\(dense) spans its range")
            #expect(dense.bias?.value.scalars.allSatisfy { $0 == 0 } == true)
        }
    }

    @Test func customConfigurationBuildsTheRightWidths() {
        let configuration = MLPGAN.Configuration(latentDimension: 64, imageShape: [3, 8, 8],
                                                 generatorHiddenSizes: [32, 48, 96], discriminatorHiddenSizes: [40],
                                                 hiddenActivation: .relu)
        var rng = SeededGenerator(seed: 2)
        let (generator, discriminator) = MLPGAN.make(configuration, using: &rng)
        #expect(configuration.imageSize == 192)
        #expect(Self.denseWidths(generator) == [[64, 32], [32, 48], [48, 96], [96, 192]])
        #expect(Self.denseWidths(discriminator) == [[192, 40], [40, 1]])
        #expect(generator.layers.filter { $0 is ReLU }.count == 3 && discriminator.layers.filter { $0 is ReLU }.count == 1)
        #expect(!(generator.layers + discriminator.layers).contains { $0 is LeakyReLU || $0 is Dropout })

        let images = generator.forward(Tensor(zeros: [5, 64]))
        #expect(images.shape == [5, 3, 8, 8])
        #expect(discriminator.forward(images).shape == [5, 1])
    }

    @Test func sameSeedSameWeights() {
        var first = SeededGenerator(seed: 8), second = SeededGenerator(seed: 8)
        let a = MLPGAN.make(.keras, using: &first), b = MLPGAN.make(.keras, using: &second)
        expectIdentical(StateSnapshot(b.generator), StateSnapshot(a.generator), "generator")
        expectIdentical(StateSnapshot(b.discriminator), StateSnapshot(a.discriminator), "discriminator")
        #expect(first == second)
    }
}
