import Foundation
import Testing
import GANKit  // not @testable: the README's code must compile against the public API

// The README's quick-start code, verbatim between the markers.
// README-BEGIN
func trainMNISTGAN(images: Tensor, epochs: Int, outputFolder: URL) throws -> History {
    var rng = SeededGenerator(seed: 42)
    let (generator, discriminator) = MLPGAN.make(.small, using: &rng)
    let trainer = Trainer(
        generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
        generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
        discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
        latentDimension: 100, seed: 1)

    let fixedNoise = Tensor.randomNormal([64, 100], using: &rng)
    trainer.onEpochEnd = { report in
        print("epoch \(report.epoch + 1): D \(report.meanDiscriminatorLoss), G \(report.meanGeneratorLoss)")
        let grid = outputFolder.appendingPathComponent("epoch-\(report.epoch + 1).png")
        try? saveImageGrid(trainer.sample(noise: fixedNoise), to: grid)
        return .continue
    }
    let batches = BatchSequence(images, batchSize: 64, seed: 42)
    let history = try trainer.train(epochs: epochs, batchesPerEpoch: batches.batchCount) { epoch in
        BatchSequence(images, batchSize: 64, seed: 42, epoch: epoch)
    }
    try history.writeCSV(to: outputFolder.appendingPathComponent("history.csv"))
    try history.lossPlot().write(to: outputFolder.appendingPathComponent("losses.png"))
    return history
}
// README-END

@Suite struct ReadmeExampleTests {
    @Test func quickStartRunsOnASmallSlice() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-readme-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 5)
        let images = Tensor.randomUniform([128, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
        let history = try trainMNISTGAN(images: images, epochs: 1, outputFolder: folder)
        #expect(history.batches.count == 2)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("epoch-1.png").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("losses.png").path))
    }

    /// The README must contain the code above verbatim, so the two cannot drift apart.
    @Test func readmeShowsThisCode() throws {
        try expectDocument("README.md", containsSnippetOf: #filePath)
    }
}

/// Expects the document at `documentPath` (relative to the package root) to contain,
/// verbatim, the code between the `// …-BEGIN` and `// …-END` markers of `sourcePath`.
func expectDocument(_ documentPath: String, containsSnippetOf sourcePath: String) throws {
    let source = URL(fileURLWithPath: sourcePath)
    var root = source
    while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
        root = root.deletingLastPathComponent()
    }
    let document = try String(contentsOf: root.appendingPathComponent(documentPath), encoding: .utf8)
    let text = try String(contentsOf: source, encoding: .utf8)
    let begin = try #require(text.range(of: "-BEGIN\n")), end = try #require(text.range(of: "// README-END") ?? text.range(of: "// DOC-END"))
    let snippet = String(text[begin.upperBound..<end.lowerBound])
    #expect(document.contains(snippet), "\(documentPath) no longer contains the code of \(source.lastPathComponent)")
}
