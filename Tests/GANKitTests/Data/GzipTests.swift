import Foundation
import Testing
@testable import GANKit

@Suite struct GzipTests {
    /// Compressible but not trivial data.
    private func sample(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 * 7) ^ ($0 >> 5)) }
    }

    @Test func zlibAndGzipRoundTrip() throws {
        let data = sample(200_000)
        for format in [CompressionFormat.zlib, .gzip] {
            let packed = try Gzip.deflate(data, format: format)
            #expect(packed.count < data.count)
            #expect(Gzip.isGzip(packed) == (format == .gzip))
            #expect(try Gzip.inflate(packed, maxOutputSize: data.count) == data)
        }
    }

    @Test func emptyInputRoundTrips() throws {
        let packed = try Gzip.deflate([], format: .gzip)
        #expect(try Gzip.inflate(packed, maxOutputSize: 0) == [])
    }

    @Test func plainBytesPassThrough() throws {
        let data: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 0]
        #expect(try Gzip.decompressIfNeeded(data, maxOutputSize: 1) == data)
    }

    @Test func concatenatedMembersAreJoined() throws {
        let a = try Gzip.deflate([1, 2, 3], format: .gzip)
        let b = try Gzip.deflate([4, 5], format: .gzip)
        #expect(try Gzip.inflate(a + b, maxOutputSize: 100) == [1, 2, 3, 4, 5])
    }

    @Test func outputLimitStopsDecompressionBombs() throws {
        let bomb = try Gzip.deflate([UInt8](repeating: 0, count: 1 << 22), format: .gzip)
        #expect(bomb.count < 10_000)
        #expect(throws: CompressionError.outputLimitExceeded(limit: 1 << 20)) {
            try Gzip.inflate(bomb, maxOutputSize: 1 << 20)
        }
    }

    @Test func truncatedStreamThrows() throws {
        let packed = try Gzip.deflate(sample(50_000), format: .gzip)
        for cut in [1, 2, 10, packed.count / 2, packed.count - 1] {
            #expect(throws: CompressionError.self) {
                try Gzip.inflate(Array(packed.prefix(cut)), maxOutputSize: 1 << 20)
            }
        }
        #expect(throws: CompressionError.truncated) {
            try Gzip.inflate(Array(packed.prefix(packed.count / 2)), maxOutputSize: 1 << 20)
        }
    }

    @Test func corruptStreamThrows() throws {
        var packed = try Gzip.deflate(sample(50_000), format: .gzip)
        for index in stride(from: 12, to: 40, by: 1) { packed[index] ^= 0xA5 }
        #expect(throws: CompressionError.self) { try Gzip.inflate(packed, maxOutputSize: 1 << 20) }
        // A damaged CRC trailer is caught too.
        var badTrailer = try Gzip.deflate(sample(1000), format: .gzip)
        badTrailer[badTrailer.count - 6] ^= 0xFF
        #expect(throws: CompressionError.self) { try Gzip.inflate(badTrailer, maxOutputSize: 1 << 20) }
        // Garbage after the stream.
        let trailing = try Gzip.deflate([1, 2, 3], format: .gzip) + [9, 9, 9]
        #expect(throws: CompressionError.trailingData(count: 3)) { try Gzip.inflate(trailing, maxOutputSize: 100) }
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(Gzip.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Gzip.crc32([UInt8]()) == 0)
        let whole = Gzip.crc32(Array("hello world".utf8))
        #expect(Gzip.crc32(Array(" world".utf8), initial: Gzip.crc32(Array("hello".utf8))) == whole)
    }
}
