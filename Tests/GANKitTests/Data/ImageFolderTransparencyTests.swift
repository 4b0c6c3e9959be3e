import Foundation
import Testing
@testable import GANKit

/// The cases a user's folder of real images brings: transparency (RGBA, gray + alpha,
/// a palette with tRNS alpha), 16-bit samples, gray images for an RGB model, a broken
/// file, and many files decoded on all threads. PNG files are built byte by byte
/// (`PNGTestFile`), independently of GANKit's writer.
@Suite struct ImageFolderTransparencyTests {
    func write(_ bytes: [UInt8], _ dir: TemporaryDirectory, _ path: String) throws {
        let url = dir.file(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// A 2×1 palette image: entry 0 red and fully transparent, entry 1 blue at alpha 128.
    var paletteWithTransparency: [UInt8] {
        PNGTestFile.file(ihdr: PNGTestFile.ihdr(width: 2, height: 1, bitDepth: 8, colorType: 3),
                         beforeData: [PNGTestFile.chunk("PLTE", [255, 0, 0, 0, 0, 255]), PNGTestFile.chunk("tRNS", [0, 128])],
                         scanlines: [0, 0, 1])
    }

    /// A 2×1 16-bit RGB image whose samples' high bytes are 10…60 (low bytes 0xFF, to be dropped).
    var sixteenBitRGB: [UInt8] {
        let samples: [UInt8] = [10, 20, 30, 40, 50, 60].flatMap { [$0, 0xFF] }
        return PNGTestFile.file(ihdr: PNGTestFile.ihdr(width: 2, height: 1, bitDepth: 16, colorType: 2), scanlines: [0] + samples)
    }

    /// A 2×1 8-bit gray image, 100 and 200.
    var gray: [UInt8] {
        PNGTestFile.file(ihdr: PNGTestFile.ihdr(width: 2, height: 1, bitDepth: 8, colorType: 0), scanlines: [0, 100, 200])
    }

    func bytes(_ tensor: Tensor) -> [Float] { tensor.scalars.map { (($0 + 1) * 127.5 * 1000).rounded() / 1000 } }

    @Test func transparencyIsCompositedOverTheBackground() throws {
        let dir = try TemporaryDirectory()
        try write(paletteWithTransparency, dir, "a-palette.png")
        let overWhite = try ImageDataset.imageFolder(directory: dir.url, channels: 3)
        // Planes R, G, B of the 2 pixels: transparent red → white; blue at 128/255 over white.
        let w = Float(255) * (1 - 128 / Float(255))
        #expect(bytes(overWhite.images) == bytes(Tensor(shape: [1, 3, 1, 2], values: [255, w, 255, w, 255, w + 128].map { $0 / 127.5 - 1 })))
        let overBlack = try ImageDataset.imageFolder(directory: dir.url, channels: 3, alpha: .composite(over: .black))
        #expect(bytes(overBlack.images) == bytes(Tensor(shape: [1, 3, 1, 2], values: [0, 0, 0, 0, 0, 128].map { $0 / 127.5 - 1 })))
        let kept = try ImageDataset.imageFolder(directory: dir.url, channels: 4, alpha: .keep)
        #expect(bytes(kept.images) == bytes(Tensor(shape: [1, 4, 1, 2], values: [255, 0, 0, 0, 0, 255, 0, 128].map { $0 / 127.5 - 1 })))
    }

    @Test func sixteenBitAndGrayImagesJoinAnRGBSet() throws {
        let dir = try TemporaryDirectory()
        try write(sixteenBitRGB, dir, "a-16-bit.png")
        try write(gray, dir, "b-gray.png")
        try write(paletteWithTransparency, dir, "c-palette.png")
        let data = try ImageDataset.imageFolder(directory: dir.url, channels: 3)
        #expect(data.images.shape == [3, 3, 1, 2])
        #expect(bytes(data.images.slice(0..<1)) == bytes(Tensor(shape: [1, 3, 1, 2], values: [10, 40, 20, 50, 30, 60].map { $0 / 127.5 - 1 })),
                "16-bit samples keep their high byte")
        #expect(bytes(data.images.slice(1..<2)) == bytes(Tensor(shape: [1, 3, 1, 2], values: [100, 200, 100, 200, 100, 200].map { $0 / 127.5 - 1 })),
                "gray is repeated in R, G and B")
    }

    @Test func aBrokenFileIsNamedEvenAmongMany() throws {
        let dir = try TemporaryDirectory()
        for index in 0..<40 { try write(gray, dir, String(format: "class/%03d.png", index)) }
        var broken = gray
        broken[broken.count - 20] ^= 0xFF  // inside IDAT: a CRC mismatch
        try write(broken, dir, "class/017.png")
        try write(Array(gray.prefix(30)), dir, "class/031.png")
        #expect { try ImageDataset.imageFolder(directory: dir.url, channels: 3) } throws: { error in
            "\(error)".hasPrefix(dir.file("class/017.png").path + ":")   // the first broken file in path order
        }
    }

    @Test func decodingOnSeveralThreadsGivesTheSameImages() throws {
        let dir = try TemporaryDirectory()
        var rng = SeededGenerator(seed: 4)
        for index in 0..<50 {
            let pixels = (0..<(9 * 7 * 4)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try PNG.write(width: 7, height: 9, channels: 4, pixels: pixels, to: dir.file(String(format: "%02d.png", index)))
        }
        let one = try Parallelism.withThreadCount(1) { try ImageDataset.imageFolder(directory: dir.url, channels: 3, size: (4, 4)) }
        let two = try Parallelism.withThreadCount(2) { try ImageDataset.imageFolder(directory: dir.url, channels: 3, size: (4, 4)) }
        #expect(one.images == two.images)
    }

    @Test func backgroundColoursParse() {
        #expect(BackgroundColour(parsing: "#10a0FF") == BackgroundColour(red: 16, green: 160, blue: 255))
        #expect(BackgroundColour(parsing: "White") == .white && BackgroundColour(parsing: "grey")?.red == 128)
        #expect(BackgroundColour(parsing: "#12345") == nil && BackgroundColour(parsing: "blue") == nil)
        #expect(BackgroundColour(red: 16, green: 160, blue: 255).description == "#10A0FF")
    }
}
