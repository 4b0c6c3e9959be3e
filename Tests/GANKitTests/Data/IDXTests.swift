import Foundation
import Testing
@testable import GANKit

@Suite struct IDXTests {
    /// Reads `url` expecting an `IDXError`; checks the case with `matches`
    /// and that the message names the file.
    private func expectError(reading url: URL, sourceLocation: SourceLocation = #_sourceLocation,
                             _ matches: (IDXError) -> Bool) {
        do {
            let file = try IDXFile.read(contentsOf: url)
            Issue.record("expected an IDXError, read \(file.dimensions)", sourceLocation: sourceLocation)
        } catch let error as IDXError {
            #expect(matches(error), "unexpected case: \(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(url.path), "message does not name the file: \(error)",
                    sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected an IDXError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    private let sample = IDXFile(dimensions: [3, 4, 5], bytes: (0..<60).map { UInt8($0 * 4) })

    @Test func plainRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("images-idx3-ubyte")
        try sample.write(to: url)
        #expect(try IDXFile.read(contentsOf: url) == sample)
        #expect(try Data(contentsOf: url).count == 4 + 12 + 60)
        // Overwriting replaces atomically and leaves no temporary files behind.
        try IDXFile(dimensions: [2], bytes: [7, 8]).write(to: url)
        #expect(try IDXFile.read(contentsOf: url).bytes == [7, 8])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["images-idx3-ubyte"])
    }

    @Test func gzipRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let url = try dir.write(Gzip.deflate(sample.encoded(), format: .gzip), to: "images-idx3-ubyte.gz")
        #expect(try IDXFile.read(contentsOf: url) == sample)
    }

    @Test func allRanksAndEmptyDimensions() throws {
        let dir = try TemporaryDirectory()
        for dims in [[5], [2, 3], [1, 2, 3], [2, 1, 2, 2], [0, 28, 28]] {
            let count = dims.reduce(1, *)
            let file = IDXFile(dimensions: dims, bytes: (0..<count).map { UInt8($0 % 256) })
            let url = dir.file("f\(dims.count)")
            try file.write(to: url)
            #expect(try IDXFile.read(contentsOf: url) == file)
        }
    }

    @Test func missingFile() throws {
        let dir = try TemporaryDirectory()
        expectError(reading: dir.file("nope")) { if case .unreadable = $0 { true } else { false } }
    }

    @Test func emptyAndTruncatedHeader() throws {
        let dir = try TemporaryDirectory()
        expectError(reading: try dir.write([], to: "empty")) {
            $0 == .tooShort(file: dir.file("empty").path, needed: 4, found: 0)
        }
        expectError(reading: try dir.write([0, 0, 8], to: "short")) {
            if case .tooShort(_, 4, 3) = $0 { true } else { false }
        }
        // Magic complete but a dimension cut short.
        expectError(reading: try dir.write(Array(idxHeader([10, 28, 28]).prefix(10)), to: "dims")) {
            if case .tooShort(_, 16, 10) = $0 { true } else { false }
        }
    }

    @Test func wrongMagicAndType() throws {
        let dir = try TemporaryDirectory()
        expectError(reading: try dir.write([1, 0, 8, 1, 0, 0, 0, 1, 5], to: "magic")) {
            if case .badMagic(_, [1, 0]) = $0 { true } else { false }
        }
        expectError(reading: try dir.write(idxHeader([2], type: 0x0D) + [0, 0, 0, 0, 0, 0, 0, 0], to: "float")) {
            if case .unsupportedType(_, 0x0D) = $0 { true } else { false }
        }
        let message = IDXError.unsupportedType(file: "x", code: 0x0D).description
        #expect(message.contains("32-bit float") && message.contains("unsigned byte"))
    }

    @Test func zeroAndFiveDimensions() throws {
        let dir = try TemporaryDirectory()
        expectError(reading: try dir.write([0, 0, 8, 0], to: "zero")) {
            if case .unsupportedRank(_, 0) = $0 { true } else { false }
        }
        expectError(reading: try dir.write(idxHeader([1, 1, 1, 1, 1]) + [0], to: "five")) {
            if case .unsupportedRank(_, 5) = $0 { true } else { false }
        }
    }

    @Test func overflowingDimensionsAreRejectedBeforeAllocating() throws {
        let dir = try TemporaryDirectory()
        let huge = UInt32.max
        expectError(reading: try dir.write(idxHeader([huge, huge, huge, huge]), to: "overflow")) {
            if case .sizeOverflow(_, let dims) = $0 { dims.count == 4 } else { false }
        }
        // Fits in Int but exceeds the caller's limit: still no allocation.
        let big = try dir.write(idxHeader([huge, 2]), to: "big")
        #expect {
            try IDXFile.read(contentsOf: big, maximumByteCount: 1 << 20)
        } throws: { error in
            guard case .tooLarge(let file, _, _, 1 << 20)? = error as? IDXError else { return false }
            return file == big.path
        }
    }

    @Test func truncatedPayload() throws {
        let dir = try TemporaryDirectory()
        let url = try dir.write(idxHeader([10, 28, 28]) + [UInt8](repeating: 1, count: 7000), to: "cut")
        expectError(reading: url) { $0 == .truncated(file: url.path, expected: 7840, found: 7000) }
        let message = IDXError.truncated(file: url.path, expected: 7840, found: 7000).description
        #expect(message.contains("truncated: expected 7840 bytes of data, found 7000"))
        // The same inside a (valid) gzip stream.
        let gz = try dir.write(Gzip.deflate(idxHeader([10, 28, 28]) + [UInt8](repeating: 1, count: 100),
                                            format: .gzip), to: "cut.gz")
        expectError(reading: gz) { $0 == .truncated(file: gz.path, expected: 7840, found: 100) }
    }

    @Test func trailingBytes() throws {
        let dir = try TemporaryDirectory()
        let url = try dir.write(idxHeader([2, 2]) + [1, 2, 3, 4, 5, 6], to: "long")
        expectError(reading: url) { $0 == .trailingBytes(file: url.path, expected: 4, extra: 2) }
        let gz = try dir.write(Gzip.deflate(idxHeader([2, 2]) + [1, 2, 3, 4, 5], format: .gzip), to: "long.gz")
        expectError(reading: gz) { $0 == .trailingBytes(file: gz.path, expected: 4, extra: 1) }
    }

    @Test func corruptGzip() throws {
        let dir = try TemporaryDirectory()
        var packed = try Gzip.deflate(sample.encoded(), format: .gzip)
        for index in 10..<min(30, packed.count - 8) { packed[index] = ~packed[index] }
        expectError(reading: try dir.write(packed, to: "bad.gz")) {
            if case .corruptGzip = $0 { true } else { false }
        }
        let whole = try Gzip.deflate(sample.encoded(), format: .gzip)
        expectError(reading: try dir.write(Array(whole.prefix(whole.count - 10)), to: "cut.gz")) {
            if case .corruptGzip = $0 { true } else { false }
        }
        // Only the magic number.
        expectError(reading: try dir.write([0x1F, 0x8B], to: "magic.gz")) {
            if case .corruptGzip = $0 { true } else { false }
        }
    }

    @Test func writeIntoMissingDirectoryFails() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("no/such/dir/file")
        #expect {
            try sample.write(to: url)
        } throws: { error in
            guard case .writeFailed(let file, _)? = error as? IDXError else { return false }
            return file == url.path
        }
    }

    @Test func systemGzipIsReadable() throws {
        let gzip = URL(fileURLWithPath: "/bin/gzip")
        guard FileManager.default.isExecutableFile(atPath: gzip.path) else { return }
        let dir = try TemporaryDirectory()
        let url = dir.file("data-idx3-ubyte")
        try sample.write(to: url)
        let process = Process()
        process.executableURL = gzip
        process.arguments = ["-9", url.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try IDXFile.read(contentsOf: dir.file("data-idx3-ubyte.gz")) == sample)
    }
}
