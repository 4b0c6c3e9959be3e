import Testing
import GANKit  // public API only, as a user would write it

// Docs/SpectralNorm.md shows this code verbatim (checked below).
// DOC-BEGIN
func makeSpectralNormDiscriminator(using rng: inout SeededGenerator) -> Sequential {
    Sequential {
        SpectralNorm(Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, weightInitializer: .dcgan, using: &rng),
                     using: &rng)                                                 // [N, 64, 14, 14]
        LeakyReLU(alpha: 0.2)
        SpectralNorm(Conv2D(64, 128, kernelSize: 4, stride: 2, padding: 1, weightInitializer: .dcgan, using: &rng),
                     using: &rng)                                                 // [N, 128, 7, 7], no BatchNorm
        LeakyReLU(alpha: 0.2)
        Flatten()                                                                 // [N, 6272]
        SpectralNorm(Dense(128 * 7 * 7, 1, weightInitializer: .dcgan, using: &rng), using: &rng)  // [N, 1]
    }
}
// DOC-END

@Suite struct SpectralNormDocTests {
    @Test func documentShowsTheCode() throws {
        try expectDocument("Docs/SpectralNorm.md", containsSnippetOf: #filePath)
    }

    @Test func handBuiltEqualsTheBuilderOption() {
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
        let handBuilt = makeSpectralNormDiscriminator(using: &a)
        var configuration = DCGAN.Configuration.mnist
        configuration.spectralNorm = true
        let built = DCGAN.makeDiscriminator(configuration, using: &b)
        #expect(handBuilt.description == built.description)
        #expect(handBuilt.parameters.map(\.value) == built.parameters.map(\.value))
        #expect(handBuilt.namedBuffers.map(\.path) == ["0.u", "0.v", "2.u", "2.v", "5.u", "5.v"])
        #expect(handBuilt(Tensor(zeros: [2, 1, 28, 28])).shape == [2, 1])
    }
}
