import Testing
import GANKit  // public API only, as a user would write it

// Docs/MinibatchStdDev.md shows this code verbatim (checked below).
// DOC-BEGIN
func makeMLPDiscriminatorWithMinibatchStdDev(using rng: inout SeededGenerator) -> Sequential {
    Sequential {
        Flatten()                                                        // [N, 784]
        Dense(784, 512, weightInitializer: .pytorchDefault, using: &rng)
        LeakyReLU(alpha: 0.2)
        Dense(512, 256, weightInitializer: .pytorchDefault, using: &rng)
        LeakyReLU(alpha: 0.2)
        MinibatchStdDev(groupSize: 4)                                    // [N, 257]; N divisible by 4 (or N < 4)
        Dense(257, 1, weightInitializer: .pytorchDefault, using: &rng)   // [N, 1]
    }
}
// DOC-END

@Suite struct MinibatchStdDevDocTests {
    @Test func documentShowsTheCode() throws {
        try expectDocument("Docs/MinibatchStdDev.md", containsSnippetOf: #filePath)
    }

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
