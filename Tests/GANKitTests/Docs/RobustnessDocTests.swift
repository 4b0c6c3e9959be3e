import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Runs the code of Docs/Robustness.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct RobustnessDocTests {
    static func makeTrainer() -> Trainer {
        var rng = SeededGenerator(seed: 42)
        let (generator, discriminator) = MLPGAN.make(
            MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 4, 4], generatorHiddenSizes: [16],
                                 discriminatorHiddenSizes: [16]), using: &rng)
        return Trainer(generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
                       generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
                       discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
                       latentDimension: 8, seed: 1)
    }

    /// Two calls (as after a restart) end exactly where one call does.
    @Test func resumingFromTheSavedCheckpointEqualsOneRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-robust-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 5)
        let images = Tensor.randomUniform([256, 1, 4, 4], lowerBound: -1, upperBound: 1, using: &rng)

        let straight = Self.makeTrainer()
        let straightHistory = try trainResumably(straight, images: images, epochs: 2,
                                                 checkpoint: folder.appendingPathComponent("a.gankit"))
        let first = Self.makeTrainer(), second = Self.makeTrainer()
        let url = folder.appendingPathComponent("b.gankit")
        _ = try trainResumably(first, images: images, epochs: 1, checkpoint: url)
        let rest = try trainResumably(second, images: images, epochs: 2, checkpoint: url)
        #expect(straightHistory.batches.count == 8 && rest.batches.count == 4)
        #expect(second.makeCheckpoint().encoded() == straight.makeCheckpoint().encoded())
        #expect(try Data(contentsOf: url) == Data(contentsOf: folder.appendingPathComponent("a.gankit")))
    }
}
