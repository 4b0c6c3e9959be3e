import Foundation
import Testing
@testable import GANKit

@Suite struct PNGDecodingTests {
    typealias File = PNGTestFile

    /// Decodes a non-interlaced image built from `samples` with the given filters.
    func decode(_ samples: [Int], width: Int, height: Int, colorType: Int, bitDepth: Int, samplesPerPixel: Int,
                filters: [UInt8] = [0, 1, 2, 3, 4], beforeData: [[UInt8]] = []) throws -> RasterImage {
        let rows = File.pack(samples, width: width, samplesPerPixel: samplesPerPixel, bitDepth: bitDepth)
        let scanlines = File.filter(rows, types: filters, bytesPerPixel: max(1, samplesPerPixel * bitDepth / 8))
        let bytes = File.file(ihdr: File.ihdr(width: width, height: height, bitDepth: bitDepth, colorType: colorType),
                              beforeData: beforeData, scanlines: scanlines)
        return try PNG.decode(bytes, name: "test.png")
    }

    @Test(arguments: [UInt8(0), 1, 2, 3, 4])
    func everyFilterTypeRGB(filter: UInt8) throws {
        let samples = File.samples(count: 7 * 5 * 3, limit: 256, seed: Int(filter))
        let image = try decode(samples, width: 7, height: 5, colorType: 2, bitDepth: 8, samplesPerPixel: 3,
                               filters: [filter])
        #expect(image.width == 7 && image.height == 5 && image.channels == 3)
        #expect(image.pixels == samples.map(UInt8.init))
    }

    @Test func mixedFiltersGrayAndRGBA() throws {
        let gray = File.samples(count: 9 * 6, limit: 256, seed: 1)
        let grayImage = try decode(gray, width: 9, height: 6, colorType: 0, bitDepth: 8, samplesPerPixel: 1)
        #expect(grayImage.channels == 1 && grayImage.pixels == gray.map(UInt8.init))

        let rgba = File.samples(count: 4 * 5 * 4, limit: 256, seed: 2)
        let rgbaImage = try decode(rgba, width: 4, height: 5, colorType: 6, bitDepth: 8, samplesPerPixel: 4)
        #expect(rgbaImage.channels == 4 && rgbaImage.pixels == rgba.map(UInt8.init))

        let grayAlpha = File.samples(count: 3 * 4 * 2, limit: 256, seed: 3)
        let grayAlphaImage = try decode(grayAlpha, width: 3, height: 4, colorType: 4, bitDepth: 8, samplesPerPixel: 2)
        #expect(grayAlphaImage.channels == 2 && grayAlphaImage.pixels == grayAlpha.map(UInt8.init))
    }

    @Test(arguments: [(0, 1), (2, 3), (4, 2), (6, 4)])
    func sixteenBitKeepsTheHighByte(colorType: Int, samplesPerPixel: Int) throws {
        let samples = File.samples(count: 5 * 4 * samplesPerPixel, limit: 65_536, seed: colorType)
        let image = try decode(samples, width: 5, height: 4, colorType: colorType, bitDepth: 16,
                               samplesPerPixel: samplesPerPixel)
        #expect(image.channels == samplesPerPixel)
        #expect(image.pixels == samples.map { UInt8($0 >> 8) })
    }

    @Test(arguments: [1, 2, 4])
    func lowBitDepthGrayScalesTo255(bitDepth: Int) throws {
        let maximum = (1 << bitDepth) - 1
        // Width 13 leaves unused bits at the end of each row.
        let samples = File.samples(count: 13 * 3, limit: maximum + 1, seed: bitDepth)
        let image = try decode(samples, width: 13, height: 3, colorType: 0, bitDepth: bitDepth, samplesPerPixel: 1)
        #expect(image.pixels == samples.map { UInt8($0 * 255 / maximum) })
        #expect(image.pixels.contains(255) && image.pixels.contains(0))
    }

    @Test(arguments: [1, 2, 4, 8])
    func paletteImagesExpandToRGB(bitDepth: Int) throws {
        let entries = 1 << bitDepth
        let used = min(entries, 20)
        var palette: [UInt8] = []
        for entry in 0..<used { palette += [UInt8(entry * 10), UInt8(255 - entry), UInt8(entry * 3 % 256)] }
        let indices = File.samples(count: 11 * 4, limit: used, seed: bitDepth)
        let image = try decode(indices, width: 11, height: 4, colorType: 3, bitDepth: bitDepth, samplesPerPixel: 1,
                               beforeData: [File.chunk("PLTE", palette)])
        #expect(image.channels == 3)
        var expected: [UInt8] = []
        for index in indices { expected += palette[(3 * index)..<(3 * index + 3)] }
        #expect(image.pixels == expected)
    }

    @Test func paletteTransparencyAddsAlpha() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255]
        let alpha: [UInt8] = [10, 20]  // the third entry stays opaque
        let indices = [0, 1, 2, 2, 1, 0]
        let image = try decode(indices, width: 3, height: 2, colorType: 3, bitDepth: 8, samplesPerPixel: 1,
                               beforeData: [File.chunk("PLTE", palette), File.chunk("tRNS", alpha)])
        #expect(image.channels == 4)
        #expect(image.pixels == [255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 255,
                                 0, 0, 255, 255, 0, 255, 0, 20, 255, 0, 0, 10])
    }

    @Test func adam7InterlacingMatchesTheSameImageUninterlaced() throws {
        for (colorType, spp, depth, width, height) in [(2, 3, 8, 11, 9), (0, 1, 2, 13, 10), (6, 4, 16, 3, 2), (0, 1, 8, 1, 1)] {
            let samples = File.samples(count: width * height * spp, limit: 1 << depth, seed: width)
            let interlaced = File.file(
                ihdr: File.ihdr(width: width, height: height, bitDepth: depth, colorType: colorType, interlace: 1),
                scanlines: File.adam7Scanlines(samples, width: width, height: height, samplesPerPixel: spp,
                                               bitDepth: depth, types: [4, 1, 3, 2, 0]))
            let plain = try decode(samples, width: width, height: height, colorType: colorType, bitDepth: depth,
                                   samplesPerPixel: spp)
            let image = try PNG.decode(interlaced)
            #expect(image == plain, "colour type \(colorType), depth \(depth), \(width)×\(height)")
        }
    }

    @Test func splitImageDataAncillaryChunksAndTrailingBytes() throws {
        let samples = File.samples(count: 6 * 6 * 3, limit: 256, seed: 9)
        let rows = File.pack(samples, width: 6, samplesPerPixel: 3, bitDepth: 8)
        let idat = try Gzip.deflate(File.filter(rows, types: [4], bytesPerPixel: 3), format: .zlib)
        let cut = idat.count / 3
        let bytes = File.signature + File.chunk("IHDR", File.ihdr(width: 6, height: 6, bitDepth: 8, colorType: 2))
            + File.chunk("tEXt", Array("Comment\0hello".utf8)) + File.chunk("PLTE", [1, 2, 3])
            + File.chunk("IDAT", Array(idat[..<cut])) + File.chunk("IDAT", []) + File.chunk("IDAT", Array(idat[cut...]))
            + File.chunk("tIME", [7, 234, 1, 1, 0, 0, 0]) + File.chunk("IEND", []) + [1, 2, 3]
        #expect(try PNG.decode(bytes).pixels == samples.map(UInt8.init))
    }

    @Test(arguments: [1, 3, 4])
    func roundTripsGANKitsOwnWriter(channels: Int) throws {
        let (width, height) = (23, 17)
        let pixels = File.samples(count: width * height * channels, limit: 256, seed: channels).map(UInt8.init)
        let encoded = try PNG.encode(width: width, height: height, channels: channels, pixels: pixels)
        #expect(try PNG.decode(encoded) == RasterImage(width: width, height: height, channels: channels, pixels: pixels))

        let dir = try TemporaryDirectory()
        let url = dir.file("image.png")
        try RasterImage(width: width, height: height, channels: channels, pixels: pixels).writePNG(to: url)
        #expect(try PNG.read(contentsOf: url).pixels == pixels)
    }

    @Test func colourImageGridsDecodeInColour() throws {
        // Two 2×2 RGB images: pure red and pure blue, in [-1, 1].
        var values = [Float](repeating: -1, count: 2 * 3 * 4)
        for i in 0..<4 { values[i] = 1; values[12 + 8 + i] = 1 }
        let dir = try TemporaryDirectory()
        let url = dir.file("grid.png")
        try saveImageGrid(Tensor(shape: [2, 3, 2, 2], values: values), columns: 2, padding: 1, to: url)
        let grid = try PNG.read(contentsOf: url)
        #expect(grid.channels == 3 && grid.width == 7 && grid.height == 4)
        #expect(Array(grid.pixel(x: 1, y: 1)) == [255, 0, 0])
        #expect(Array(grid.pixel(x: 4, y: 2)) == [0, 0, 255])
        #expect(Array(grid.pixel(x: 0, y: 0)) == [0, 0, 0])
    }
}
