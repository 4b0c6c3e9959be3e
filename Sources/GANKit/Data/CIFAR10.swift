import Foundation

// CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz,
// extracted as `cifar-10-batches-bin/`): five training batches and one test
// batch of 10 000 records each. A record is 3073 bytes: the label (0–9), then
// the 1024 red, 1024 green and 1024 blue bytes of a 32×32 image, rows top to
// bottom. That is already NCHW, so a record maps straight onto one image.

extension ImageDataset {
    /// Bytes in one CIFAR-10 record: 1 label byte and 3 · 32 · 32 pixel bytes.
    public static let cifar10RecordSize = 1 + 3 * 32 * 32

    /// The ten CIFAR-10 class names, indexed by label.
    public static let cifar10ClassNames = ["airplane", "automobile", "bird", "cat", "deer",
                                           "dog", "frog", "horse", "ship", "truck"]

    /// The batch file names of a CIFAR-10 split: `data_batch_1.bin` … `data_batch_5.bin`
    /// for `.train`, `test_batch.bin` for `.test`.
    public static func cifar10FileNames(_ split: Split) -> [String] {
        split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    }

    /// Loads a CIFAR-10 split from the official binary files in `directory`.
    ///
    /// Reads every batch file of the split (see ``cifar10FileNames(_:)``; each
    /// may also be gzip-compressed as `NAME.bin.gz`) in order. Images become
    /// `[N, 3, 32, 32]` (50 000 for `.train`, 10 000 for `.test`) scaled to
    /// `[-1, 1]` as in ``mnist(directory:split:)`` (byte `x` → `x / 127.5 − 1`),
    /// with one label 0–9 per image.
    /// - Throws: `CIFAR10Error.missingFiles` listing the expected names and where
    ///   the data comes from when a batch file is absent; otherwise as ``cifar10(files:)``.
    public static func cifar10(directory: URL, split: Split) throws -> ImageDataset {
        let names = cifar10FileNames(split)
        var files: [URL] = []
        var missing: [String] = []
        for name in names {
            let plain = directory.appendingPathComponent(name)
            let compressed = directory.appendingPathComponent(name + ".gz")
            if FileManager.default.fileExists(atPath: plain.path) {
                files.append(plain)
            } else if FileManager.default.fileExists(atPath: compressed.path) {
                files.append(compressed)
            } else {
                missing.append(name)
            }
        }
        guard missing.isEmpty else {
            throw CIFAR10Error.missingFiles(directory: directory.path, missing: missing, expected: names)
        }
        return try cifar10(files: files)
    }

    /// Loads CIFAR-10 records from any list of batch files, concatenated in the given order.
    ///
    /// Each file holds whole 3073-byte records (label byte 0–9, then the red,
    /// green and blue 32×32 planes), plain or gzip-compressed. Every file is
    /// validated before the image tensor is allocated.
    /// - Returns: Images `[N, 3, 32, 32]` in `[-1, 1]`, their `N` labels, and ``cifar10ClassNames``.
    /// - Throws: `CIFAR10Error` naming the file and what was expected versus found:
    ///   no files, unreadable, empty, a size that is not a multiple of 3073 bytes,
    ///   a label above 9 (with the record index), corrupt gzip data.
    public static func cifar10(files: [URL]) throws -> ImageDataset {
        guard !files.isEmpty else { throw CIFAR10Error.noFiles }
        var contents: [[UInt8]] = []
        var total = 0
        for file in files {
            let bytes = try CIFAR10Batch.read(file)
            try CIFAR10Batch.validate(bytes, file: file.path)
            contents.append(bytes)
            total += bytes.count / cifar10RecordSize
        }

        let plane = cifar10RecordSize - 1
        var images = Tensor(zeros: [total, 3, 32, 32])
        var labels: [Int] = []
        labels.reserveCapacity(total)
        images.withUnsafeMutableBufferPointer { out in
            guard var target = out.baseAddress else { return }
            for bytes in contents {
                bytes.withUnsafeBufferPointer { input in
                    guard var record = input.baseAddress else { return }
                    for _ in 0..<(input.count / cifar10RecordSize) {
                        labels.append(Int(record[0]))
                        for index in 0..<plane { target[index] = Float(record[1 + index]) / 127.5 - 1 }
                        record += cifar10RecordSize
                        target += plane
                    }
                }
            }
        }
        var dataset = ImageDataset(images: images, labels: labels)
        dataset.classNames = cifar10ClassNames
        return dataset
    }
}

/// Reading and validating one CIFAR-10 batch file.
enum CIFAR10Batch {
    /// Files larger than this (decompressed) are refused: 100 000 records, twice the whole training set.
    static let maximumByteCount = 100_000 * ImageDataset.cifar10RecordSize

    /// The file's bytes, inflated if it is gzip data.
    static func read(_ file: URL) throws -> [UInt8] {
        let raw: [UInt8]
        do { raw = try AtomicFile.read(file) } catch { throw CIFAR10Error.unreadable(file: file.path, reason: error.reason) }
        guard raw.count <= maximumByteCount else {
            throw CIFAR10Error.tooLarge(file: file.path, byteCount: raw.count, limit: maximumByteCount)
        }
        do {
            return try Gzip.decompressIfNeeded(raw, maxOutputSize: maximumByteCount)
        } catch CompressionError.outputLimitExceeded {
            throw CIFAR10Error.tooLarge(file: file.path, byteCount: maximumByteCount + 1, limit: maximumByteCount)
        } catch let error as CompressionError {
            throw CIFAR10Error.corruptGzip(file: file.path, reason: error.description)
        }
    }

    /// Checks that `bytes` are whole records with labels 0–9.
    static func validate(_ bytes: [UInt8], file: String) throws {
        let size = ImageDataset.cifar10RecordSize
        guard !bytes.isEmpty else { throw CIFAR10Error.empty(file: file) }
        guard bytes.count % size == 0 else { throw CIFAR10Error.partialRecord(file: file, byteCount: bytes.count) }
        try bytes.withUnsafeBufferPointer { input in
            for record in 0..<(input.count / size) where input[record * size] > 9 {
                throw CIFAR10Error.invalidLabel(file: file, record: record, label: input[record * size])
            }
        }
    }
}

/// Why CIFAR-10 batch files could not be loaded.
///
/// Every case names the file (or directory) and `description` says what was
/// expected and what was found, e.g.
/// `"/data/data_batch_3.bin: record 17 has label 12; labels must be 0 to 9"`.
public enum CIFAR10Error: Error, Equatable, CustomStringConvertible {
    /// Batch files of the split are absent (`missing`) from `directory`; `expected` lists all the split's names.
    case missingFiles(directory: String, missing: [String], expected: [String])
    /// `cifar10(files:)` was given an empty list.
    case noFiles
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file (after decompression) has no bytes.
    case empty(file: String)
    /// The file's size is not a whole number of 3073-byte records.
    case partialRecord(file: String, byteCount: Int)
    /// A record's label byte is above 9 (`record` counts from 0 within the file).
    case invalidLabel(file: String, record: Int, label: UInt8)
    /// The file is larger than the reader accepts.
    case tooLarge(file: String, byteCount: Int, limit: Int)
    /// The file starts like gzip but does not inflate cleanly.
    case corruptGzip(file: String, reason: String)

    /// A one-line explanation naming the file, what was expected and what was found.
    public var description: String {
        let size = ImageDataset.cifar10RecordSize
        switch self {
        case .missingFiles(let directory, let missing, let expected):
            return "\(directory): missing CIFAR-10 file(s) \(missing.joined(separator: ", ")); expected "
                + "\(expected.joined(separator: ", ")) (plain or .gz). Download the binary version from "
                + "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and extract it: "
                + "the files are in cifar-10-batches-bin/"
        case .noFiles:
            return "CIFAR-10: no batch files given; expected at least one file of 3073-byte records"
        case .unreadable(let file, let reason):
            return "\(file): cannot read CIFAR-10 batch file: \(reason)"
        case .empty(let file):
            return "\(file): file is empty; a CIFAR-10 batch file holds whole records of \(size) bytes"
        case .partialRecord(let file, let byteCount):
            return "\(file): size is not a multiple of the CIFAR-10 record size: expected a multiple of \(size) bytes "
                + "(1 label + 3072 pixel bytes), found \(byteCount) bytes (\(byteCount / size) "
                + (byteCount / size == 1 ? "record" : "records") + " and \(byteCount % size) bytes left over)"
        case .invalidLabel(let file, let record, let label):
            return "\(file): record \(record) (byte offset \(record * size)) has label \(label); "
                + "CIFAR-10 labels must be 0 to 9 — is this a CIFAR-100 or non-CIFAR file?"
        case .tooLarge(let file, let byteCount, let limit):
            return "\(file): \(byteCount) bytes is more than the limit of \(limit) bytes for a CIFAR-10 batch file"
        case .corruptGzip(let file, let reason):
            return "\(file): corrupt gzip data: \(reason)"
        }
    }
}
