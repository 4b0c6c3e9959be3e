import Testing
import GANKit  // public API only, as a user would write it

// Runs the code of Docs/DCGAN.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

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
}
