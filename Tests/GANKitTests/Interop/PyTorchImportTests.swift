import Foundation
import Testing
@testable import GANKit

/// Generators trained and saved by PyTorch (`safetensors.torch.save_file(model.state_dict())`,
/// Scripts/make-pytorch-fixtures.py) load into the matching GANKit builders and produce
/// PyTorch's images from PyTorch's noise.
@Suite struct PyTorchImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/PyTorch")

    /// Loads `name`'s weights into `network` and returns the largest difference from PyTorch's images.
    func largestDifference(_ name: String, _ network: Sequential) throws -> Float {
        try network.loadSafetensors(from: Self.fixtures.appendingPathComponent("\(name).safetensors"))
        let expected = try SafetensorsFile.read(from: Self.fixtures.appendingPathComponent("\(name).expected.safetensors"))
        let noise = try #require(expected.tensor(named: "noise")), images = try #require(expected.tensor(named: "images"))
        network.isTraining = false
        let output = network.forward(noise)
        #expect(output.shape == images.shape)
        return zip(output.scalars, images.scalars).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func mlpGeneratorMatchesPyTorch() throws {
        var rng = SeededGenerator(seed: 1)
        let configuration = MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 8, 8], generatorHiddenSizes: [16, 32])
        let difference = try largestDifference("mlp-generator", MLPGAN.makeGenerator(configuration, using: &rng))
        #expect(difference < 1e-5, "max |GANKit − PyTorch| = \(difference)")
    }

    @Test func dcganGeneratorWithBatchNormMatchesPyTorch() throws {
        var rng = SeededGenerator(seed: 1)
        let configuration = DCGAN.Configuration(latentDimension: 8, imageSize: 8, channels: 1, baseWidth: 4, depth: 2)
        let difference = try largestDifference("dcgan-generator", DCGAN.makeGenerator(configuration, using: &rng))
        #expect(difference < 1e-5, "max |GANKit − PyTorch| = \(difference)")
    }

    @Test func aPyTorchFileForAnotherArchitectureIsRefusedAndChangesNothing() throws {
        var rng = SeededGenerator(seed: 1)
        let wider = MLPGAN.makeGenerator(MLPGAN.Configuration(latentDimension: 8, imageShape: [1, 8, 8],
                                                              generatorHiddenSizes: [16, 48]), using: &rng)
        let before = wider.parameters.map(\.value)
        let url = Self.fixtures.appendingPathComponent("mlp-generator.safetensors")
        #expect(throws: SafetensorsError(path: url.path, reason: "tensor \"2.weight\" has shape [32, 16], "
                                         + "layer 2 (Dense) expects [48, 16]")) {
            try wider.loadSafetensors(from: url)
        }
        #expect(wider.parameters.map(\.value) == before, "nothing is half-loaded")
    }
}
