import Foundation
import Testing
@testable import GANKit

@Suite struct PNGCorruptionTests {
    typealias File = PNGTestFile

    /// A valid 4×3 RGB file and its IHDR fields.
    static let header = File.ihdr(width: 4, height: 3, bitDepth: 8, colorType: 2)
    static let scanlines = File.filter(File.pack(File.samples(count: 36, limit: 256, seed: 5), width: 4,
                                                 samplesPerPixel: 3, bitDepth: 8), types: [1], bytesPerPixel: 3)
    static let valid = File.file(ihdr: header, scanlines: scanlines)

    /// Expects `bytes` to fail with exactly `expected`, and its message to name the file.
    func expectFailure(_ bytes: [UInt8], _ expected: PNGDecodingError, maximumPixelCount: Int = PNG.defaultMaximumPixelCount,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let image = try PNG.decode(bytes, name: "bad.png", maximumPixelCount: maximumPixelCount)
            Issue.record("decoded a \(image.width)×\(image.height) image, expected \(expected)", sourceLocation: sourceLocation)
        } catch let error as PNGDecodingError {
            #expect(error == expected, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("bad.png: "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func theValidFileDecodes() throws {
        #expect(try PNG.decode(Self.valid).pixels.count == 36)
    }

    @Test func badSignature() {
        var bytes = Self.valid
        bytes[1] = 0x51
        expectFailure(bytes, .badSignature(file: "bad.png", found: Array(bytes[0..<8])))
        expectFailure([], .badSignature(file: "bad.png", found: []))
        expectFailure([0x89, 0x50], .badSignature(file: "bad.png", found: [0x89, 0x50]))
        #expect(PNGDecodingError.badSignature(file: "x", found: []).description.contains("empty file"))
    }

    @Test func badCRCNamesTheChunk() {
        var bytes = Self.valid
        bytes[8 + 8 + 3] ^= 1  // a byte of IHDR's width
        guard case .badCRC(_, "IHDR", 8, _, _)? = decodeError(bytes) else {
            Issue.record("expected a CRC error in IHDR"); return
        }
        var idat = Self.valid
        idat[idat.count - 12 - 5] ^= 0x40  // last data byte of IDAT
        guard case .badCRC(_, "IDAT", 33, let stored, let computed)? = decodeError(idat), stored != computed else {
            Issue.record("expected a CRC error in IDAT"); return
        }
        var crc = Self.valid
        crc[crc.count - 1] ^= 0xFF  // IEND's CRC
        guard case .badCRC(_, "IEND", _, _, _)? = decodeError(crc) else { Issue.record("expected a CRC error in IEND"); return }
    }

    func decodeError(_ bytes: [UInt8]) -> PNGDecodingError? {
        do { _ = try PNG.decode(bytes, name: "bad.png"); return nil } catch { return error as? PNGDecodingError }
    }

    @Test func everyTruncationFails() {
        for length in 0..<Self.valid.count {
            let error = decodeError(Array(Self.valid[..<length]))
            #expect(error != nil, "a file cut to \(length) bytes decoded")
        }
        // Cut inside IDAT's data, and right after it (IEND missing).
        let idatEnd = Self.valid.count - 12
        expectFailure(Array(Self.valid[..<(idatEnd - 3)]),
                      .truncated(file: "bad.png", chunk: "IDAT", offset: 33, needed: idatEnd - 33, available: idatEnd - 36))
        expectFailure(Array(Self.valid[..<idatEnd]), .missingChunk(file: "bad.png", chunk: "IEND"))
        expectFailure(Array(Self.valid[..<37]),
                      .truncated(file: "bad.png", chunk: "(chunk header)", offset: 33, needed: 8, available: 4))
    }

    @Test func missingChunks() throws {
        let ihdr = File.chunk("IHDR", Self.header), iend = File.chunk("IEND", [])
        let idat = File.chunk("IDAT", try Gzip.deflate(Self.scanlines, format: .zlib))
        expectFailure(File.signature + idat + iend, .missingIHDR(file: "bad.png", found: "IDAT"))
        expectFailure(File.signature, .missingIHDR(file: "bad.png", found: "the end of the file"))
        expectFailure(File.signature + ihdr + iend, .missingChunk(file: "bad.png", chunk: "IDAT"))
        expectFailure(File.signature + ihdr + idat, .missingChunk(file: "bad.png", chunk: "IEND"))
        let palette = File.file(ihdr: File.ihdr(width: 4, height: 3, bitDepth: 8, colorType: 3),
                                scanlines: [UInt8](repeating: 0, count: 15))
        expectFailure(palette, .missingChunk(file: "bad.png", chunk: "PLTE"))
    }

    @Test func badHeaderValues() {
        func header(width: Int = 4, height: Int = 3, depth: Int = 8, type: Int = 2, interlace: Int = 0,
                    compression: UInt8 = 0, filter: UInt8 = 0) -> [UInt8] {
            File.file(ihdr: File.ihdr(width: width, height: height, bitDepth: depth, colorType: type, interlace: interlace,
                                      compression: compression, filter: filter), scanlines: Self.scanlines)
        }
        func field(_ name: String, _ found: Int, _ expected: String) -> PNGDecodingError {
            .invalidField(file: "bad.png", field: name, found: found, expected: expected)
        }
        expectFailure(header(width: 0), field("IHDR width", 0, "1 to 2147483647"))
        expectFailure(header(height: 0), field("IHDR height", 0, "1 to 2147483647"))
        expectFailure(header(width: 1 << 31), field("IHDR width", 1 << 31, "1 to 2147483647"))
        expectFailure(header(type: 5), field("IHDR colour type", 5,
                                             "0 (gray), 2 (RGB), 3 (palette), 4 (gray + alpha) or 6 (RGBA)"))
        expectFailure(header(depth: 4), field("IHDR bit depth for colour type 2", 4, "8, 16"))
        expectFailure(header(depth: 16, type: 3), field("IHDR bit depth for colour type 3", 16, "1, 2, 4, 8"))
        expectFailure(header(depth: 3, type: 0), field("IHDR bit depth for colour type 0", 3, "1, 2, 4, 8, 16"))
        expectFailure(header(compression: 1), field("IHDR compression method", 1, "0 (deflate)"))
        expectFailure(header(filter: 2), field("IHDR filter method", 2, "0 (adaptive)"))
        expectFailure(header(interlace: 2), field("IHDR interlace method", 2, "0 (none) or 1 (Adam7)"))
        let short = File.signature + File.chunk("IHDR", Array(Self.header.prefix(12))) + File.chunk("IEND", [])
        expectFailure(short, field("IHDR length", 12, "13 bytes"))
    }

    @Test func absurdSizesAreRejectedBeforeAllocating() {
        let huge = File.file(ihdr: File.ihdr(width: 1 << 30, height: 1 << 30, bitDepth: 8, colorType: 6),
                             scanlines: Self.scanlines)
        expectFailure(huge, .tooManyPixels(file: "bad.png", width: 1 << 30, height: 1 << 30, limit: 1 << 28))
        expectFailure(Self.valid, .tooManyPixels(file: "bad.png", width: 4, height: 3, limit: 11), maximumPixelCount: 11)
        #expect(PNGDecodingError.tooManyPixels(file: "f", width: 2, height: 3, limit: 5).description.contains("2×3"))
    }

    @Test func imageDataOfTheWrongSize() throws {
        func withData(_ scanlines: [UInt8]) -> [UInt8] { File.file(ihdr: Self.header, scanlines: scanlines) }
        expectFailure(withData(Array(Self.scanlines.dropLast())),
                      .imageDataLength(file: "bad.png", expected: 39, found: "38"))
        expectFailure(withData(Self.scanlines + [0, 0]), .imageDataLength(file: "bad.png", expected: 39, found: "41"))
        let garbage = File.signature + File.chunk("IHDR", Self.header) + File.chunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF])
            + File.chunk("IEND", [])
        guard case .corruptImageData(let file, _)? = decodeError(garbage) else { Issue.record("expected corrupt data"); return }
        #expect(file == "bad.png")
        let deflated = try Gzip.deflate(Self.scanlines, format: .zlib)
        let cut = File.signature + File.chunk("IHDR", Self.header) + File.chunk("IDAT", Array(deflated.dropLast(6)))
            + File.chunk("IEND", [])
        #expect(decodeError(cut) != nil)
    }

    @Test func badFilterTypeNamesTheRow() {
        var scanlines = Self.scanlines
        scanlines[13] = 5  // the second row's filter byte
        expectFailure(File.file(ihdr: Self.header, scanlines: scanlines), .badFilterType(file: "bad.png", row: 1, found: 5))
    }

    @Test func paletteProblems() {
        let header = File.ihdr(width: 2, height: 1, bitDepth: 8, colorType: 3)
        let plte = File.chunk("PLTE", [1, 2, 3, 4, 5, 6])
        expectFailure(File.file(ihdr: header, beforeData: [plte], scanlines: [0, 1, 2]),
                      .paletteIndexOutOfRange(file: "bad.png", index: 2, paletteSize: 2))
        expectFailure(File.file(ihdr: header, beforeData: [File.chunk("PLTE", [1, 2, 3, 4])], scanlines: [0, 0, 0]),
                      .invalidField(file: "bad.png", field: "PLTE length", found: 4,
                                    expected: "a multiple of 3 from 3 to 768 bytes"))
        expectFailure(File.file(ihdr: header, beforeData: [plte, File.chunk("tRNS", [1, 2, 3])], scanlines: [0, 0, 0]),
                      .invalidField(file: "bad.png", field: "tRNS length", found: 3,
                                    expected: "at most one byte per palette entry (2)"))
        expectFailure(File.file(ihdr: header, beforeData: [File.chunk("tRNS", [1]), plte], scanlines: [0, 0, 0]),
                      .misplacedChunk(file: "bad.png", chunk: "tRNS", reason: "tRNS must follow PLTE in a palette image"))
        let gray = File.ihdr(width: 2, height: 1, bitDepth: 8, colorType: 0)
        expectFailure(File.file(ihdr: gray, beforeData: [plte], scanlines: [0, 0, 0]),
                      .misplacedChunk(file: "bad.png", chunk: "PLTE", reason: "colour type 0 (gray) must not have a palette"))
    }

    @Test func chunkOrderAndTypes() throws {
        let ihdr = File.chunk("IHDR", Self.header), iend = File.chunk("IEND", [])
        let data = try Gzip.deflate(Self.scanlines, format: .zlib)
        let split = File.chunk("IDAT", Array(data.prefix(5))) + File.chunk("tEXt", Array("a\0b".utf8))
            + File.chunk("IDAT", Array(data.dropFirst(5)))
        expectFailure(File.signature + ihdr + split + iend,
                      .misplacedChunk(file: "bad.png", chunk: "IDAT", reason: "IDAT chunks must be consecutive"))
        let idat = File.chunk("IDAT", data)
        expectFailure(File.signature + ihdr + idat + File.chunk("PLTE", [1, 2, 3]) + iend,
                      .misplacedChunk(file: "bad.png", chunk: "PLTE", reason: "PLTE must come before the first IDAT"))
        expectFailure(File.signature + ihdr + ihdr + idat + iend,
                      .misplacedChunk(file: "bad.png", chunk: "IHDR", reason: "a second IHDR; there must be exactly one, first"))
        expectFailure(File.signature + ihdr + File.chunk("QUUX", []) + idat + iend,
                      .unknownCriticalChunk(file: "bad.png", chunk: "QUUX"))
        var badType = File.signature + ihdr + File.chunk("ab1d", []) + idat + iend
        expectFailure(badType, .invalidChunkType(file: "bad.png", offset: 33, found: Array("ab1d".utf8)))
        badType = File.signature + ihdr + [0x80, 0, 0, 0] + Array("tEXt".utf8) + idat + iend
        expectFailure(badType, .badChunkLength(file: "bad.png", chunk: "tEXt", offset: 33, length: 0x8000_0000))
    }

    @Test func unreadableFileIsNamed() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("missing.png")
        #expect(throws: PNGDecodingError.unreadable(file: url.path, reason: "no such file")) {
            try PNG.read(contentsOf: url)
        }
        try dir.write([1, 2, 3], to: "junk.png")
        #expect(throws: PNGDecodingError.badSignature(file: dir.file("junk.png").path, found: [1, 2, 3])) {
            try PNG.read(contentsOf: dir.file("junk.png"))
        }
    }
}
