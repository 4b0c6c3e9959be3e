import Testing
import GANKit  // public API only, as a user would write it

// Runs the code of Docs/SpectralNorm.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct SpectralNormDocTests {
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
