import Foundation
import Testing
import GANKit  // not @testable: the documented code must compile against the public API

// Runs the code of Docs/ConditionalGAN.md: the test build compiles it from the document
// itself (Snippets/, written by Scripts/extract-doc-snippets.py).

@Suite struct ConditionalGANDocTests {
    @Test func documentedCodeRunsAndAsksForEveryDigit() throws {
        var rng = SeededGenerator(seed: 5)
        let images = Tensor.randomUniform([128, 1, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
        let labels = Tensor((0..<128).map { Float($0 % 10) })
        let samples = try trainConditionalGAN(images: images, labels: labels, epochs: 1)
        #expect(samples.shape == [80, 1, 28, 28])
        #expect(samples.scalars.allSatisfy { $0.isFinite && abs($0) <= 1 })
        // Rows of different digits differ (the label reaches the generator).
        #expect(samples.slice(0..<8) != samples.slice(8..<16))
    }
}
