import Testing
@testable import GANKit

/// Every damaged or hostile checkpoint throws the right `CheckpointError`, naming the file, and never traps.
@Suite struct CheckpointCorruptionTests {
    static let path = "/runs/mnist/epoch-7.ckpt"

    /// One tensor `"layer.weight"` `[2, 3]`. Byte offsets: header 0..<16 (magic,
    /// version, count), name length 16..<20, name 20..<32, kind 32, rank 33..<37,
    /// dimensions 37..<53, values 53..<77, CRC 77..<81.
    static let valid: [UInt8] = {
        var checkpoint = Checkpoint()
        checkpoint.tensors["layer.weight"] = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        return checkpoint.encoded()
    }()

    /// The bytes before the CRC.
    static var validBody: [UInt8] { Array(valid.dropLast(4)) }

    /// `body` followed by its correct CRC-32, so only structural checks can object.
    static func sealed(_ body: [UInt8]) -> [UInt8] { body + le32(Checkpoint.checksum(body[...])) }

    /// A header claiming `entries` entries.
    static func header(version: UInt32 = 1, entries: UInt32) -> [UInt8] {
        Array("GANKCKPT".utf8) + le32(version) + le32(entries)
    }

    /// One entry as the encoder lays it out.
    static func entry(_ name: [UInt8], kind: UInt8, shape: [UInt64], payload: [UInt8] = []) -> [UInt8] {
        le32(UInt32(name.count)) + name + [kind] + le32(UInt32(shape.count)) + shape.flatMap(le64) + payload
    }

    /// The error `decode` throws for `bytes` (nil if it succeeds); checks that the message names the file.
    static func decodeError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> CheckpointError? {
        do {
            _ = try Checkpoint.decode(bytes, path: path)
            Issue.record("decoding succeeded", sourceLocation: sourceLocation)
            return nil
        } catch let error as CheckpointError {
            #expect(error.description.contains(path), "message \"\(error)\" names the file",
                    sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The reason of a `.malformed` error (nil for any other error).
    static func malformedReason(_ bytes: [UInt8]) -> String? {
        guard case .malformed(_, let reason)? = decodeError(bytes) else { return nil }
        return reason
    }

    @Test func validFileDecodes() throws {
        #expect(Self.valid.count == 81)
        let checkpoint = try Checkpoint.decode(Self.valid, path: Self.path)
        #expect(checkpoint.tensors["layer.weight"]?.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func emptyAndShortFilesAreTruncated() {
        #expect(Self.decodeError([]) == .truncated(path: Self.path, needed: 20, available: 0))
        for cut in [4, 8, 12, 19] {
            #expect(Self.decodeError(Array(Self.valid.prefix(cut))) == .truncated(path: Self.path, needed: 20,
                                                                                  available: cut))
        }
    }

    @Test("truncation past the header breaks the CRC", arguments: [25, 40, 60, 77])
    func truncationIsACorruptFile(cut: Int) {
        // 25: inside the name, 40: inside a dimension, 60: inside the values, 77: CRC missing.
        let error = Self.decodeError(Array(Self.valid.prefix(cut)))
        guard case .checksumMismatch? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test("truncated content with a matching CRC reports what was needed",
          arguments: [(16, 20), (18, 20), (25, 32), (33, 37), (40, 45), (53, 77), (60, 77), (76, 77)])
    func truncatedContentWithValidChecksum(cut: Int, needed: Int) {
        let bytes = Self.sealed(Array(Self.validBody.prefix(cut)))
        #expect(Self.decodeError(bytes) == .truncated(path: Self.path, needed: needed, available: cut))
    }

    @Test func badMagic() {
        var bytes = Self.valid
        bytes[0] = UInt8(ascii: "X")
        #expect(Self.decodeError(bytes) == .badMagic(path: Self.path))
        #expect(Self.decodeError(Array("NOTACKPT..".utf8)) == .badMagic(path: Self.path), "short, but not ours")
        #expect(Self.decodeError(Self.sealed(Array("%PNG\r\n\u{1A}\n".utf8) + le32(1) + le32(0)))
                == .badMagic(path: Self.path))
    }

    @Test func unsupportedVersionIsReportedEvenWithAValidChecksum() {
        var body = Self.validBody
        body.replaceSubrange(8..<12, with: le32(3))
        let error = Self.decodeError(Self.sealed(body))
        #expect(error == .unsupportedVersion(path: Self.path, found: 3, supported: 2))
        #expect(error?.description.contains("version 3") == true)
    }

    @Test func flippedBytesAreChecksumMismatches() {
        let storedCRC = Checkpoint.checksum(Self.validBody[...])
        for offset in [9, 20, 40, 60, 76] {  // version, name, dimension, values (twice)
            var bytes = Self.valid
            bytes[offset] ^= 0x01
            let computed = Checkpoint.checksum(bytes.dropLast(4))
            if offset == 9 {
                // The version is checked before the CRC.
                #expect(Self.decodeError(bytes) == .unsupportedVersion(path: Self.path, found: 0x0101, supported: 2))
            } else {
                #expect(Self.decodeError(bytes) == .checksumMismatch(path: Self.path, stored: storedCRC,
                                                                      computed: computed))
            }
        }
        var badCRC = Self.valid
        badCRC[79] ^= 0x80
        guard case .checksumMismatch(_, let stored, let computed)? = Self.decodeError(badCRC) else {
            Issue.record("expected checksumMismatch"); return
        }
        #expect(computed == storedCRC && stored != storedCRC)
        #expect(CheckpointError.checksumMismatch(path: "c.gankit", stored: 0xAB, computed: 0x12CD).description
                == "checkpoint c.gankit is corrupt or truncated: its CRC-32 is 0x12CD, the file says 0xAB")
    }

    @Test func absurdDimensionsAreRejectedWithoutTrapping() {
        let huge: UInt64 = 1 << 62
        for shape in [[huge], [3, huge], [huge, 8]] {
            let error = Self.decodeError(Self.sealed(Self.header(entries: 1) + Self.entry(Array("w".utf8), kind: 0,
                                                                                           shape: shape)))
            switch error {
            case .truncated?, .malformed?: break
            default: Issue.record("shape \(shape): got \(String(describing: error))")
            }
        }
        // Products that overflow Int, and dimensions above Int.max.
        for shape in [[huge, huge], [UInt64.max], [2, 1 << 63]] {
            let reason = Self.malformedReason(Self.sealed(Self.header(entries: 1)
                                                          + Self.entry(Array("w".utf8), kind: 0, shape: shape)))
            #expect(reason?.contains("impossibly large") == true, "shape \(shape)")
        }
        // A zero dimension must not hide the rest: [0, 2^62, 4] would trap in `elementsPerItem`.
        for shape in [[0, huge, 4], [huge, 0, huge]] {
            let reason = Self.malformedReason(Self.sealed(Self.header(entries: 1)
                                                          + Self.entry(Array("w".utf8), kind: 0, shape: shape)))
            #expect(reason?.contains("impossibly large") == true, "shape \(shape)")
        }
        let integers = Self.sealed(Self.header(entries: 1) + Self.entry(Array("n".utf8), kind: 1, shape: [huge]))
        guard case .truncated? = Self.decodeError(integers) else { Issue.record("integers [2^62]"); return }
        // A count of entries far beyond the file's contents.
        guard case .truncated? = Self.decodeError(Self.sealed(Self.header(entries: .max))) else {
            Issue.record("entry count 2^32 − 1"); return
        }
        // A name length far beyond the file's contents.
        let longName = Self.sealed(Self.header(entries: 1) + le32(.max))
        #expect(Self.decodeError(longName) == .truncated(path: Self.path, needed: 20 + Int(UInt32.max), available: 20))
    }

    @Test func structuralProblemsAreMalformed() {
        let header = Self.header(entries: 1)
        let unknownKind = Self.malformedReason(Self.sealed(header + Self.entry(Array("w".utf8), kind: 7, shape: [1],
                                                                                payload: le32(0))))
        #expect(unknownKind?.contains("unknown kind 7") == true)

        let trailing = Self.malformedReason(Self.sealed(Self.validBody + [0, 0, 0]))
        #expect(trailing?.contains("3 unexpected bytes") == true)

        let rank = Self.malformedReason(Self.sealed(header + Self.entry(Array("w".utf8), kind: 0,
                                                                         shape: Array(repeating: 1, count: 9),
                                                                         payload: le32(0))))
        #expect(rank?.contains("rank 9") == true)

        let integerRank = Self.malformedReason(Self.sealed(header + Self.entry(Array("n".utf8), kind: 1, shape: [1, 1],
                                                                                payload: le64(5))))
        #expect(integerRank?.contains("rank 2") == true)

        let notUTF8 = Self.malformedReason(Self.sealed(header + Self.entry([0x77, 0xFF], kind: 1, shape: [0])))
        #expect(notUTF8?.contains("UTF-8") == true)
    }

    @Test func duplicateNamesAreMalformed() {
        let tensor = Self.entry(Array("a".utf8), kind: 0, shape: [1], payload: le32(0))
        let integers = Self.entry(Array("a".utf8), kind: 1, shape: [1], payload: le64(3))
        for pair in [tensor + tensor, integers + integers] {
            let reason = Self.malformedReason(Self.sealed(Self.header(entries: 2) + pair))
            #expect(reason?.contains("duplicate entry \"a\"") == true)
        }
    }

    @Test func aTensorAndAnIntegerArrayMayShareAName() throws {
        // `Checkpoint` keeps them in separate dictionaries, so the file must allow it too.
        var checkpoint = Checkpoint()
        checkpoint.tensors["a"] = Tensor([1.5])
        checkpoint.integers["a"] = [3]
        let decoded = try Checkpoint.decode(checkpoint.encoded(), path: Self.path)
        #expect(decoded.tensors["a"] == Tensor([1.5]) && decoded.integers["a"] == [3])
    }
}
