/// Why a PNG file could not be decoded.
///
/// Every case names the file (`file` is a path, or the `name` passed to
/// ``PNG/decode(_:name:maximumPixelCount:)``) and `description` says what was
/// expected and what was found, e.g.
/// `"/data/cat.png: chunk IDAT at byte 33: CRC mismatch: stored 0x1A2B3C4D, computed 0x5E6F7081"`.
public enum PNGDecodingError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The first 8 bytes are not the PNG signature (`found` holds up to 8 of them).
    case badSignature(file: String, found: [UInt8])
    /// The file ends inside a chunk: `needed` bytes from `offset`, `available` left.
    case truncated(file: String, chunk: String, offset: Int, needed: Int, available: Int)
    /// A chunk's stored CRC differs from the CRC of its type and data.
    case badCRC(file: String, chunk: String, offset: Int, stored: UInt32, computed: UInt32)
    /// A chunk type is not four ASCII letters (`found` holds its bytes).
    case invalidChunkType(file: String, offset: Int, found: [UInt8])
    /// A chunk's length field is above the PNG limit of 2³¹ − 1.
    case badChunkLength(file: String, chunk: String, offset: Int, length: UInt32)
    /// The first chunk is not IHDR (`found` is its type).
    case missingIHDR(file: String, found: String)
    /// A required chunk (IDAT, IEND, or PLTE for palette images) is absent.
    case missingChunk(file: String, chunk: String)
    /// A chunk appears where the PNG specification forbids it (`reason` says why).
    case misplacedChunk(file: String, chunk: String, reason: String)
    /// A chunk the decoder must understand (upper-case first letter) is unknown.
    case unknownCriticalChunk(file: String, chunk: String)
    /// An IHDR, PLTE or tRNS field has an invalid value; `expected` describes the valid ones.
    case invalidField(file: String, field: String, found: Int, expected: String)
    /// The image has more pixels than the decoder's limit (checked before allocating).
    case tooManyPixels(file: String, width: Int, height: Int, limit: Int)
    /// The compressed image data is not a valid zlib stream.
    case corruptImageData(file: String, reason: String)
    /// The image data inflates to a different size than the header implies.
    case imageDataLength(file: String, expected: Int, found: String)
    /// A scanline starts with a filter type other than 0–4 (`row` counts the scanlines of all passes from 0).
    case badFilterType(file: String, row: Int, found: UInt8)
    /// A palette index points past the end of the palette.
    case paletteIndexOutOfRange(file: String, index: Int, paletteSize: Int)

    /// A one-line explanation naming the file, what was expected and what was found.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read PNG file: \(reason)"
        case .badSignature(let file, let found):
            let hex = found.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(file): not a PNG file: expected the signature 89 50 4E 47 0D 0A 1A 0A, found "
                + (found.isEmpty ? "an empty file" : hex)
        case .truncated(let file, let chunk, let offset, let needed, let available):
            return "\(file): truncated in chunk \(chunk) at byte \(offset): expected \(needed) more bytes, "
                + "found \(available)"
        case .badCRC(let file, let chunk, let offset, let stored, let computed):
            return "\(file): chunk \(chunk) at byte \(offset): CRC mismatch: stored 0x\(Self.hex(stored)), "
                + "computed 0x\(Self.hex(computed)) (the file is corrupt)"
        case .invalidChunkType(let file, let offset, let found):
            let hex = found.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(file): chunk at byte \(offset): expected a type of four ASCII letters, found bytes \(hex)"
        case .badChunkLength(let file, let chunk, let offset, let length):
            return "\(file): chunk \(chunk) at byte \(offset): length \(length) exceeds the PNG limit of \(Int32.max)"
        case .missingIHDR(let file, let found):
            return "\(file): expected the first chunk to be IHDR, found \(found)"
        case .missingChunk(let file, let chunk):
            return "\(file): missing \(chunk) chunk"
        case .misplacedChunk(let file, let chunk, let reason):
            return "\(file): chunk \(chunk) is misplaced: \(reason)"
        case .unknownCriticalChunk(let file, let chunk):
            return "\(file): unknown critical chunk \(chunk); expected only IHDR, PLTE, IDAT, IEND "
                + "or ancillary (lower-case) chunks"
        case .invalidField(let file, let field, let found, let expected):
            return "\(file): invalid \(field): expected \(expected), found \(found)"
        case .tooManyPixels(let file, let width, let height, let limit):
            return "\(file): \(width)×\(height) image has more than the limit of \(limit) pixels"
        case .corruptImageData(let file, let reason):
            return "\(file): corrupt image data (IDAT): \(reason)"
        case .imageDataLength(let file, let expected, let found):
            return "\(file): image data (IDAT) inflates to the wrong size: expected \(expected) bytes, found \(found)"
        case .badFilterType(let file, let row, let found):
            return "\(file): scanline \(row) has filter type \(found); expected 0 to 4"
        case .paletteIndexOutOfRange(let file, let index, let paletteSize):
            return "\(file): palette index \(index) used, but the palette has only \(paletteSize) entries"
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
