import Foundation
import Testing
import GANKit  // public API only, as a user would write it

// Runs the code of Docs/UsingAModel.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct UsingAModelDocTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("GANKitDoc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func snippetsWriteReadSampleAndExport() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 1)
        let (g, d) = MLPGAN.make(.small, using: &rng)
        let trainer = Trainer(generator: g, discriminator: d, objective: NonSaturatingGAN(),
                              generatorOptimizer: Adam(parameters: g.parameters), discriminatorOptimizer: Adam(parameters: d.parameters),
                              latentDimension: 100, seed: 2)
        trainer.generatorAverage = ExponentialMovingAverage(parameters: g.parameters)
        let images = Tensor.randomUniform([16, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
        try trainer.train(epochs: 1, batchesPerEpoch: 2) { BatchSequence(images, batchSize: 8, seed: 1, epoch: $0) }
        let checkpoint = folder.appendingPathComponent("checkpoint.gankit")
        try trainer.makeCheckpoint().write(to: checkpoint)

        try writeGenerator(trainer: trainer, checkpointURL: checkpoint, out: folder)
        let file = folder.appendingPathComponent("generator.safetensors")
        try sampleFromFile(url: file, grid: folder.appendingPathComponent("grid.png"))
        #expect(try PNG.read(contentsOf: folder.appendingPathComponent("grid.png")).width > 0)
        let fromCheckpoint = try TrainedGenerator(contentsOf: folder.appendingPathComponent("from-checkpoint.safetensors"))
        #expect(fromCheckpoint.sample(count: 3, seed: 5) == trainer.generateSamples(count: 3, seed: 5).images)

        try exportONNX(generator: fromCheckpoint, discriminator: d, out: folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("generator.onnx").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("discriminator.onnx").path))
    }

    @Test func snippetsLoadAStateDictAndACustomLayer() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 3)
        let stateDict = folder.appendingPathComponent("state-dict.safetensors")
        try DCGAN.makeGenerator(.mnist, using: &rng).safetensors().write(to: stateDict)
        try loadPyTorchGenerator(url: stateDict)

        let network = Sequential { Dense(4, 8, using: &rng); Swish(); Dense(8, 2, using: &rng) }
        let url = folder.appendingPathComponent("swish.safetensors")
        try TrainedGenerator(network: network, latentDimension: 4).write(to: url)
        // Registered, the custom layer reads back and samples as the network it was written from.
        #expect(try readGeneratorWithSwish(from: url).sample(count: 2, seed: 1)
                == TrainedGenerator(network: network, latentDimension: 4).sample(count: 2, seed: 1))
        #expect { try TrainedGenerator(contentsOf: url) } throws: { error in
            "\(error)".contains("layer 1 (Swish): unknown layer type; register it in a LayerRegistry")
        }
    }
}
