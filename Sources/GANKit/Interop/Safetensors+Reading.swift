import Foundation

/// Why a safetensors file could not be read or applied: one line saying which
/// file (and tensor), what was expected and what was found.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public let path: String
    /// What is wrong, e.g. `tensor "0.weight": data_offsets [0, 400] hold 400 bytes, shape [256, 100] of F32 needs 102400`.
    public let reason: String

    /// Creates an error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `<path>: <reason>`.
    public var description: String { "\(path): \(reason)" }
}

extension SafetensorsFile {
    /// The largest header this reader accepts (the safetensors library's limit is 100 MB too).
    static let maximumHeaderLength = 100_000_000

    /// Reads and validates a whole file: header length, JSON, every dtype, shape
    /// and offset against the file size, no gaps or overlaps, before converting any data.
    /// - Throws: ``SafetensorsError`` naming the file and the problem.
    public static func read(from url: URL) throws -> SafetensorsFile {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(url) } catch {
            throw SafetensorsError(path: url.path, reason: "cannot read: \(error.reason)")
        }
        return try SafetensorsFile(decoding: bytes, source: url.path)
    }

    /// Decodes a file's bytes held in memory (e.g. from an app bundle), validated as ``read(from:)`` does.
    /// - Parameter source: names the bytes in error messages.
    /// - Throws: ``SafetensorsError``.
    public init(decoding bytes: [UInt8], source: String) throws {
        do { self = try Self.decode(bytes) } catch {
            throw SafetensorsError(path: source, reason: error.text)
        }
    }

    /// A problem found while decoding, without the path (``read(from:)`` adds it).
    struct DecodingProblem: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// Decodes a file's bytes (see ``read(from:)``).
    static func decode(_ bytes: [UInt8]) throws(DecodingProblem) -> SafetensorsFile {
        guard bytes.count >= 8 else {
            throw DecodingProblem("file is \(bytes.count) bytes long, shorter than the 8-byte header length")
        }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        guard headerLength <= UInt64(min(maximumHeaderLength, bytes.count - 8)) else {
            throw DecodingProblem("header length \(headerLength) (the first 8 bytes) exceeds the "
                                  + "\(bytes.count - 8) bytes after it" + (headerLength > UInt64(maximumHeaderLength)
                                      ? " and the \(maximumHeaderLength)-byte limit" : ""))
        }
        let dataStart = 8 + Int(headerLength)
        let object: [String: HeaderEntry]
        do {
            object = try JSONDecoder().decode([String: HeaderEntry].self, from: Data(bytes[8..<dataStart]))
        } catch {
            throw DecodingProblem("the \(headerLength)-byte header (its length is the first 8 bytes) is not a JSON object: "
                                  + "the length or the header is damaged")
        }

        var file = SafetensorsFile()
        if let metadata = object["__metadata__"] {
            guard case .metadata(let strings) = metadata else {
                throw DecodingProblem("__metadata__ must map strings to strings")
            }
            file.metadata = strings
        }
        let dataLength = bytes.count - dataStart
        // In file order, as a reader of the header would list them.
        let entries = try object.keys.sorted().filter { $0 != "__metadata__" }.map { name throws(DecodingProblem) in
            let entry = try describe(name, object[name]!, dataLength: dataLength)
            return (name: name, dtype: entry.dtype, shape: entry.shape, range: entry.range)
        }.sorted { ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name) }
        try requireContiguous(entries.map { ($0.name, $0.range) }, dataLength: dataLength)

        for entry in entries {
            let raw = bytes[(dataStart + entry.range.lowerBound)..<(dataStart + entry.range.upperBound)]
            if entry.dtype.isInteger {
                file.integerTensors.append((entry.name, entry.shape, entry.dtype.integers(raw)))
            } else {
                file.tensors.append((entry.name, Tensor(shape: TensorShape(entry.shape), values: entry.dtype.floats(raw))))
            }
        }
        return file
    }

    /// Checks one header entry and returns its dtype, shape and byte range in the data.
    private static func describe(_ name: String, _ value: HeaderEntry, dataLength: Int) throws(DecodingProblem)
        -> (dtype: DType, shape: [Int], range: Range<Int>) {
        guard case .tensor(let dtypeName, let shape, let offsets) = value else {
            throw DecodingProblem("tensor \"\(name)\": expected {\"dtype\", \"shape\", \"data_offsets\"} "
                                  + "with whole-number shape and offsets")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw DecodingProblem("tensor \"\(name)\": dtype \(dtypeName) is not supported "
                                  + "(expected F32, F64, F16, BF16, I64 or I32)")
        }
        guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }) else {
            throw DecodingProblem("tensor \"\(name)\": shape \(shape) has a negative or absurd dimension")
        }
        guard offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw DecodingProblem("tensor \"\(name)\": data_offsets \(offsets) must be [begin, end] with 0 ≤ begin ≤ end")
        }
        guard offsets[1] <= dataLength else {
            throw DecodingProblem("tensor \"\(name)\": data_offsets [\(offsets[0]), \(offsets[1])] run past the "
                                  + "\(dataLength) bytes of data (the file is truncated or the offsets are wrong)")
        }
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= dataLength else {
                throw DecodingProblem("tensor \"\(name)\": shape \(shape) holds more elements than the file has bytes")
            }
            elements = product
        }
        guard offsets[1] - offsets[0] == elements * dtype.size else {
            throw DecodingProblem("tensor \"\(name)\": data_offsets [\(offsets[0]), \(offsets[1])] hold "
                                  + "\(offsets[1] - offsets[0]) bytes, shape \(shape) of \(dtypeName) needs "
                                  + "\(elements * dtype.size)")
        }
        return (dtype, shape, offsets[0]..<offsets[1])
    }

    /// The tensors, in offset order, must cover the data exactly: no gap, no overlap, nothing after the last.
    private static func requireContiguous(_ spans: [(name: String, range: Range<Int>)],
                                          dataLength: Int) throws(DecodingProblem) {
        var end = 0
        var previous = "the header"
        for span in spans {
            guard span.range.lowerBound == end else {
                throw DecodingProblem("tensor \"\(span.name)\" starts at data byte \(span.range.lowerBound), "
                                      + "but \(previous) ends at \(end) (tensors must not overlap or leave gaps)")
            }
            end = span.range.upperBound
            previous = "tensor \"\(span.name)\""
        }
        guard end == dataLength else {
            throw DecodingProblem("the tensors hold \(end) bytes of data, the file has \(dataLength) after the header")
        }
    }

    /// One value of the header object: the metadata, a tensor's description, or anything else.
    enum HeaderEntry: Decodable {
        case metadata([String: String])
        case tensor(dtype: String, shape: [Int], offsets: [Int])
        case invalid

        private struct TensorFields: Decodable {
            let dtype: String
            let shape: [Int]
            let data_offsets: [Int]
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let fields = try? container.decode(TensorFields.self) {
                self = .tensor(dtype: fields.dtype, shape: fields.shape, offsets: fields.data_offsets)
            } else if let strings = try? container.decode([String: String].self) {
                self = .metadata(strings)
            } else {
                self = .invalid
            }
        }
    }

    /// The element types this reader converts.
    enum DType: String {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32"

        var size: Int {
            switch self {
            case .f32, .i32: 4
            case .f64, .i64: 8
            case .f16, .bf16: 2
            }
        }

        var isInteger: Bool { self == .i64 || self == .i32 }

        func floats(_ raw: ArraySlice<UInt8>) -> [Float] {
            raw.withUnsafeBytes { buffer -> [Float] in
                let count = buffer.count / size
                switch self {
                case .f32: return (0..<count).map { Float(bitPattern: buffer.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
                case .f64: return (0..<count).map { Float(Double(bitPattern: buffer.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self).littleEndian)) }
                case .bf16: return (0..<count).map { Float(bitPattern: UInt32(buffer.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) << 16) }
                case .f16: return (0..<count).map { halfToFloat(buffer.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) }
                case .i64, .i32: return []
                }
            }
        }

        func integers(_ raw: ArraySlice<UInt8>) -> [Int64] {
            raw.withUnsafeBytes { buffer -> [Int64] in
                let count = buffer.count / size
                if self == .i32 {
                    return (0..<count).map { Int64(Int32(bitPattern: buffer.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian)) }
                }
                return (0..<count).map { Int64(bitPattern: buffer.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self).littleEndian) }
            }
        }
    }
}

/// IEEE 754 half precision to `Float` (exact: every half is a float), without relying on `Float16`,
/// which is unavailable on macOS/x86_64.
private func halfToFloat(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F), fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
