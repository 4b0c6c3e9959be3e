import Foundation
@testable import GANKit

/// An independent, minimal PNG decoder for checking the encoder: parses the
/// chunks, verifies every CRC with its own table-driven CRC-32, inflates the
/// IDAT data with zlib and undoes the row filters (8-bit, non-interlaced only).
struct DecodedPNG {
    var width = 0
    var height = 0
    var channels = 0
    var pixels: [UInt8] = []
    var chunkTypes: [String] = []
    var filterTypes: [UInt8] = []

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The reflected CRC-32 table (polynomial 0xEDB88320).
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    init(_ file: [UInt8]) throws {
        guard file.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Failure(description: "signature") }
        func u32(_ at: Int) -> Int { file[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        var position = 8
        var idat: [UInt8] = []
        while position < file.count {
            guard position + 12 <= file.count else { throw Failure(description: "chunk header past end") }
            let length = u32(position)
            let typeBytes = file[(position + 4)..<(position + 8)]
            guard position + 12 + length <= file.count else { throw Failure(description: "chunk data past end") }
            let data = Array(file[(position + 8)..<(position + 8 + length)])
            let stored = UInt32(u32(position + 8 + length))
            guard Self.crc32(typeBytes + data) == stored else {
                throw Failure(description: "bad CRC in \(String(decoding: typeBytes, as: UTF8.self))")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            chunkTypes.append(type)
            switch type {
            case "IHDR":
                width = data[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = data[4..<8].reduce(0) { $0 << 8 | Int($1) }
                guard data[8] == 8, data[10] == 0, data[11] == 0, data[12] == 0 else { throw Failure(description: "IHDR flags") }
                switch data[9] {
                case 0: channels = 1
                case 2: channels = 3
                case 6: channels = 4
                default: throw Failure(description: "colour type \(data[9])")
                }
            case "IDAT": idat += data
            default: break
            }
            position += 12 + length
        }
        let rowBytes = width * channels
        let raw = try Gzip.inflate(idat, maxOutputSize: (rowBytes + 1) * height)
        guard raw.count == (rowBytes + 1) * height else { throw Failure(description: "IDAT size \(raw.count)") }
        var out = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            filterTypes.append(filter)
            for i in 0..<rowBytes {
                let x = raw[y * (rowBytes + 1) + 1 + i]
                let a = i >= channels ? Int(out[y * rowBytes + i - channels]) : 0
                let b = y > 0 ? Int(out[(y - 1) * rowBytes + i]) : 0
                let c = i >= channels && y > 0 ? Int(out[(y - 1) * rowBytes + i - channels]) : 0
                let prediction: Int
                switch filter {
                case 0: prediction = 0
                case 1: prediction = a
                case 2: prediction = b
                case 3: prediction = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    prediction = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure(description: "filter \(filter)")
                }
                out[y * rowBytes + i] = UInt8(truncatingIfNeeded: Int(x) + prediction)
            }
        }
        pixels = out
    }
}
