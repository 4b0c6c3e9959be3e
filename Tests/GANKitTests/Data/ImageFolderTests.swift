import Foundation
import Testing
@testable import GANKit

@Suite struct ImageFolderTests {
    /// Writes a PNG with GANKit's writer (the decoder is tested against independent files elsewhere).
    @discardableResult
    func writePNG(_ dir: TemporaryDirectory, _ path: String, width: Int, height: Int, channels: Int,
                  pixels: [UInt8]) throws -> URL {
        let url = dir.file(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNG.write(width: width, height: height, channels: channels, pixels: pixels, to: url)
        return url
    }

    func scaled(_ byte: Float) -> Float { byte / 127.5 - 1 }

    @Test func classSubfoldersGiveSortedLabels() throws {
        let dir = try TemporaryDirectory()
        try writePNG(dir, "dog/b.png", width: 2, height: 1, channels: 3, pixels: [30, 31, 32, 33, 34, 35])
        try writePNG(dir, "cat/z.png", width: 2, height: 1, channels: 3, pixels: [20, 21, 22, 23, 24, 25])
        try writePNG(dir, "cat/a.png", width: 2, height: 1, channels: 3, pixels: [10, 11, 12, 13, 14, 15])
        try writePNG(dir, "dog/nested/c.PNG", width: 2, height: 1, channels: 3, pixels: [40, 41, 42, 43, 44, 45])
        try dir.write([1, 2, 3], to: "cat/notes.txt")
        try dir.write([1, 2, 3], to: "cat/.hidden.png")
        let data = try ImageDataset.imageFolder(directory: dir.url, channels: 3)
        #expect(data.images.shape == [4, 3, 1, 2])
        #expect(data.labels == [0, 0, 1, 1])
        #expect(data.classNames == ["cat", "dog"])
        // Image order cat/a, cat/z, dog/b, dog/nested/c; planes R, G, B; bytes scaled to [-1, 1].
        for (index, base) in [10, 20, 30, 40].enumerated() {
            for c in 0..<3 {
                #expect(data.images[index, c, 0, 0] == scaled(Float(base + c)))
                #expect(data.images[index, c, 0, 1] == scaled(Float(base + 3 + c)))
            }
        }
    }

    @Test func flatFolderHasNoLabelsAndKeepsBytesExactly() throws {
        let dir = try TemporaryDirectory()
        try writePNG(dir, "2.png", width: 2, height: 2, channels: 1, pixels: [0, 255, 128, 7])
        try writePNG(dir, "1.png", width: 2, height: 2, channels: 1, pixels: [1, 2, 3, 4])
        let data = try ImageDataset.imageFolder(directory: dir.url, channels: 1)
        #expect(data.labels == nil && data.classNames == nil)
        #expect(data.images.shape == [2, 1, 2, 2])
        #expect(Array(data.images.slice(1..<2).withUnsafeBufferPointer(Array.init)) ==
                [-1, 1, scaled(128), scaled(7)])
        #expect(data.images[0, 0, 1, 1] == scaled(4))
    }

    @Test func grayAndColourConversions() throws {
        let dir = try TemporaryDirectory()
        try writePNG(dir, "a-gray.png", width: 1, height: 1, channels: 1, pixels: [200])
        try writePNG(dir, "b-rgba.png", width: 1, height: 1, channels: 4, pixels: [100, 50, 10, 255])
        let rgb = try ImageDataset.imageFolder(directory: dir.url, channels: 3)
        #expect((0..<3).map { rgb.images[0, $0, 0, 0] } == [scaled(200), scaled(200), scaled(200)])
        #expect((0..<3).map { rgb.images[1, $0, 0, 0] } == [scaled(100), scaled(50), scaled(10)])  // opaque: as it is
        let gray = try ImageDataset.imageFolder(directory: dir.url, channels: 1)
        #expect(gray.images[0, 0, 0, 0] == scaled(200))
        let luma: Float = 0.299 * 100 + 0.587 * 50 + 0.114 * 10
        #expect(abs(gray.images[1, 0, 0, 0] - scaled(luma)) < 1e-5)
    }

    @Test func shrinkingAveragesAreasAfterACentreCrop() throws {
        let dir = try TemporaryDirectory()
        // 4 rows × 8 columns, value 10·row + column; the centre 4×4 crop is columns 2…5.
        try writePNG(dir, "wide.png", width: 8, height: 4, channels: 1,
                     pixels: (0..<4).flatMap { y in (0..<8).map { UInt8(10 * y + $0) } })
        let data = try ImageDataset.imageFolder(directory: dir.url, channels: 1, size: (height: 2, width: 2))
        #expect(data.images.shape == [1, 1, 2, 2])
        // Output (0, 0) averages rows 0–1, columns 2–3: (2 + 3 + 12 + 13) / 4 = 7.5.
        let expected: [Float] = [7.5, 9.5, 27.5, 29.5].map(scaled)
        let found = data.images.withUnsafeBufferPointer(Array.init)
        #expect(zip(found, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(found) vs \(expected)")

        // A non-integer factor: 3×3 → 2×2, each output pixel covers 1.5 source pixels per axis.
        let rows = try TemporaryDirectory()
        try writePNG(rows, "rows.png", width: 3, height: 3, channels: 1, pixels: [0, 90, 180, 0, 90, 180, 0, 90, 180])
        let small = try ImageDataset.imageFolder(directory: rows.url, channels: 1, size: (height: 2, width: 2))
        #expect(abs(small.images[0, 0, 1, 0] - scaled(30)) < 1e-5)   // (0 + 0.5 · 90) / 1.5
        #expect(abs(small.images[0, 0, 0, 1] - scaled(150)) < 1e-5)  // (0.5 · 90 + 180) / 1.5
    }

    @Test func enlargingInterpolatesBilinearly() throws {
        let dir = try TemporaryDirectory()
        try writePNG(dir, "tiny.png", width: 2, height: 1, channels: 3, pixels: [0, 0, 0, 255, 100, 0])
        let data = try ImageDataset.imageFolder(directory: dir.url, channels: 3, size: (height: 2, width: 4))
        #expect(data.images.shape == [1, 3, 2, 4])
        // Source centres at 0 and 1; output centres at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        let red = (0..<4).map { data.images[0, 0, 1, $0] }
        let expected: [Float] = [0, 63.75, 191.25, 255].map(scaled)
        #expect(zip(red, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(red)")
        #expect(abs(data.images[0, 1, 0, 2] - scaled(75)) < 1e-5)
    }

    @Test func differentSizesNeedATargetSize() throws {
        let dir = try TemporaryDirectory()
        let first = try writePNG(dir, "a.png", width: 3, height: 2, channels: 3, pixels: [UInt8](repeating: 9, count: 18))
        try writePNG(dir, "b.png", width: 3, height: 2, channels: 1, pixels: [UInt8](repeating: 9, count: 6))
        let odd = try writePNG(dir, "c.png", width: 2, height: 3, channels: 3, pixels: [UInt8](repeating: 9, count: 18))
        #expect(throws: ImageFolderError.sizeMismatch(file: odd.path, height: 3, width: 2, firstFile: first.path,
                                                      firstHeight: 2, firstWidth: 3)) {
            try ImageDataset.imageFolder(directory: dir.url, channels: 3)
        }
        let text = ImageFolderError.sizeMismatch(file: odd.path, height: 3, width: 2, firstFile: first.path,
                                                 firstHeight: 2, firstWidth: 3).description
        #expect(text.contains(odd.path) && text.contains(first.path) && text.contains("3×2") && text.contains("2×3"))
        let resized = try ImageDataset.imageFolder(directory: dir.url, channels: 3, size: (height: 4, width: 4))
        #expect(resized.images.shape == [3, 3, 4, 4])
        #expect(resized.images.withUnsafeBufferPointer { $0.allSatisfy { abs($0 - scaled(9)) < 1e-5 } })
    }

    @Test func layoutAndArgumentErrors() throws {
        let empty = try TemporaryDirectory()
        #expect {
            try ImageDataset.imageFolder(directory: empty.url, channels: 3)
        } throws: { error in
            guard case .noImages(empty.url.path, _)? = error as? ImageFolderError else { return false }
            return "\(error)".contains(".png")
        }
        try empty.write([1], to: "readme.txt")
        #expect(throws: ImageFolderError.self) { try ImageDataset.imageFolder(directory: empty.url, channels: 1) }

        let classes = try TemporaryDirectory()
        try writePNG(classes, "a/x.png", width: 1, height: 1, channels: 1, pixels: [1])
        try FileManager.default.createDirectory(at: classes.file("b"), withIntermediateDirectories: true)
        #expect(throws: ImageFolderError.emptyClass(directory: classes.url.path, className: "b")) {
            try ImageDataset.imageFolder(directory: classes.url, channels: 1)
        }
        try writePNG(classes, "b/y.png", width: 1, height: 1, channels: 1, pixels: [1])
        try writePNG(classes, "stray.png", width: 1, height: 1, channels: 1, pixels: [1])
        let withStray = try ImageDataset.imageFolder(directory: classes.url, channels: 1)
        #expect(withStray.count == 2 && withStray.labels == [0, 1], "a PNG next to the class folders belongs to no class")
        #expect(withStray.skippedFiles == [classes.file("stray.png").path])
        #expect(throws: ImageFolderError.invalidChannels(2, alpha: .compositeOverWhite)) {
            try ImageDataset.imageFolder(directory: classes.url, channels: 2)
        }
        #expect(throws: ImageFolderError.invalidChannels(3, alpha: .keep)) {
            try ImageDataset.imageFolder(directory: classes.url, channels: 3, alpha: .keep)
        }
        #expect(throws: ImageFolderError.invalidSize(height: 0, width: 4)) {
            try ImageDataset.imageFolder(directory: classes.url, channels: 1, size: (height: 0, width: 4))
        }
        let nowhere = classes.file("nowhere")
        #expect(throws: ImageFolderError.unreadable(directory: nowhere.path, reason: "no such directory")) {
            try ImageDataset.imageFolder(directory: nowhere, channels: 1)
        }
    }

    @Test func aBrokenImageIsNamed() throws {
        let dir = try TemporaryDirectory()
        try writePNG(dir, "a.png", width: 1, height: 1, channels: 1, pixels: [1])
        let broken = try dir.write(Array("not a png".utf8), to: "b.png")
        #expect {
            try ImageDataset.imageFolder(directory: dir.url, channels: 1)
        } throws: { error in
            guard case .badSignature(broken.path, _)? = error as? PNGDecodingError else { return false }
            return "\(error)".hasPrefix(broken.path)
        }
    }
}
