import Foundation
import Testing
@testable import GANKit

/// Checkpoint encoding round trips and atomic writes.
@Suite struct CheckpointTests {
    /// Values whose bits a careless encoder would change: NaN payloads (quiet
    /// and signalling), both zeros, infinities, subnormals, extremes.
    static let awkwardFloats: [Float] = [
        Float(bitPattern: 0x7FC0_0000), Float(bitPattern: 0x7FC1_2345), Float(bitPattern: 0xFFC0_0001),
        Float(bitPattern: 0x7F80_0001), -0.0, 0, .infinity, -.infinity, .leastNonzeroMagnitude,
        -.leastNormalMagnitude, .greatestFiniteMagnitude, 1, -2.5, .pi,
    ]

    static func sample() -> Checkpoint {
        var checkpoint = Checkpoint()
        checkpoint.tensors["weird"] = Tensor(shape: [2, 7], values: awkwardFloats)
        checkpoint.tensors["empty"] = Tensor(zeros: [0])
        checkpoint.tensors["empty/rows"] = Tensor(zeros: [3, 0])
        checkpoint.tensors["empty/columns"] = Tensor(zeros: [0, 5, 2])
        checkpoint.tensors["scalar"] = Tensor(shape: [], values: [-0.0])
        checkpoint.tensors["image"] = Tensor(shape: [2, 1, 3, 3]) { Float($0) - 8.5 }
        checkpoint.tensors["ünïcødé name ✓"] = Tensor([1, 2])
        checkpoint.integers["counters"] = [0, 1, UInt64.max, 0x0123_4567_89AB_CDEF]
        checkpoint.integers["none"] = []
        return checkpoint
    }

    /// Records an issue unless both checkpoints hold the same names, shapes and bits.
    static func expectBitIdentical(_ actual: Checkpoint, _ expected: Checkpoint,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.tensors.mapValues(TensorBits.init) == expected.tensors.mapValues(TensorBits.init),
                sourceLocation: sourceLocation)
        #expect(actual.integers == expected.integers, sourceLocation: sourceLocation)
    }

    @Test func roundTripIsBitIdentical() throws {
        let original = Self.sample()
        let bytes = original.encoded()
        let decoded = try Checkpoint.decode(bytes)
        Self.expectBitIdentical(decoded, original)
        #expect(decoded.tensors["empty/columns"]?.shape == [0, 5, 2])
        #expect(decoded.tensors["scalar"]?.shape == [])
        #expect(decoded.encoded() == bytes, "encoding is canonical (entries sorted by name)")
    }

    @Test func emptyCheckpointRoundTrips() throws {
        let bytes = Checkpoint().encoded()
        #expect(bytes.count == 8 + 4 + 4 + 4, "magic, version, entry count, CRC")
        let decoded = try Checkpoint.decode(bytes)
        #expect(decoded.tensors.isEmpty && decoded.integers.isEmpty)
    }

    @Test func slicedTensorsStoreOnlyTheirOwnElements() throws {
        let whole = Tensor(shape: [4, 3]) { Float($0) }
        var checkpoint = Checkpoint()
        checkpoint.tensors["slice"] = whole.slice(1..<3)
        let decoded = try Checkpoint.decode(checkpoint.encoded())
        #expect(decoded.tensors["slice"] == Tensor(shape: [2, 3], values: [3, 4, 5, 6, 7, 8]))
    }

    @Test func layoutMatchesTheDocumentedFormat() {
        var checkpoint = Checkpoint()
        checkpoint.tensors["w"] = Tensor(shape: [1, 2], values: [1, -0.0])
        checkpoint.integers["n"] = [7]
        let bytes = checkpoint.encoded()
        var expected = Array("GANKCKPT".utf8) + le32(1) + le32(2)
        expected += le32(1) + Array("w".utf8) + [0] + le32(2) + le64(1) + le64(2)
        expected += le32(Float(1).bitPattern) + le32((-0.0 as Float).bitPattern)
        expected += le32(1) + Array("n".utf8) + [1] + le32(1) + le64(1) + le64(7)
        expected += le32(Checkpoint.checksum(expected[...]))
        #expect(bytes == expected)
    }

    // MARK: - Files

    @Test func writeIsAtomicAndLeavesNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("model.ckpt")
        try Self.sample().write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["model.ckpt"])
        Self.expectBitIdentical(try Checkpoint.read(from: url), Self.sample())

        // An existing file is replaced.
        var other = Checkpoint()
        other.integers["only"] = [42]
        try other.write(to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["model.ckpt"])
        Self.expectBitIdentical(try Checkpoint.read(from: url), other)
    }

    @Test func writeIntoAMissingDirectoryThrowsNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("missing/model.ckpt")
        do {
            try Checkpoint().write(to: url)
            Issue.record("expected FileWriteError")
        } catch let error as FileWriteError {
            #expect(error.path == url.path)
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("does not exist"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    @Test func failedRenameRemovesTheTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        // A non-empty directory where the file should go: rename(2) fails.
        let url = directory.file("model.ckpt")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try directory.write([1], to: "model.ckpt/keep")
        #expect(throws: FileWriteError.self) { try Self.sample().write(to: url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["model.ckpt"])
    }

    @Test func readingAMissingFileThrowsUnreadableNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("absent.ckpt")
        do {
            _ = try Checkpoint.read(from: url)
            Issue.record("expected CheckpointError.unreadable")
        } catch let error as CheckpointError {
            guard case .unreadable(let path, _) = error else { Issue.record("got \(error)"); return }
            #expect(path == url.path && error.description.contains(url.path))
        }
    }

    @Test func readingAnEmptyFileThrowsTruncatedNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write([], to: "empty.ckpt")
        #expect(throws: CheckpointError.truncated(path: url.path, needed: 20, available: 0)) {
            try Checkpoint.read(from: url)
        }
    }
}

/// Little-endian bytes of a 32-bit value.
func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
/// Little-endian bytes of a 64-bit value.
func le64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
