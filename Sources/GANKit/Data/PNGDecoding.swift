import Foundation

// PNG decoding: chunk structure, header and ancillary-chunk validation. The
// pixel work (inflate, unfiltering, unpacking, Adam7) is in PNGDecoding+Pixels.swift.

extension PNG {
    /// The default limit on `width · height` when decoding: 2²⁸ pixels (a 16384 × 16384 image).
    public static let defaultMaximumPixelCount = 1 << 28

    /// Reads and decodes a PNG file.
    ///
    /// See ``decode(_:name:maximumPixelCount:)`` for what is supported and the result's layout.
    /// - Throws: `PNGDecodingError` naming the file and what was expected versus found.
    public static func read(contentsOf url: URL, maximumPixelCount: Int = defaultMaximumPixelCount) throws -> RasterImage {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(url) } catch {
            throw PNGDecodingError.unreadable(file: url.path, reason: error.reason)
        }
        return try decode(bytes, name: url.path, maximumPixelCount: maximumPixelCount)
    }

    /// Decodes the bytes of a PNG file into 8-bit samples.
    ///
    /// Supported: every colour type (gray, RGB, palette, gray + alpha, RGBA)
    /// at every bit depth the specification allows (1/2/4/8/16 gray,
    /// 1/2/4/8 palette, 8/16 otherwise), all five filter types, and Adam7
    /// interlacing. Samples are reduced to 8 bits: 16-bit samples keep their
    /// high byte; 1-, 2- and 4-bit gray is scaled to 0…255 (`v · 255 / (2^depth − 1)`).
    ///
    /// The result's `channels`: 1 for gray, 2 for gray + alpha, 3 for RGB,
    /// 4 for RGBA, and for palette images 3 (RGB), or 4 when a tRNS chunk
    /// gives the palette alpha values. A tRNS chunk of a gray or RGB image (a
    /// single transparent colour) is ignored. Gamma and colour-space chunks are
    /// ignored; bytes after IEND are ignored.
    ///
    /// Validated before anything image-sized is allocated: the signature, every
    /// chunk's length and CRC, chunk order (IHDR first, PLTE before IDAT,
    /// consecutive IDATs, IEND last), the IHDR fields, and `width · height ≤
    /// maximumPixelCount`. The image data must inflate to exactly the size the
    /// header implies.
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - name: Names the source in error messages (a path, or e.g. `"<memory>"`).
    ///   - maximumPixelCount: Refuse images with more pixels than this.
    /// - Returns: A `RasterImage`, rows top to bottom, channels interleaved.
    /// - Throws: `PNGDecodingError` naming `name` and what was expected versus found.
    public static func decode(_ bytes: [UInt8], name: String = "<memory>",
                              maximumPixelCount: Int = defaultMaximumPixelCount) throws -> RasterImage {
        let chunks = try PNGChunks(bytes, file: name, maximumPixelCount: maximumPixelCount)
        return try chunks.decodePixels()
    }
}

/// The IHDR fields of a PNG file, validated.
struct PNGHeader {
    let width: Int
    let height: Int
    let bitDepth: Int
    let colorType: Int
    let interlaced: Bool

    /// Samples per pixel in the file: gray 1, RGB 3, palette index 1, gray + alpha 2, RGBA 4.
    var samplesPerPixel: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }
    /// Bits per pixel in the file.
    var bitsPerPixel: Int { samplesPerPixel * bitDepth }
    /// The byte distance of the filters' "left" neighbour (at least 1).
    var filterStride: Int { max(1, bitsPerPixel / 8) }
    /// Bytes in a scanline of `width` pixels, without the filter byte.
    func rowBytes(width: Int) -> Int { (width * bitsPerPixel + 7) / 8 }

    /// Parses and validates the 13 bytes of IHDR.
    init(_ data: ArraySlice<UInt8>, file: String, maximumPixelCount: Int) throws {
        func field(_ name: String, _ found: Int, _ expected: String) -> PNGDecodingError {
            .invalidField(file: file, field: name, found: found, expected: expected)
        }
        guard data.count == 13 else { throw field("IHDR length", data.count, "13 bytes") }
        let bytes = Array(data)
        let width = Int(PNGChunks.bigEndian(bytes, at: 0))
        let height = Int(PNGChunks.bigEndian(bytes, at: 4))
        guard (1...Int(Int32.max)).contains(width) else { throw field("IHDR width", width, "1 to \(Int32.max)") }
        guard (1...Int(Int32.max)).contains(height) else { throw field("IHDR height", height, "1 to \(Int32.max)") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maximumPixelCount else {
            throw PNGDecodingError.tooManyPixels(file: file, width: width, height: height, limit: maximumPixelCount)
        }
        let colorType = Int(bytes[9]), bitDepth = Int(bytes[8])
        let depths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let allowed = depths[colorType] else {
            throw field("IHDR colour type", colorType, "0 (gray), 2 (RGB), 3 (palette), 4 (gray + alpha) or 6 (RGBA)")
        }
        guard allowed.contains(bitDepth) else {
            throw field("IHDR bit depth for colour type \(colorType)", bitDepth,
                        allowed.map(String.init).joined(separator: ", "))
        }
        guard bytes[10] == 0 else { throw field("IHDR compression method", Int(bytes[10]), "0 (deflate)") }
        guard bytes[11] == 0 else { throw field("IHDR filter method", Int(bytes[11]), "0 (adaptive)") }
        guard bytes[12] <= 1 else { throw field("IHDR interlace method", Int(bytes[12]), "0 (none) or 1 (Adam7)") }
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.colorType = colorType
        self.interlaced = bytes[12] == 1
    }
}

/// The chunks of a PNG file that matter for its pixels, after structural validation.
struct PNGChunks {
    let file: String
    let header: PNGHeader
    /// PLTE entries as RGB triples (palette images only).
    let palette: [UInt8]
    /// tRNS alpha values of the palette entries (palette images only; may be shorter than the palette).
    let paletteAlpha: [UInt8]?
    /// The concatenated IDAT data.
    let imageData: [UInt8]

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    }

    /// Walks the chunks from the signature to IEND, checking lengths, CRCs and order.
    init(_ bytes: [UInt8], file: String, maximumPixelCount: Int) throws {
        self.file = file
        guard bytes.count >= 8, Array(bytes[0..<8]) == Self.signature else {
            throw PNGDecodingError.badSignature(file: file, found: Array(bytes.prefix(8)))
        }
        var header: PNGHeader?
        var palette: [UInt8]?
        var paletteAlpha: [UInt8]?
        var imageData: [UInt8] = []
        var sawIDAT = false, idatEnded = false, sawIEND = false
        var offset = 8
        while offset < bytes.count && !sawIEND {
            let available = bytes.count - offset
            guard available >= 8 else {
                throw PNGDecodingError.truncated(file: file, chunk: "(chunk header)", offset: offset,
                                                 needed: 8, available: available)
            }
            let typeBytes = Array(bytes[(offset + 4)..<(offset + 8)])
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw PNGDecodingError.invalidChunkType(file: file, offset: offset, found: typeBytes)
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let length = Self.bigEndian(bytes, at: offset)
            guard length <= UInt32(Int32.max) else {
                throw PNGDecodingError.badChunkLength(file: file, chunk: type, offset: offset, length: length)
            }
            let needed = 12 + Int(length)
            guard available >= needed else {
                throw PNGDecodingError.truncated(file: file, chunk: type, offset: offset, needed: needed, available: available)
            }
            let dataRange = (offset + 8)..<(offset + 8 + Int(length))
            let stored = Self.bigEndian(bytes, at: dataRange.upperBound)
            let computed = Gzip.crc32(bytes[(offset + 4)..<dataRange.upperBound])
            guard stored == computed else {
                throw PNGDecodingError.badCRC(file: file, chunk: type, offset: offset, stored: stored, computed: computed)
            }
            let data = bytes[dataRange]
            offset += needed

            guard let ihdr = header else {
                guard type == "IHDR" else { throw PNGDecodingError.missingIHDR(file: file, found: type) }
                header = try PNGHeader(data, file: file, maximumPixelCount: maximumPixelCount)
                continue
            }
            if sawIDAT && type != "IDAT" { idatEnded = true }
            func misplaced(_ reason: String) -> PNGDecodingError {
                .misplacedChunk(file: file, chunk: type, reason: reason)
            }
            switch type {
            case "IHDR":
                throw misplaced("a second IHDR; there must be exactly one, first")
            case "PLTE":
                guard !sawIDAT else { throw misplaced("PLTE must come before the first IDAT") }
                guard palette == nil else { throw misplaced("a second PLTE; at most one is allowed") }
                guard ihdr.colorType != 0 && ihdr.colorType != 4 else {
                    throw misplaced("colour type \(ihdr.colorType) (gray) must not have a palette")
                }
                let maxEntries = ihdr.colorType == 3 ? min(256, 1 << ihdr.bitDepth) : 256
                guard data.count % 3 == 0, (1...maxEntries).contains(data.count / 3) else {
                    throw PNGDecodingError.invalidField(file: file, field: "PLTE length", found: data.count,
                                                        expected: "a multiple of 3 from 3 to \(3 * maxEntries) bytes")
                }
                palette = Array(data)
            case "tRNS":
                guard !sawIDAT else { throw misplaced("tRNS must come before the first IDAT") }
                if ihdr.colorType == 3 {
                    guard let entries = palette else { throw misplaced("tRNS must follow PLTE in a palette image") }
                    guard data.count <= entries.count / 3 else {
                        throw PNGDecodingError.invalidField(file: file, field: "tRNS length", found: data.count,
                                                            expected: "at most one byte per palette entry (\(entries.count / 3))")
                    }
                    paletteAlpha = Array(data)
                }
            case "IDAT":
                guard !idatEnded else { throw misplaced("IDAT chunks must be consecutive") }
                sawIDAT = true
                imageData += data
            case "IEND":
                sawIEND = true
            default:
                if typeBytes[0] & 0x20 == 0 { throw PNGDecodingError.unknownCriticalChunk(file: file, chunk: type) }
            }
        }
        guard let header else { throw PNGDecodingError.missingIHDR(file: file, found: "the end of the file") }
        guard sawIDAT else { throw PNGDecodingError.missingChunk(file: file, chunk: "IDAT") }
        guard sawIEND else { throw PNGDecodingError.missingChunk(file: file, chunk: "IEND") }
        if header.colorType == 3 && palette == nil { throw PNGDecodingError.missingChunk(file: file, chunk: "PLTE") }
        self.header = header
        self.palette = header.colorType == 3 ? palette ?? [] : []
        self.paletteAlpha = paletteAlpha
        self.imageData = imageData
    }
}
