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
        precondition((1...Self.maximumRank).contains(dimensions.count),
                     "IDXFile: \(dimensions.count) dimensions; IDX supports 1 to \(Self.maximumRank)")
        precondition(dimensions.allSatisfy { $0 >= 0 && UInt64($0) <= UInt64(UInt32.max) },
                     "IDXFile: dimensions \(dimensions) must each lie in 0...\(UInt32.max)")
        precondition(Self.elementCount(dimensions) == bytes.count,
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
        let file = url.path
        let raw: [UInt8]
        do { raw = try AtomicFile.read(url) } catch { throw IDXError.unreadable(file: file, reason: error.reason) }
        var source: any IDXByteSource
        if Gzip.isGzip(raw) {
            do { source = try GzipByteSource(raw) } catch let error as CompressionError {
                throw IDXError.corruptGzip(file: file, reason: error.description)
            }
        } else {
            source = PlainByteSource(bytes: raw)
        }
        do {
            return try parse(&source, file: file, maximumByteCount: maximumByteCount)
        } catch let error as CompressionError {
            throw IDXError.corruptGzip(file: file, reason: error.description)
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
