import Foundation
import Testing
@testable import GANKit

/// Images kept as bytes give exactly the floats (and the batches) of the same file loaded as floats.
@Suite struct ImageBytesTests {
    /// An MNIST-style folder with 37 random 5×6 images (train split, no labels).
    static func folder() throws -> (TemporaryDirectory, [UInt8]) {
        let directory = try TemporaryDirectory()
        var rng = SeededGenerator(seed: 4)
        let pixels = (0..<(37 * 5 * 6)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        try directory.write(idxHeader([37, 5, 6]) + pixels, to: "train-images-idx3-ubyte")
        return (directory, pixels)
    }

    @Test(arguments: [PixelRange.minusOneToOne, .zeroToOne])
    func convertsToTheValuesOfTheFloatLoader(range: PixelRange) throws {
        let (directory, pixels) = try Self.folder()
        let bytes = try ImageBytes.mnist(directory: directory.url, split: .train, pixelRange: range)
        let floats = try ImageDataset.mnist(directory: directory.url, split: .train, pixelRange: range).images
        #expect(bytes.shape == [37, 1, 5, 6] && bytes.count == 37)
        #expect(TensorBits(bytes.floats()) == TensorBits(floats))
        #expect(floats.scalars[7] == range.value(ofByte: pixels[7]))
        #expect(TensorBits(bytes.slice(10..<20).floats()) == TensorBits(floats.slice(10..<20)))
    }

    @Test func batchesEqualThoseOfTheFloatTensor() throws {
        let (directory, _) = try Self.folder()
        let bytes = try ImageBytes.mnist(directory: directory.url, split: .train).slice(2..<37)
        let floats = try ImageDataset.mnist(directory: directory.url, split: .train).images.slice(2..<37)
        func batches(_ source: some BatchSource, shuffle: Bool, lastBatch: BatchSequence.LastBatchPolicy = .drop,
                     shard: BatchShard = .whole) -> [TensorBits] {
            BatchSequence(source, batchSize: 8, shuffle: shuffle, seed: 9, epoch: 2, lastBatch: lastBatch, shard: shard)
                .map(TensorBits.init)
        }
        #expect(batches(bytes, shuffle: true) == batches(floats, shuffle: true))
        #expect(batches(bytes, shuffle: false, lastBatch: .keep) == batches(floats, shuffle: false, lastBatch: .keep))
        #expect(batches(bytes, shuffle: false, lastBatch: .keep).last?.shape == [3, 1, 5, 6])
        let shard = BatchShard(index: 1, count: 2)
        #expect(batches(bytes, shuffle: true, shard: shard) == batches(floats, shuffle: true, shard: shard))
        #expect(batches(bytes, shuffle: true, shard: shard).first?.shape == [4, 1, 5, 6])
        // Not vacuous: another epoch visits the images in another order.
        #expect(BatchSequence(bytes, batchSize: 8, seed: 9, epoch: 3).map(TensorBits.init) != batches(bytes, shuffle: true))
    }

    @Test func filesThatAreNotImagesAreRejected() throws {
        let directory = try TemporaryDirectory()
        let labels = try directory.write(idxHeader([4]) + [1, 2, 3, 4], to: "labels")
        #expect(throws: IDXError.unexpectedDimensions(file: labels.path, expectedRank: 3, found: [4])) {
            try ImageBytes.loadIDX(contentsOf: labels)
        }
        #expect(throws: IDXError.self) { try ImageBytes.mnist(directory: directory.url, split: .test) }
    }
}
