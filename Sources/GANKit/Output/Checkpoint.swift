import CZlib
import Foundation

#if !_endian(little)
#error("Checkpoint files store little-endian Float32 and assume a little-endian host")
#endif

/// A versioned binary file of named tensors and integer arrays: model weights,
/// buffers, optimizer state, generator states and counters.
///
/// Layout (little-endian): magic `GANKCKPT`, `UInt32` version (2; 1 when the
/// checkpoint holds no text, so older builds still read it), `UInt32`
/// entry count, then per entry: `UInt32` name length, UTF-8 name, `UInt8` kind
/// (0 = Float32 tensor, 1 = UInt64 array, 2 = UTF-8 text), `UInt32` rank, `UInt64`
/// dimensions (a text's byte count), raw values; finally a `UInt32` CRC-32 of every preceding byte.
/// ``write(to:)`` is atomic (temp file + rename), so an interrupted write never
/// damages the previous checkpoint.
public struct Checkpoint: Sendable {
    /// The newest format version this build writes and reads.
    public static let version: UInt32 = 2
    static let magic = Array("GANKCKPT".utf8)

    /// Named float tensors (weights, buffers, optimizer moments).
    public var tensors: [String: Tensor] = [:]
    /// Named integer arrays (counters, generator states).
    public var integers: [String: [UInt64]] = [:]
    /// Named texts: the trainer's settings and the networks' architectures, which
    /// let a resume name what differs and let `TrainedGenerator` rebuild the generator.
    public var strings: [String: String] = [:]

    /// Creates an empty checkpoint.
    public init() {}

    // MARK: - Encoding

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var bytes = Self.magic
        // One allocation of about the final size: growing by doubling would briefly hold up to three times it.
        let payload = tensors.values.reduce(0) { $0 + 4 * $1.count } + integers.values.reduce(0) { $0 + 8 * $1.count }
            + strings.values.reduce(0) { $0 + $1.utf8.count }
        let headers = (tensors.keys.map(\.utf8.count) + integers.keys.map(\.utf8.count) + strings.keys.map(\.utf8.count))
            .reduce(0) { $0 + $1 + 64 }
        bytes.reserveCapacity(bytes.count + 16 + payload + headers)
        append(strings.isEmpty ? 1 : Self.version, to: &bytes)
        append(UInt32(tensors.count + integers.count + strings.count), to: &bytes)
        for name in tensors.keys.sorted() {
            let tensor = tensors[name]!
            appendHeader(name: name, kind: 0, shape: Array(tensor.shape), to: &bytes)
            // Float32 in little-endian order: the in-memory layout on every supported platform.
            tensor.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeRawBufferPointer($0)) }
        }
        for name in integers.keys.sorted() {
            let values = integers[name]!
            appendHeader(name: name, kind: 1, shape: [values.count], to: &bytes)
            for value in values { append(value, to: &bytes) }
        }
        for name in strings.keys.sorted() {
            let utf8 = Array(strings[name]!.utf8)
            appendHeader(name: name, kind: 2, shape: [utf8.count], to: &bytes)
            bytes += utf8
        }
        append(Self.checksum(bytes[...]), to: &bytes)
        return bytes
    }

    /// Writes the checkpoint to `url` atomically: an interrupted write leaves the previous file intact.
    /// - Throws: ``FileWriteError`` naming the file and the reason.
    public func write(to url: URL) throws {
        do { try AtomicFile.write(encoded(), to: url) } catch {
            throw FileWriteError(path: url.path, reason: error.reason)
        }
    }

    private func appendHeader(name: String, kind: UInt8, shape: [Int], to bytes: inout [UInt8]) {
        let utf8 = Array(name.utf8)
        append(UInt32(utf8.count), to: &bytes)
        bytes += utf8
        bytes.append(kind)
        append(UInt32(shape.count), to: &bytes)
        for dimension in shape { append(UInt64(dimension), to: &bytes) }
    }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// CRC-32 (zlib) of `bytes`.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}
