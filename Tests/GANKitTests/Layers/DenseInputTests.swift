import Foundation
import Testing
@testable import GANKit

/// What `Dense` accepts (`Docs/Architecture.md`, the layer contract): any input of
/// rank ≥ 2 whose items hold `inFeatures` elements, read as `[N, inFeatures]`.
@Suite struct DenseInputTests {
    static func makeLayer() -> Dense {
        var rng = SeededGenerator(seed: 3)
        return Dense(784, 256, using: &rng)
    }

    @Test func wrongItemSizeMessageNamesLayerAndBothShapes() {
        #expect(Self.makeLayer().inputShapeProblem(for: [4, 100])
                == "Dense(784 → 256): expected input [N, 784], got [4, 100]")
        #expect(Self.makeLayer().inputShapeProblem(for: [784]) == "Dense(784 → 256): expected input [N, 784], got [784]")
    }

    /// `[N, 28, 28]` is read as `[N, 784]`: the same output, and the input gradient in the input's shape.
    @Test func higherRankInputIsReadAsRows() {
        let layer = Self.makeLayer()
        var rng = SeededGenerator(seed: 9)
        let images = Tensor.randomUniform([4, 28, 28], lowerBound: -1, upperBound: 1, using: &rng)
        #expect(layer.inputShapeProblem(for: images.shape) == nil)
        let flat = layer.forward(images.reshaped(to: [4, 784]))
        let fromImages = layer.forward(images)
        #expect(fromImages.shape == [4, 256])
        #expect(fromImages.scalars == flat.scalars)
        let outputGradient = Tensor.randomUniform([4, 256], lowerBound: -1, upperBound: 1, using: &rng)
        #expect(layer.backward(outputGradient, parameterGradients: .skip).shape == [4, 28, 28])
    }

    /// The layer contract in Docs/Architecture.md shows the real message and says `[64, 28, 28]` is accepted.
    @Test func architectureDocMatchesTheLayer() throws {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        let document = try String(contentsOf: root.appendingPathComponent("Docs/Architecture.md"), encoding: .utf8)
            .replacingOccurrences(of: "\n   ", with: " ")
        let message = try #require(Self.makeLayer().inputShapeProblem(for: [64, 100]))
        #expect(document.contains("`\(message)`"))
        #expect(Self.makeLayer().inputShapeProblem(for: [64, 28, 28]) == nil)
        #expect(document.contains("`[64, 1, 28, 28]` and `[64, 28, 28]` alike"))
    }

    #if os(macOS) || os(Linux) || os(Windows)  // exit tests need a child process
    /// `forward` stops with that message (CI checks the same in a release binary).
    @Test func wrongInputStopsWithTheMessage() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = DenseInputTests.makeLayer().forward(Tensor(zeros: [4, 100]))
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("Dense(784 → 256): expected input [N, 784], got [4, 100]"), "\(message)")
    }
    #endif
}
