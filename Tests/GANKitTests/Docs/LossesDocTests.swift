import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Runs the code of Docs/Losses.md and Docs/EMA.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct LossesDocTests {
    @Test func documentedTrainerSamplesWithTheAverage() throws {
        var rng = SeededGenerator(seed: 4)
        let (generator, discriminator) = MLPGAN.make(
            MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                                 discriminatorHiddenSizes: [16]), using: &rng)
        let trainer = makeHingeTrainer(generator: generator, discriminator: discriminator, latentDimension: 8)
        let images = Tensor.randomUniform([64, 1, 4, 4], lowerBound: -1, upperBound: 1, using: &rng)
        try trainer.train(epochs: 3, batchesPerEpoch: 4) { BatchSequence(images, batchSize: 16, seed: 2, epoch: $0) }
        let noise = Tensor.randomNormal([4, 8], using: &rng)
        let averaged = trainer.sample(noise: noise)
        generator.isTraining = false
        let live = generator(noise)
        #expect(averaged != live, "sampling must use the average, not the live weights")
    }
}

@Suite struct ProbabilityObjectiveDocTests {
    @Test func documentedDiscriminatorUpdateLowersTheLossOfItsBatch() {
        var rng = SeededGenerator(seed: 5)
        let (_, discriminator) = MLPGAN.make(
            MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                                 discriminatorHiddenSizes: [16]), using: &rng)
        let optimizer = SGD(parameters: discriminator.parameters, learningRate: 0.1)
        let real = Tensor.randomUniform([8, 1, 4, 4], lowerBound: 0.5, upperBound: 1, using: &rng)
        let fake = Tensor.randomUniform([8, 1, 4, 4], lowerBound: -1, upperBound: -0.5, using: &rng)
        let first = discriminatorUpdate(discriminator, optimizer: optimizer, objective: .nonSaturating, real: real, fake: fake)
        var last = first
        for _ in 0..<20 {
            last = discriminatorUpdate(discriminator, optimizer: optimizer, objective: .nonSaturating, real: real, fake: fake)
        }
        #expect(last < first, "\(first) → \(last)")
    }

    @Test func documentedMinimalKerasGANWritesItsOutputsFromZeroOne() throws {
        // 64 MNIST-sized images (one batch) in a folder of their own: one step, one epoch.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-minimal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 64, 0, 0, 0, 28, 0, 0, 0, 28]
        var rng = SeededGenerator(seed: 6)
        header += (0..<64 * 784).map { _ -> UInt8 in rng.next() % 4 == 0 ? 255 : 0 }
        try Data(header).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        let out = folder.appendingPathComponent("out")
        try trainMinimalKerasGAN(mnist: folder, epochs: 1, out: out)
        for name in ["samples/epoch-001.png", "samples.png", "samples.idx"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        // A sigmoid generator's samples, exported from [0, 1]: dark bytes occur (from [-1, 1] none would be < 128).
        let samples = try Data(contentsOf: out.appendingPathComponent("samples.idx")).dropFirst(16)
        #expect(samples.count == 1000 * 784 && samples.min()! < 128)
    }
}
