import Testing
import GANKit  // public API only, as a user would write it

// Runs the code of Docs/MinibatchStdDev.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct MinibatchStdDevDocTests {
    @Test func handBuiltEqualsTheBuilderOption() {
        var a = SeededGenerator(seed: 4), b = SeededGenerator(seed: 4)
        let handBuilt = makeMLPDiscriminatorWithMinibatchStdDev(using: &a)
        var configuration = MLPGAN.Configuration.small
        configuration.minibatchStdDev = true
        let built = MLPGAN.makeDiscriminator(configuration, using: &b)
        #expect(handBuilt.description == built.description)
        #expect(handBuilt.parameters.map(\.value) == built.parameters.map(\.value))
        #expect(handBuilt(Tensor(zeros: [64, 1, 28, 28])).shape == [64, 1])
    }
}
