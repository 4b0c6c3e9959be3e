import Foundation
import Testing
import GANKit  // public API only, as a user would write it

// Runs the code of Docs/ColourImages.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct ColourImagesDocTests {
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

        // A transparent sprite in a class folder, and a stray file next to it: white, one class, one skipped.
        let sprites = folder.appendingPathComponent("sprites")
        try FileManager.default.createDirectory(at: sprites.appendingPathComponent("elves"), withIntermediateDirectories: true)
        try PNG.write(width: 2, height: 2, channels: 4, pixels: [UInt8](repeating: 0, count: 16),
                      to: sprites.appendingPathComponent("elves/ghost.png"))
        try PNG.write(width: 1, height: 1, channels: 3, pixels: [1, 2, 3], to: sprites.appendingPathComponent("stray.png"))
        let loaded = try loadSprites(from: sprites)
        #expect(loaded.images.shape == [1, 3, 64, 64] && loaded.classNames == ["elves"] && loaded.skippedFiles.count == 1)
        #expect(loaded.images.scalars.allSatisfy { $0 == 1 }, "fully transparent over white is white")

        let trainer = makeColourDCGANTrainer(seed: 1)
        var rng = SeededGenerator(seed: 2)
        #expect(trainer.sample(noise: Tensor.randomNormal([2, 100], using: &rng)).shape == [2, 3, 32, 32])
    }
}
