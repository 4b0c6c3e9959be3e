import Foundation
import Testing
import GANKit  // public API only, as a user would write it

// Docs/ColourImages.md shows this code verbatim (checked below).
// DOC-BEGIN
/// Loads CIFAR-10 (binary version) or a folder of PNG images as `[N, 3, 32, 32]`
/// in [-1, 1], and saves the first 64 images as a colour grid to look at.
func loadColourImages(from folder: URL, grid: URL) throws -> ImageDataset {
    let isCIFAR = FileManager.default.fileExists(atPath: folder.appendingPathComponent("data_batch_1.bin").path)
    let data = if isCIFAR {
        try ImageDataset.cifar10(directory: folder, split: .train)   // 50,000 images, labels 0–9
    } else {
        try ImageDataset.imageFolder(directory: folder, channels: 3,  // every *.png; subfolders are classes
                                     size: (height: 32, width: 32))   // centre crop, then resize
    }
    try saveImageGrid(data.images.slice(0..<min(64, data.count)), to: grid)
    return data
}

/// The 32×32 RGB DCGAN with the tutorial's optimizers.
func makeColourDCGANTrainer(seed: UInt64) -> Trainer {
    var rng = SeededGenerator(seed: seed)
    let (generator, discriminator) = DCGAN.make(.rgb32, using: &rng)  // [N, 100] → [N, 3, 32, 32] → [N, 1]
    return Trainer(
        generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
        generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 2e-4, beta1: 0.5),
        discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
        latentDimension: 100, seed: seed &+ 1)
}
// DOC-END

@Suite struct ColourImagesDocTests {
    @Test func documentShowsTheSnippet() throws {
        try expectDocument("Docs/ColourImages.md", containsSnippetOf: #filePath)
    }

    @Test func snippetLoadsCIFARAndPNGFoldersAndBuildsTheTrainer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("GANKitDoc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cifar = folder.appendingPathComponent("cifar"), pngs = folder.appendingPathComponent("pngs/cats")
        try FileManager.default.createDirectory(at: cifar, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: pngs, withIntermediateDirectories: true)
        for batch in 1...5 {  // two records per batch: label, then 3072 pixel bytes
            let records = (0..<2).flatMap { [UInt8(batch + $0)] + [UInt8](repeating: UInt8(40 * batch), count: 3072) }
            try Data(records).write(to: cifar.appendingPathComponent("data_batch_\(batch).bin"))
        }
        let grid = folder.appendingPathComponent("grid.png")
        let data = try loadColourImages(from: cifar, grid: grid)
        #expect(data.images.shape == [10, 3, 32, 32])
        #expect(data.labels == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6])
        #expect(try PNG.read(contentsOf: grid).channels == 3)

        try PNG.write(width: 64, height: 48, channels: 3, pixels: [UInt8](repeating: 200, count: 64 * 48 * 3),
                      to: pngs.appendingPathComponent("a.png"))
        let photos = try loadColourImages(from: folder.appendingPathComponent("pngs"), grid: grid)
        #expect(photos.images.shape == [1, 3, 32, 32])
        #expect(photos.classNames == ["cats"])

        let trainer = makeColourDCGANTrainer(seed: 1)
        var rng = SeededGenerator(seed: 2)
        #expect(trainer.sample(noise: Tensor.randomNormal([2, 100], using: &rng)).shape == [2, 3, 32, 32])
    }
}
