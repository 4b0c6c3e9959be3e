/// Encodes protocol-buffer messages field by field, enough for TensorBoard's `Event`
/// and `Summary` and ONNX's `ModelProto`: varints, 64-bit doubles, 32-bit floats,
/// length-delimited strings, bytes and nested messages, packed doubles, unpacked
/// repeated integers (the wire format is the same for proto2 and proto3).
///
/// Fields are written in the order the caller writes them; a nested message is
/// encoded into the same buffer and its length prefix filled in afterwards, so
/// encoding into a writer whose buffer has grown before allocates nothing.
struct ProtobufWriter {
    /// The encoded bytes.
    private(set) var bytes: [UInt8] = []

    /// Empties the buffer, keeping its capacity.
    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func key(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    private mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A varint field (int32, int64, enum, bool); negative values take ten bytes, as protobuf does.
    mutating func integer(_ field: Int, _ value: Int) {
        key(field, wireType: 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A `repeated int64` field written unpacked, one key per value: proto2's default
    /// encoding, which ONNX's `dims` and `ints` declare (parsers accept both forms).
    mutating func integers<Values: Sequence<Int>>(_ field: Int, _ values: Values) {
        for value in values { integer(field, value) }
    }

    /// A `double` field.
    mutating func double(_ field: Int, _ value: Double) {
        key(field, wireType: 1)
        littleEndian(value.bitPattern)
    }

    /// A `float` field.
    mutating func float(_ field: Int, _ value: Float) {
        key(field, wireType: 5)
        littleEndian(value.bitPattern)
    }

    /// A `bytes` field.
    mutating func bytes<Bytes: Collection<UInt8>>(_ field: Int, _ value: Bytes) {
        key(field, wireType: 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field, UTF-8.
    mutating func string(_ field: Int, _ value: String) {
        var value = value
        value.withUTF8 { bytes(field, $0) }
    }

    /// A `repeated double` field, packed.
    mutating func packedDoubles<Values: Collection<Double>>(_ field: Int, _ values: Values) {
        key(field, wireType: 2)
        varint(UInt64(values.count * 8))
        for value in values { littleEndian(value.bitPattern) }
    }

    /// A nested message field whose fields `body` writes.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        key(field, wireType: 2)
        let lengthAt = bytes.count
        bytes.append(0)  // one byte reserved for the length; moved right below when it needs more
        let start = bytes.count
        body(&self)
        let length = UInt64(bytes.count - start)
        var size = 1
        while length >> (7 * size) != 0 { size += 1 }
        if size > 1 { bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: start) }
        for index in 0..<size {
            let group = UInt8(truncatingIfNeeded: length >> (7 * index)) & 0x7F
            bytes[lengthAt + index] = group | (index + 1 < size ? 0x80 : 0)
        }
    }
}
