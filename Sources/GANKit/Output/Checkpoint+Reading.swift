import Foundation

/// Why a checkpoint could not be read or applied. Each message says which
/// file or tensor, what was expected and what was found.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The file is shorter than its contents claim.
    case truncated(path: String, needed: Int, available: Int)
    /// The first 8 bytes are not `GANKCKPT`.
    case badMagic(path: String)
    /// Written by a format version this build does not read.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The stored CRC-32 does not match the contents.
    case checksumMismatch(path: String, stored: UInt32, computed: UInt32)
    /// A structural problem (bad kind, absurd size, duplicate name, trailing bytes).
    case malformed(path: String, reason: String)
    /// The model or optimizer expects a tensor the checkpoint lacks.
    case missingEntry(name: String)
    /// A stored tensor's shape differs from the model's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// The checkpoint holds tensors the model does not have.
    case unexpectedEntries(names: [String])
    /// An entry has the right shape but a value that cannot be used (`reason` says why).
    case invalidEntry(name: String, reason: String)
    /// The checkpoint was made with other settings than the trainer restoring it has,
    /// e.g. `setting` "generator average (EMA)", `checkpoint` "decay 0.999", `current` "none".
    case settingsMismatch(setting: String, checkpoint: String, current: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read checkpoint \(path): \(reason)"
        case .truncated(let path, let needed, let available):
            "checkpoint \(path) is truncated: needed \(needed) bytes, found \(available)"
        case .badMagic(let path): "\(path) is not a GANKit checkpoint (expected magic GANKCKPT)"
        case .unsupportedVersion(let path, let found, let supported):
            "checkpoint \(path) has format version \(found); this build reads versions 1 to \(supported)"
        case .checksumMismatch(let path, let stored, let computed):
            "checkpoint \(path) is corrupt or truncated: its CRC-32 is \(hex(computed)), the file says \(hex(stored))"
        case .malformed(let path, let reason): "checkpoint \(path) is malformed: \(reason)"
        case .missingEntry(let name): "checkpoint has no entry \"\(name)\""
        case .shapeMismatch(let name, let expected, let found):
            "checkpoint entry \"\(name)\" has shape \(found), the model expects \(expected)"
        case .unexpectedEntries(let names):
            "checkpoint has entries the model does not: \(names.prefix(5).joined(separator: ", "))"
                + (names.count > 5 ? " and \(names.count - 5) more" : "")
        case .invalidEntry(let name, let reason): "checkpoint entry \"\(name)\" is invalid: \(reason)"
        case .settingsMismatch(let setting, let checkpoint, let current):
            "the checkpoint was trained with a different \(setting): it has \(checkpoint), this run has \(current)"
        }
    }
}

private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }

extension Checkpoint {
    /// Reads and fully validates a checkpoint file (magic, version, checksum,
    /// every size against the file length) before allocating any tensor.
    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode([UInt8](data), path: url.path)
    }

    /// Decodes checkpoint bytes; `path` names the source in error messages.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> Checkpoint {
        var reader = ByteReader(bytes: bytes, path: path)
        let headerSize = magic.count + 4 + 4 + 4
        guard bytes.count >= headerSize else {
            if bytes.count >= magic.count && Array(bytes.prefix(magic.count)) != magic { throw CheckpointError.badMagic(path: path) }
            throw CheckpointError.truncated(path: path, needed: headerSize, available: bytes.count)
        }
        guard Array(bytes.prefix(magic.count)) == magic else { throw CheckpointError.badMagic(path: path) }
        reader.position = magic.count
        let version = try reader.read(UInt32.self)
        guard (1...Self.version).contains(version) else {
            throw CheckpointError.unsupportedVersion(path: path, found: version, supported: Self.version)
        }
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        let computed = checksum(bytes[..<(bytes.count - 4)])
        guard stored == computed else {
            throw CheckpointError.checksumMismatch(path: path, stored: stored, computed: computed)
        }
        reader.end = bytes.count - 4
        var checkpoint = Checkpoint()
        let entryCount = try reader.read(UInt32.self)
        for _ in 0..<entryCount {
            let nameLength = Int(try reader.read(UInt32.self))
            guard let name = String(validating: try reader.take(nameLength), as: UTF8.self) else {
                throw CheckpointError.malformed(path: path, reason: "entry name is not UTF-8")
            }
            let kind = try reader.read(UInt8.self)
            // Tensors and integer arrays are separate namespaces, as in `Checkpoint`
            // itself, so everything `encoded()` writes reads back.
            let isNew = switch kind {
            case 1: checkpoint.integers[name] == nil
            case 2: checkpoint.strings[name] == nil
            default: checkpoint.tensors[name] == nil
            }
            guard isNew else {
                throw CheckpointError.malformed(path: path, reason: "duplicate entry \"\(name)\"")
            }
            let rank = Int(try reader.read(UInt32.self))
            guard rank <= TensorShape.maximumRank else {
                throw CheckpointError.malformed(path: path, reason: "entry \"\(name)\" has rank \(rank) (at most \(TensorShape.maximumRank))")
            }
            var shape: [Int] = []
            var elementCount = 1
            // The product of the non-zero dimensions: a zero must not hide dimensions whose
            // product overflows (shape [0, 2^62, 4] would trap in `elementsPerItem`).
            var magnitude = 1
            for _ in 0..<rank {
                let dimension = try reader.read(UInt64.self)
                let (product, overflow) = magnitude.multipliedReportingOverflow(by: max(Int(clamping: dimension), 1))
                guard dimension <= UInt64(Int.max), !overflow else {
                    throw CheckpointError.malformed(path: path, reason: "entry \"\(name)\" has an impossibly large shape")
                }
                shape.append(Int(dimension))
                magnitude = product
                elementCount *= Int(dimension)  // at most `magnitude`, so no overflow
            }
            switch kind {
            case 0:
                let raw = try reader.take(elementCount, elementSize: 4)
                var tensor = Tensor(zeros: TensorShape(shape))
                tensor.withUnsafeMutableBufferPointer { out in
                    raw.withUnsafeBytes { source in
                        UnsafeMutableRawBufferPointer(out).copyMemory(from: source)
                    }
                }
                checkpoint.tensors[name] = tensor
            case 1:
                guard rank == 1 else {
                    throw CheckpointError.malformed(path: path, reason: "integer entry \"\(name)\" has rank \(rank), expected 1")
                }
                let raw = try reader.take(elementCount, elementSize: 8)
                checkpoint.integers[name] = stride(from: raw.startIndex, to: raw.endIndex, by: 8).map { start in
                    raw[start..<(start + 8)].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
                }
            case 2 where version >= 2:
                guard rank == 1, let text = String(validating: try reader.take(elementCount), as: UTF8.self) else {
                    throw CheckpointError.malformed(path: path, reason: "text entry \"\(name)\" is not rank-1 UTF-8")
                }
                checkpoint.strings[name] = text
            default:
                throw CheckpointError.malformed(path: path, reason: "entry \"\(name)\" has unknown kind \(kind)")
            }
        }
        guard reader.remaining == 0 else {
            throw CheckpointError.malformed(path: path, reason: "\(reader.remaining) unexpected bytes after the last entry")
        }
        return checkpoint
    }
}

/// Bounds-checked little-endian reads; every read throws `truncated` rather than trapping.
private struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var position = 0
    var end: Int

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
        end = bytes.count
    }

    var remaining: Int { end - position }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let size = MemoryLayout<T>.size
        let slice = try take(size)
        return slice.enumerated().reduce(T(0)) { $0 | T($1.element) << (8 * $1.offset) }
    }

    mutating func take(_ count: Int, elementSize: Int = 1) throws -> ArraySlice<UInt8> {
        let (total, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, total <= remaining else {
            // A size read from the file can be close to Int.max: saturate rather than overflow.
            let (needed, pastEnd) = position.addingReportingOverflow(total)
            throw CheckpointError.truncated(path: path, needed: overflow || pastEnd ? Int.max : needed, available: end)
        }
        defer { position += total }
        return bytes[position..<(position + total)]
    }
}
