import Foundation
import Testing
@testable import GANKit

@Suite struct MNISTTests {
    @Test func loadScalesToMinusOneOne() throws {
        let dir = try TemporaryDirectory()
        let images = dir.file("images")
        let labels = dir.file("labels")
        try IDXFile(dimensions: [2, 2, 3], bytes: [0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6]).write(to: images)
        try IDXFile(dimensions: [2], bytes: [7, 3]).write(to: labels)
        let data = try ImageDataset.loadIDX(images: images, labels: labels)
        #expect(data.images.shape == [2, 1, 2, 3])
        #expect(data.count == 2)
        #expect(data.labels == [7, 3])
        #expect(data.images[0, 0, 0, 0] == -1)
        #expect(data.images[0, 0, 0, 1] == 1)
        #expect(abs(data.images[0, 0, 0, 2] - (51 / 127.5 - 1)) < 1e-6)
        #expect(try ImageDataset.loadIDX(images: images, labels: nil).labels == nil)
    }

    @Test func labelCountMismatchNamesBothFiles() throws {
        let dir = try TemporaryDirectory()
        let images = dir.file("images")
        let labels = dir.file("labels")
        try IDXFile(dimensions: [2, 1, 1], bytes: [0, 1]).write(to: images)
        try IDXFile(dimensions: [3], bytes: [0, 1, 2]).write(to: labels)
        #expect {
            try ImageDataset.loadIDX(images: images, labels: labels)
        } throws: { error in
            guard let error = error as? IDXError,
                  case .labelCountMismatch(images.path, 2, labels.path, 3) = error else { return false }
            return error.description.contains(images.path) && error.description.contains(labels.path)
                && error.description.contains("2") && error.description.contains("3")
        }
    }

    @Test func wrongRanksAreRejected() throws {
        let dir = try TemporaryDirectory()
        let flat = dir.file("flat")
        try IDXFile(dimensions: [4], bytes: [0, 1, 2, 3]).write(to: flat)
        #expect(throws: IDXError.unexpectedDimensions(file: flat.path, expectedRank: 3, found: [4])) {
            try ImageDataset.loadIDX(images: flat, labels: nil)
        }
        let images = dir.file("images")
        try IDXFile(dimensions: [2, 1, 2], bytes: [0, 1, 2, 3]).write(to: images)
        #expect(throws: IDXError.unexpectedDimensions(file: images.path, expectedRank: 1, found: [2, 1, 2])) {
            try ImageDataset.loadIDX(images: images, labels: images)
        }
    }

    @Test func mnistDirectoryLookup() throws {
        let dir = try TemporaryDirectory()
        #expect {
            try ImageDataset.mnist(directory: dir.url, split: .test)
        } throws: { error in
            guard let error = error as? IDXError, case .missingFile(_, let names) = error else { return false }
            return names.contains("t10k-images-idx3-ubyte") && names.contains("t10k-images-idx3-ubyte.gz")
                && error.description.contains("t10k-images-idx3-ubyte.gz")
        }
        let file = IDXFile(dimensions: [1, 2, 2], bytes: [0, 64, 128, 255])
        try dir.write(Gzip.deflate(file.encoded(), format: .gzip), to: "train-images-idx3-ubyte.gz")
        try IDXFile(dimensions: [1], bytes: [9]).write(to: dir.file("train-labels-idx1-ubyte"))
        let train = try ImageDataset.mnist(directory: dir.url, split: .train)
        #expect(train.images.shape == [1, 1, 2, 2])
        #expect(train.labels == [9])
    }

    @Test func exportRoundTripsBytes() throws {
        let dir = try TemporaryDirectory()
        let bytes = (0..<(3 * 4 * 5)).map { UInt8(($0 * 37) % 256) }
        try IDXFile(dimensions: [3, 4, 5], bytes: bytes).write(to: dir.file("in"))
        let data = try ImageDataset.loadIDX(images: dir.file("in"), labels: nil)
        try exportIDX(data.images, to: dir.file("out"))
        #expect(try IDXFile.read(contentsOf: dir.file("out")) == IDXFile(dimensions: [3, 4, 5], bytes: bytes))
        // [N, H, W] input, clamping, NaN.
        let odd = Tensor(shape: [1, 1, 5], values: [-3, 2, 0, .nan, 0.5])
        try exportIDX(odd, to: dir.file("odd"))
        #expect(try IDXFile.read(contentsOf: dir.file("odd")).bytes == [0, 255, 128, 0, 191])
        // Colour images are written as 4-dim IDX files (ColourExportTests); other ranks are refused.
        #expect(throws: IDXError.self) { try exportIDX(Tensor(zeros: [2, 3]), to: dir.file("matrix")) }
        #expect(throws: IDXError.self) { try exportIDX(Tensor(zeros: [4]), to: dir.file("flat")) }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/work/shared/data/mnist/t10k-images-idx3-ubyte.gz")))
    func realMNISTTestSet() throws {
        let data = try ImageDataset.mnist(directory: URL(fileURLWithPath: "/work/shared/data/mnist"), split: .test)
        #expect(data.images.shape == [10000, 1, 28, 28])
        let labels = try #require(data.labels)
        #expect(labels.count == 10000)
        var counts = [Int](repeating: 0, count: 10)
        for label in labels {
            try #require((0...9).contains(label))
            counts[label] += 1
        }
        #expect(counts.reduce(0, +) == 10000)
        #expect(counts.allSatisfy { $0 > 800 })
        let (low, high) = data.images.withUnsafeBufferPointer { ($0.min() ?? 0, $0.max() ?? 0) }
        #expect(low == -1 && high == 1)
        if let directory = ProcessInfo.processInfo.environment["GANKIT_TEST_OUTPUT"] {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("mnist-test-grid.png")
            try saveImageGrid(data.images.slice(0..<64), columns: 8, to: url)
        }
    }
}
