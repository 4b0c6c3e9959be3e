import Foundation

/// An IDX file (the format of the MNIST distribution) holding unsigned bytes.
///
/// Layout: two zero bytes, a type code (only `0x08`, unsigned byte, is
/// supported), the number of dimensions, one big-endian `UInt32` per
/// dimension, then the elements in row-major order. MNIST images are
/// `[N, 28, 28]`, labels `[N]`.
///
/// ```swift
/// let file = try IDXFile.read(contentsOf: url)   // .gz or plain
/// print(file.dimensions)                          // [10000, 28, 28]
/// ```
public struct IDXFile: Sendable, Equatable {
    /// The dimensions, outermost first (1 to 4 of them).
    public var dimensions: [Int]
    /// The elements in row-major order; `bytes.count` is the product of `dimensions`.
    public var bytes: [UInt8]

    /// The type code for unsigned bytes, the only one supported.
    public static let unsignedByteType: UInt8 = 0x08
    /// The largest number of dimensions accepted.
    public static let maximumRank = 4
    /// The default cap on the payload size when reading (2 GiB), which also
    /// bounds how far a gzip file may inflate.
    public static let defaultMaximumByteCount = 1 << 31

    /// Creates an IDX file from its dimensions and row-major bytes.
    /// - Precondition: 1 to 4 dimensions, none negative, whose product is `bytes.count`.
    public init(dimensions: [Int], bytes: [UInt8]) {
        require((1...Self.maximumRank).contains(dimensions.count),
                "IDXFile: \(dimensions.count) dimensions; IDX supports 1 to \(Self.maximumRank)")
        require(dimensions.allSatisfy { $0 >= 0 && UInt64($0) <= UInt64(UInt32.max) },
                "IDXFile: dimensions \(dimensions) must each lie in 0...\(UInt32.max)")
        require(Self.elementCount(dimensions) == bytes.count,
                "IDXFile: dimensions \(dimensions) need \(Self.elementCount(dimensions) ?? -1) bytes, got \(bytes.count)")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads an IDX file, gzip-compressed (detected by its magic number) or plain.
    ///
    /// The header is validated before any payload-sized memory is allocated,
    /// and a gzip stream is inflated only as far as the header says it should
    /// go (plus a bounded look past the end to report trailing bytes).
    /// - Parameters:
    ///   - url: The file to read.
    ///   - maximumByteCount: Refuse files whose payload is larger than this.
    /// - Throws: `IDXError` naming the file and what was expected versus found.
    public static func read(contentsOf url: URL, maximumByteCount: Int = defaultMaximumByteCount) throws -> IDXFile {
        let raw: [UInt8]
        do { raw = try AtomicFile.read(url) } catch { throw IDXError.unreadable(file: url.path, reason: error.reason) }
        return try decode(raw, name: url.path, maximumByteCount: maximumByteCount)
    }

    /// Decodes the bytes of an IDX file, gzip-compressed (detected by its magic number) or plain.
    ///
    /// Validates exactly as ``read(contentsOf:maximumByteCount:)`` does: the
    /// header first, then a payload of exactly the announced size.
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - name: Names the source in error messages (a path, or e.g. `"<memory>"`).
    ///   - maximumByteCount: Refuse payloads larger than this.
    /// - Throws: `IDXError` naming `name` and what was expected versus found.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>",
                              maximumByteCount: Int = defaultMaximumByteCount) throws -> IDXFile {
        var source: any IDXByteSource
        if Gzip.isGzip(bytes) {
            do { source = try GzipByteSource(bytes) } catch let error as CompressionError {
                throw IDXError.corruptGzip(file: name, reason: error.description)
            }
        } else {
            source = PlainByteSource(bytes: bytes)
        }
        do {
            return try parse(&source, file: name, maximumByteCount: max(0, maximumByteCount))
        } catch let error as CompressionError {
            throw IDXError.corruptGzip(file: name, reason: error.description)
        }
    }

    /// Writes the file uncompressed and atomically (temporary file, then rename).
    /// - Throws: `IDXError.writeFailed` naming the file.
    public func write(to url: URL) throws {
        do { try AtomicFile.write(encoded(), to: url) } catch {
            throw IDXError.writeFailed(file: url.path, reason: error.reason)
        }
    }

    /// The file's bytes: header followed by the payload.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, Self.unsignedByteType, UInt8(dimensions.count)]
        out.reserveCapacity(4 + 4 * dimensions.count + bytes.count)
        for dimension in dimensions {
            let value = UInt32(dimension)
            out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        out += bytes
        return out
    }

    /// The product of `dimensions`, or nil if it overflows `Int`.
    static func elementCount(_ dimensions: [Int]) -> Int? {
        var product = 1
        for dimension in dimensions {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// Validates the header, then reads exactly the payload it announces.
    private static func parse(_ source: inout any IDXByteSource, file: String, maximumByteCount: Int) throws -> IDXFile {
        let magic = try source.read(4)
        guard magic.count == 4 else { throw IDXError.tooShort(file: file, needed: 4, found: magic.count) }
        guard magic[0] == 0, magic[1] == 0 else {
            throw IDXError.badMagic(file: file, found: Array(magic[0..<2]))
        }
        guard magic[2] == unsignedByteType else { throw IDXError.unsupportedType(file: file, code: magic[2]) }
        let rank = Int(magic[3])
        guard (1...maximumRank).contains(rank) else { throw IDXError.unsupportedRank(file: file, rank: rank) }

        let header = try source.read(4 * rank)
        guard header.count == 4 * rank else {
            throw IDXError.tooShort(file: file, needed: 4 + 4 * rank, found: 4 + header.count)
        }
        var dimensions: [Int] = []
        for axis in 0..<rank {
            let value = header[4 * axis..<4 * axis + 4].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
            dimensions.append(Int(value))
        }
        guard let expected = elementCount(dimensions) else {
            throw IDXError.sizeOverflow(file: file, dimensions: dimensions)
        }
        guard expected <= maximumByteCount else {
            throw IDXError.tooLarge(file: file, dimensions: dimensions, byteCount: expected, limit: maximumByteCount)
        }

        let payload = try source.read(expected)
        guard payload.count == expected else {
            throw IDXError.truncated(file: file, expected: expected, found: payload.count)
        }
        let extra = try source.countRemaining(limit: maximumByteCount)
        guard extra == 0 else {
            throw IDXError.trailingBytes(file: file, expected: expected, extra: extra)
        }
        return IDXFile(dimensions: dimensions, bytes: payload)
    }
}

/// Sequential access to the (possibly compressed) bytes of an IDX file.
private protocol IDXByteSource {
    /// The next `count` bytes, or fewer at the end of the data.
    mutating func read(_ count: Int) throws -> [UInt8]
    /// How many bytes are left, counting at most a little past `limit`.
    mutating func countRemaining(limit: Int) throws -> Int
}

private struct PlainByteSource: IDXByteSource {
    let bytes: [UInt8]
    var position = 0

    mutating func read(_ count: Int) throws -> [UInt8] {
        let end = position + min(count, bytes.count - position)
        defer { position = end }
        return Array(bytes[position..<end])
    }

    mutating func countRemaining(limit: Int) throws -> Int { bytes.count - position }
}

private struct GzipByteSource: IDXByteSource {
    let stream: InflateStream

    init(_ bytes: [UInt8]) throws { stream = try InflateStream(bytes) }

    mutating func read(_ count: Int) throws -> [UInt8] { try stream.read(maxCount: count) }

    mutating func countRemaining(limit: Int) throws -> Int { try stream.skipRemaining(limit: limit) }
}

/// Why an IDX file or MNIST-style dataset could not be read or written.
///
/// Every case carries the file (or directory) concerned, and `description`
/// says what was expected and what was found, e.g.
/// `"/data/t10k-images-idx3-ubyte: truncated: expected 7840000 bytes of data, found 7839000"`.
public enum IDXError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file ends inside the header (`needed` header bytes, `found` in the file).
    case tooShort(file: String, needed: Int, found: Int)
    /// The first two bytes are not zero (`found` holds them).
    case badMagic(file: String, found: [UInt8])
    /// The type code is not `0x08` (unsigned byte).
    case unsupportedType(file: String, code: UInt8)
    /// The number of dimensions is 0 or more than 4.
    case unsupportedRank(file: String, rank: Int)
    /// The product of the dimensions does not fit in `Int`.
    case sizeOverflow(file: String, dimensions: [Int])
    /// The payload is larger than the caller's limit.
    case tooLarge(file: String, dimensions: [Int], byteCount: Int, limit: Int)
    /// The payload is shorter than the dimensions say.
    case truncated(file: String, expected: Int, found: Int)
    /// Bytes follow the payload (`extra` counts them, possibly only up to a limit).
    case trailingBytes(file: String, expected: Int, extra: Int)
    /// The file starts like gzip but does not inflate cleanly.
    case corruptGzip(file: String, reason: String)
    /// The file has the wrong number of dimensions for its role (e.g. images must be `[N, H, W]`).
    case unexpectedDimensions(file: String, expectedRank: Int, found: [Int])
    /// The image and label files disagree on the number of samples.
    case labelCountMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
    /// None of the candidate file names exists in the directory.
    case missingFile(directory: String, triedNames: [String])
    /// A tensor cannot be exported as IDX (wrong rank or channel count).
    case invalidTensorShape(shape: [Int], reason: String)
    /// Writing the file failed.
    case writeFailed(file: String, reason: String)

    /// A one-line explanation naming the file, what was expected and what was found.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read IDX file: \(reason)"
        case .tooShort(let file, let needed, let found):
            if found == 0 { return "\(file): file is empty; an IDX header needs at least \(needed) bytes" }
            return "\(file): file too short for the IDX header: expected \(needed) bytes, found \(found)"
        case .badMagic(let file, let found):
            let hex = found.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(file): not an IDX file: the first two bytes must be 0x0 0x0, found \(hex)"
        case .unsupportedType(let file, let code):
            return "\(file): unsupported IDX data type 0x\(String(code, radix: 16, uppercase: true))"
                + " (\(Self.typeName(code))); only 0x8 (unsigned byte) is supported"
        case .unsupportedRank(let file, let rank):
            return "\(file): unsupported number of dimensions: expected 1 to 4, found \(rank)"
        case .sizeOverflow(let file, let dimensions):
            return "\(file): dimensions \(dimensions) multiply to a byte count that overflows Int"
        case .tooLarge(let file, let dimensions, let byteCount, let limit):
            return "\(file): dimensions \(dimensions) announce \(byteCount) bytes of data, more than the limit of \(limit)"
        case .truncated(let file, let expected, let found):
            return "\(file): truncated: expected \(expected) bytes of data, found \(found)"
        case .trailingBytes(let file, let expected, let extra):
            return "\(file): trailing bytes: expected \(expected) bytes of data, found \(extra) more after them"
        case .corruptGzip(let file, let reason):
            return "\(file): corrupt gzip data: \(reason)"
        case .unexpectedDimensions(let file, let expectedRank, let found):
            return "\(file): expected \(expectedRank) dimensions, found \(found.count) (\(found))"
        case .labelCountMismatch(let imagesFile, let imageCount, let labelsFile, let labelCount):
            return "\(labelsFile) has \(labelCount) labels but \(imagesFile) has \(imageCount) images"
        case .missingFile(let directory, let triedNames):
            return "\(directory): none of these files exists: \(triedNames.joined(separator: ", "))"
        case .invalidTensorShape(let shape, let reason):
            return "cannot export tensor of shape \(shape) as IDX: \(reason)"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write IDX file: \(reason)"
        }
    }

    /// The IDX name of a type code, for messages.
    private static func typeName(_ code: UInt8) -> String {
        switch code {
        case 0x08: return "unsigned byte"
        case 0x09: return "signed byte"
        case 0x0B: return "16-bit integer"
        case 0x0C: return "32-bit integer"
        case 0x0D: return "32-bit float"
        case 0x0E: return "64-bit float"
        default: return "unknown type"
        }
    }
}
