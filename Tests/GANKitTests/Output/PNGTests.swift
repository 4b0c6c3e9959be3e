import Foundation
import Testing
@testable import GANKit

@Suite struct PNGTests {
    /// Pixels mixing gradients, flat areas and noise so that different filters win on different rows.
    private func pixels(width: Int, height: Int, channels: Int) -> [UInt8] {
        var state: UInt32 = 12345
        var out: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    state = state &* 1_664_525 &+ 1_013_904_223
                    switch y % 4 {
                    case 0: out.append(UInt8(truncatingIfNeeded: x * 3 + c * 40))
                    case 1: out.append(UInt8(truncatingIfNeeded: y * 5 + c))
                    case 2: out.append(UInt8(truncatingIfNeeded: state >> 24))
                    default: out.append(UInt8(truncatingIfNeeded: (x + y) * 2 + c))
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: [1, 3, 4])
    func encodeDecodesBackExactly(channels: Int) throws {
        let (width, height) = (37, 23)
        let source = pixels(width: width, height: height, channels: channels)
        let file = try PNG.encode(width: width, height: height, channels: channels, pixels: source)
        let decoded = try DecodedPNG(file)
        #expect(decoded.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.width == width && decoded.height == height && decoded.channels == channels)
        #expect(decoded.pixels == source)
        #expect(Set(decoded.filterTypes).count >= 2, "adaptive filtering picks several filters: \(Set(decoded.filterTypes))")
    }

    @Test func singlePixelAndWideImages() throws {
        for (w, h, c) in [(1, 1, 1), (1, 50, 3), (300, 1, 4)] {
            let source = pixels(width: w, height: h, channels: c)
            let decoded = try DecodedPNG(PNG.encode(width: w, height: h, channels: c, pixels: source))
            #expect(decoded.pixels == source)
        }
    }

    @Test func testCRCMatchesZlib() {
        let bytes = Array("IHDR and some data".utf8)
        #expect(DecodedPNG.crc32(bytes) == Gzip.crc32(bytes))
        #expect(DecodedPNG.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func invalidInputsThrow() {
        #expect(throws: PNGError.invalidSize(width: 0, height: 5)) {
            try PNG.encode(width: 0, height: 5, channels: 1, pixels: [])
        }
        #expect(throws: PNGError.unsupportedChannels(2)) {
            try PNG.encode(width: 1, height: 1, channels: 2, pixels: [0, 0])
        }
        #expect(throws: PNGError.pixelCountMismatch(expected: 12, found: 11)) {
            try PNG.encode(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 11))
        }
        #expect(throws: PNGError.self) {
            try PNG.encode(width: Int.max / 2, height: 4, channels: 4, pixels: [])
        }
    }

    @Test func writeIsAtomicAndReadable() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("image.png")
        let image = RasterImage(width: 4, height: 3, channels: 3, pixels: pixels(width: 4, height: 3, channels: 3))
        try image.writePNG(to: url)
        try image.writePNG(to: url)
        #expect(try DecodedPNG([UInt8](Data(contentsOf: url))).pixels == image.pixels)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["image.png"])
        let bad = dir.url.appendingPathComponent("missing/image.png")
        #expect(throws: PNGError.self) { try image.writePNG(to: bad) }
    }
}
