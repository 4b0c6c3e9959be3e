@testable import GANKit

// PNG files built byte by byte for the decoder tests: chunks, IHDR, scanline
// filters and Adam7 written here from the specification, independently of the
// decoder (only zlib's deflate and CRC-32 come from the library's wrappers).

enum PNGTestFile {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// Length, type, data and CRC of one chunk.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(Gzip.crc32(typeBytes + data))
    }

    static func ihdr(width: Int, height: Int, bitDepth: Int, colorType: Int, interlace: Int = 0,
                     compression: UInt8 = 0, filter: UInt8 = 0) -> [UInt8] {
        bigEndian(UInt32(width)) + bigEndian(UInt32(height))
            + [UInt8(bitDepth), UInt8(colorType), compression, filter, UInt8(interlace)]
    }

    /// Signature + IHDR + `beforeData` chunks + one IDAT of `scanlines` deflated + IEND.
    static func file(ihdr header: [UInt8], beforeData: [[UInt8]] = [], scanlines: [UInt8]) -> [UInt8] {
        let idat = try! Gzip.deflate(scanlines, format: .zlib)
        return signature + chunk("IHDR", header) + beforeData.flatMap { $0 } + chunk("IDAT", idat) + chunk("IEND", [])
    }

    /// The Paeth predictor, written from the specification.
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// Filters packed `rows` (each already `rowBytes` long) with the given filter type per row.
    static func filter(_ rows: [[UInt8]], types: [UInt8], bytesPerPixel bpp: Int) -> [UInt8] {
        var out: [UInt8] = []
        for (y, row) in rows.enumerated() {
            let type = types[y % types.count]
            let above = y > 0 ? rows[y - 1] : [UInt8](repeating: 0, count: row.count)
            out.append(type)
            for i in 0..<row.count {
                let a = i >= bpp ? Int(row[i - bpp]) : 0
                let b = Int(above[i])
                let c = i >= bpp ? Int(above[i - bpp]) : 0
                let prediction: Int
                switch type {
                case 0: prediction = 0
                case 1: prediction = a
                case 2: prediction = b
                case 3: prediction = (a + b) / 2
                default: prediction = paeth(a, b, c)
                }
                out.append(UInt8(truncatingIfNeeded: Int(row[i]) - prediction))
            }
        }
        return out
    }

    /// Packs samples of `bitDepth` bits (1, 2, 4: several per byte, most significant first;
    /// 16: two bytes, big-endian) into rows of `width · samplesPerPixel` samples.
    static func pack(_ samples: [Int], width: Int, samplesPerPixel: Int, bitDepth: Int) -> [[UInt8]] {
        let perRow = width * samplesPerPixel
        return stride(from: 0, to: samples.count, by: perRow).map { start in
            let row = Array(samples[start..<(start + perRow)])
            switch bitDepth {
            case 8: return row.map { UInt8($0) }
            case 16: return row.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            default:
                var bytes = [UInt8](repeating: 0, count: (perRow * bitDepth + 7) / 8)
                for (i, value) in row.enumerated() {
                    let bit = i * bitDepth
                    bytes[bit / 8] |= UInt8(value << (8 - bitDepth - bit % 8))
                }
                return bytes
            }
        }
    }

    /// The scanlines of an Adam7-interlaced image: the seven passes' sub-images,
    /// each packed and filtered (filter types cycling per pass row).
    static func adam7Scanlines(_ samples: [Int], width: Int, height: Int, samplesPerPixel: Int, bitDepth: Int,
                               types: [UInt8]) -> [UInt8] {
        let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        var out: [UInt8] = []
        for (x0, y0, dx, dy) in passes {
            let xs = Array(stride(from: x0, to: width, by: dx)), ys = Array(stride(from: y0, to: height, by: dy))
            guard !xs.isEmpty, !ys.isEmpty else { continue }
            var sub: [Int] = []
            for y in ys { for x in xs { for s in 0..<samplesPerPixel { sub.append(samples[(y * width + x) * samplesPerPixel + s]) } } }
            let rows = pack(sub, width: xs.count, samplesPerPixel: samplesPerPixel, bitDepth: bitDepth)
            out += filter(rows, types: types, bytesPerPixel: max(1, samplesPerPixel * bitDepth / 8))
        }
        return out
    }

    /// Deterministic pseudo-random samples in 0..<limit.
    static func samples(count: Int, limit: Int, seed: Int) -> [Int] {
        var state = UInt64(seed) &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(limit))
        }
    }
}
