import Foundation
import Testing
@testable import GANKit

@Suite struct CIFAR10Tests {
    /// The byte of record `index` at channel `c`, row `y`, column `x` in the generated files.
    static func pixel(_ index: Int, _ c: Int, _ y: Int, _ x: Int) -> UInt8 {
        UInt8((index * 7 + c * 85 + y * 5 + x * 3) % 256)
    }

    /// `count` records in the official layout, numbered from `first`, labels `first + i` mod 10.
    static func records(_ count: Int, first: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in first..<(first + count) {
            bytes.append(UInt8(index % 10))
            for c in 0..<3 { for y in 0..<32 { for x in 0..<32 { bytes.append(pixel(index, c, y, x)) } } }
        }
        return bytes
    }

    @Test func recordsBecomeScaledNCHWImagesWithLabels() throws {
        let dir = try TemporaryDirectory()
        let a = try dir.write(Self.records(3), to: "a.bin")
        let b = try dir.write(Self.records(2, first: 3), to: "b.bin")
        let data = try ImageDataset.cifar10(files: [a, b])
        #expect(data.images.shape == [5, 3, 32, 32])
        #expect(data.labels == [0, 1, 2, 3, 4])
        #expect(data.classNames?[3] == "cat")
        var mismatches = 0
        for index in 0..<5 {
            for c in 0..<3 {
                for y in 0..<32 {
                    for x in 0..<32 where data.images[index, c, y, x] != Float(Self.pixel(index, c, y, x)) / 127.5 - 1 {
                        mismatches += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
        // The exact ends of the scale: 0 → -1, 255 → 1.
        var record = [UInt8](repeating: 0, count: ImageDataset.cifar10RecordSize)
        record[1] = 255
        record[3072] = 128
        let ends = try ImageDataset.cifar10(files: [try dir.write(record, to: "ends.bin")])
        #expect(ends.images[0, 0, 0, 0] == 1)
        #expect(ends.images[0, 0, 0, 1] == -1)
        #expect(ends.images[0, 2, 31, 31] == 128 / 127.5 - 1)
    }

    @Test func splitsReadTheOfficialFileNamesInOrder() throws {
        let dir = try TemporaryDirectory()
        for batch in 1...5 {
            let bytes = Self.records(2, first: 2 * (batch - 1))
            if batch == 3 {
                try dir.write(Gzip.deflate(bytes, format: .gzip), to: "data_batch_3.bin.gz")
            } else {
                try dir.write(bytes, to: "data_batch_\(batch).bin")
            }
        }
        try dir.write(Self.records(4, first: 6), to: "test_batch.bin")
        let train = try ImageDataset.cifar10(directory: dir.url, split: .train)
        #expect(train.images.shape == [10, 3, 32, 32])
        #expect(train.labels == Array(0..<10))
        #expect(train.images[5, 1, 2, 3] == Float(Self.pixel(5, 1, 2, 3)) / 127.5 - 1)
        let test = try ImageDataset.cifar10(directory: dir.url, split: .test)
        #expect(test.labels == [6, 7, 8, 9])
        #expect(ImageDataset.cifar10FileNames(.test) == ["test_batch.bin"])
    }

    @Test func missingFilesListTheExpectedNamesAndTheSource() throws {
        let dir = try TemporaryDirectory()
        try dir.write(Self.records(1), to: "data_batch_1.bin")
        try dir.write(Self.records(1), to: "data_batch_4.bin")
        let expected = (1...5).map { "data_batch_\($0).bin" }
        #expect {
            try ImageDataset.cifar10(directory: dir.url, split: .train)
        } throws: { error in
            guard let error = error as? CIFAR10Error,
                  error == .missingFiles(directory: dir.url.path,
                                         missing: ["data_batch_2.bin", "data_batch_3.bin", "data_batch_5.bin"],
                                         expected: expected) else { return false }
            let text = error.description
            return text.contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")
                && text.contains("cifar-10-batches-bin") && text.contains("data_batch_5.bin") && text.contains(dir.url.path)
        }
        #expect(throws: CIFAR10Error.missingFiles(directory: dir.url.path, missing: ["test_batch.bin"],
                                                  expected: ["test_batch.bin"])) {
            try ImageDataset.cifar10(directory: dir.url, split: .test)
        }
    }

    @Test func malformedFilesAreDescribed() throws {
        let dir = try TemporaryDirectory()
        let partial = try dir.write(Self.records(2) + [1, 2, 3, 4, 5], to: "partial.bin")
        #expect(throws: CIFAR10Error.partialRecord(file: partial.path, byteCount: 6151)) {
            try ImageDataset.cifar10(files: [partial])
        }
        let text = CIFAR10Error.partialRecord(file: partial.path, byteCount: 6151).description
        #expect(text.contains("3073") && text.contains("6151") && text.contains("2 records") && text.contains("5 bytes"))

        let empty = try dir.write([], to: "empty.bin")
        #expect(throws: CIFAR10Error.empty(file: empty.path)) { try ImageDataset.cifar10(files: [empty]) }

        var bytes = Self.records(3)
        bytes[2 * ImageDataset.cifar10RecordSize] = 10
        let badLabel = try dir.write(bytes, to: "label.bin")
        #expect(throws: CIFAR10Error.invalidLabel(file: badLabel.path, record: 2, label: 10)) {
            try ImageDataset.cifar10(files: [try dir.write(Self.records(1), to: "good.bin"), badLabel])
        }
        #expect(CIFAR10Error.invalidLabel(file: "f", record: 2, label: 10).description.contains("record 2"))

        let missing = dir.file("nothing.bin")
        #expect(throws: CIFAR10Error.unreadable(file: missing.path, reason: "no such file")) {
            try ImageDataset.cifar10(files: [missing])
        }
        #expect(throws: CIFAR10Error.noFiles) { try ImageDataset.cifar10(files: []) }

        let gzip = try Gzip.deflate(Self.records(1), format: .gzip)
        let corrupt = try dir.write(Array(gzip.prefix(gzip.count / 2)), to: "cut.bin.gz")
        #expect {
            try ImageDataset.cifar10(files: [corrupt])
        } throws: { error in
            guard case .corruptGzip(corrupt.path, _)? = error as? CIFAR10Error else { return false }
            return true
        }
    }
}
