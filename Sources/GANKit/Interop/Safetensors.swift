import Foundation

#if !_endian(little)
#error("safetensors files hold little-endian data and GANKit assumes a little-endian host")
#endif

/// A safetensors file: named tensors plus string metadata, the format of Hugging
/// Face, PyTorch (`safetensors.torch`), MLX and NumPy (`safetensors.numpy`) tools.
///
/// Layout (<https://github.com/huggingface/safetensors>): an 8-byte little-endian
/// `UInt64` header length, a UTF-8 JSON header
/// `{"__metadata__": {…strings…}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …}`
/// padded with spaces to a multiple of 8 bytes, then the raw little-endian data;
/// the offsets are relative to the end of the header, and the tensors cover the
/// data without gaps or overlaps.
///
/// GANKit writes `F32` tensors (``tensors``) and `I64` ones (``integerTensors``,
/// e.g. BatchNorm's `num_batches_tracked`). It reads `F32`, `F64`, `F16` and `BF16`
/// as `Float` tensors and `I64`/`I32` as integers; any other dtype is an error.
public struct SafetensorsFile: Sendable {
    /// Float tensors by name, in the order they are written.
    public var tensors: [(name: String, value: Tensor)] = []
    /// Integer tensors by name (`I64` in the file): shape and values in row-major order.
    public var integerTensors: [(name: String, shape: [Int], values: [Int64])] = []
    /// The header's `__metadata__`: free-form strings (GANKit keeps the architecture there).
    public var metadata: [String: String] = [:]

    /// Creates an empty file.
    public init() {}

    /// The float tensor called `name`, or nil.
    public func tensor(named name: String) -> Tensor? { tensors.first { $0.name == name }?.value }

    /// The float tensors as a dictionary.
    public var tensorsByName: [String: Tensor] { Dictionary(tensors, uniquingKeysWith: { first, _ in first }) }

    // MARK: - Writing

    /// The file's bytes: header (tensors in the order of ``tensors`` then ``integerTensors``,
    /// metadata first, keys sorted within it) and data.
    public func encoded() -> [UInt8] {
        var entries: [String] = []
        if !metadata.isEmpty {
            let fields = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(fields.joined(separator: ","))}")
        }
        var offset = 0
        func entry(_ name: String, dtype: String, shape: [Int], byteCount: Int) {
            let dims = shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(dims)],"
                           + "\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        for (name, value) in tensors { entry(name, dtype: "F32", shape: Array(value.shape), byteCount: value.count * 4) }
        for (name, shape, values) in integerTensors { entry(name, dtype: "I64", shape: shape, byteCount: values.count * 8) }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        // Padding to 8 bytes keeps the data aligned for readers that map the file (safetensors does the same).
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += header
        for (_, value) in tensors {
            value.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeRawBufferPointer($0)) }
        }
        for (_, _, values) in integerTensors {
            for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return bytes
    }

    /// Writes the file atomically: an interrupted write leaves any previous file intact.
    /// - Throws: ``FileWriteError`` naming the file and the reason.
    public func write(to url: URL) throws {
        do { try AtomicFile.write(encoded(), to: url) } catch {
            throw FileWriteError(path: url.path, reason: error.reason)
        }
    }
}

/// A JSON string literal for `text` (quotes, backslashes and control characters escaped).
func jsonString(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
