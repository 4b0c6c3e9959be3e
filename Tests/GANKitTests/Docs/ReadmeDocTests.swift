import Foundation
import Testing
import GANKit  // not @testable: the README's code must compile against the public API

// Runs the code of README.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct ReadmeDocTests {
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
}
