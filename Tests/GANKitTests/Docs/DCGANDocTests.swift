import Testing
import GANKit  // public API only, as a user would write it

// Docs/DCGAN.md shows this code verbatim (checked below).
// DOC-BEGIN
func makeMNISTDCGAN(using rng: inout SeededGenerator) -> (generator: Sequential, discriminator: Sequential) {
    let generator = Sequential {
        Dense(100, 128 * 7 * 7, bias: false, weightInitializer: .dcgan, using: &rng)   // [N, 6272]
        BatchNorm(128 * 7 * 7, weightInitializer: .normal(mean: 1, standardDeviation: 0.02), using: &rng)
        ReLU()
        Reshape([128, 7, 7])                                                             // [N, 128, 7, 7]
        ConvTranspose2D(128, 64, kernelSize: 4, stride: 2, padding: 1, bias: false,
                        weightInitializer: .dcgan, using: &rng)                         // [N, 64, 14, 14]
        BatchNorm(64, weightInitializer: .normal(mean: 1, standardDeviation: 0.02), using: &rng)
        ReLU()
        ConvTranspose2D(64, 1, kernelSize: 4, stride: 2, padding: 1,
                        weightInitializer: .dcgan, using: &rng)                         // [N, 1, 28, 28]
        Tanh()
    }
    let discriminator = Sequential {
        Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, weightInitializer: .dcgan, using: &rng)  // [N, 64, 14, 14]
        LeakyReLU(alpha: 0.2)
        Conv2D(64, 128, kernelSize: 4, stride: 2, padding: 1, bias: false,
               weightInitializer: .dcgan, using: &rng)                                  // [N, 128, 7, 7]
        BatchNorm(128, weightInitializer: .normal(mean: 1, standardDeviation: 0.02), using: &rng)
        LeakyReLU(alpha: 0.2)
        Flatten()                                                                        // [N, 6272]
        Dense(128 * 7 * 7, 1, weightInitializer: .dcgan, using: &rng)                   // [N, 1] logits
    }
    return (generator, discriminator)
}
// DOC-END

@Suite struct DCGANDocTests {
    @Test func handBuiltDCGANEqualsTheBuilder() {
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
        let handBuilt = makeMNISTDCGAN(using: &a)
        let built = DCGAN.make(.mnist, using: &b)
        #expect(handBuilt.generator.description == built.generator.description)
        #expect(handBuilt.discriminator.description == built.discriminator.description)
        for (x, y) in zip(handBuilt.generator.parameters + handBuilt.discriminator.parameters,
                          built.generator.parameters + built.discriminator.parameters) {
            #expect(x.value == y.value)
        }
        var noise = SeededGenerator(seed: 9)
        let z = Tensor.randomNormal([2, 100], using: &noise)
        let images = handBuilt.generator(z)
        #expect(images.shape == [2, 1, 28, 28])
        #expect(handBuilt.discriminator(images).shape == [2, 1])
    }

    @Test func rgbPresetsHaveTheDocumentedShapes() {
        var rng = SeededGenerator(seed: 1)
        for (configuration, size) in [(DCGAN.Configuration.rgb32, 32), (.rgb64, 64)] {
            let (g, d) = DCGAN.make(configuration, using: &rng)
            let images = g(Tensor.randomNormal([2, 100], using: &rng))
            #expect(images.shape == [2, 3, size, size])
            #expect(d(images).shape == [2, 1])
        }
    }

    @Test func docShowsThisCode() throws {
        try expectDocument("Docs/DCGAN.md", containsSnippetOf: #filePath)
    }
}
