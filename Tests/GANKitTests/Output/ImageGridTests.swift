import Foundation
import Testing
@testable import GANKit

@Suite struct ImageGridTests {
    @Test func grayscaleLayoutMatchesMakeGrid() {
        // 5 images 2×3, image k filled with value k/10 except pixel (0,0) = -1 … so we can find corners.
        let images = Tensor(shape: [5, 1, 2, 3]) { index in
            let image = index / 6, within = index % 6
            return within == 0 ? -1 : Float(image) / 5
        }
        let grid = makeImageGrid(images, columns: 2, padding: 1, padValue: 1)
        #expect(grid.width == 2 * (3 + 1) + 1 && grid.height == 3 * (2 + 1) + 1)
        #expect(grid.channels == 1)
        #expect(grid.pixels.count == grid.width * grid.height)
        for image in 0..<5 {
            let left = (image % 2) * 4 + 1, top = (image / 2) * 3 + 1
            #expect(grid.pixel(x: left, y: top) == [0], "top-left of image \(image)")
            let expected = PixelRange.minusOneToOne.byte(Float(image) / 5)
            #expect(grid.pixel(x: left + 2, y: top + 1) == [expected])
            #expect(grid.pixel(x: left - 1, y: top) == [255], "padding left of image \(image)")
            #expect(grid.pixel(x: left, y: top - 1) == [255], "padding above image \(image)")
        }
        // The unused sixth cell is all padding.
        for y in 7..<9 { for x in 5..<8 { #expect(grid.pixel(x: x, y: y) == [255]) } }
    }

    @Test func rgbChannelsAreInterleaved() {
        // One 1×2 RGB image: pixel 0 red, pixel 1 blue.
        let image = Tensor(shape: [1, 3, 1, 2], values: [1, -1, -1, -1, -1, 1])
        let grid = makeImageGrid(image, padding: 0)
        #expect(grid.width == 2 && grid.height == 1 && grid.channels == 3)
        #expect(grid.pixels == [255, 0, 0, 0, 0, 255])
    }

    @Test func fewerImagesThanColumnsShrinksTheGrid() {
        let grid = makeImageGrid(Tensor(zeros: [3, 1, 28, 28]))
        #expect(grid.width == 3 * 30 + 2 && grid.height == 32)
    }

    @Test func valueMappingClampsAndHandlesNaN() {
        #expect(PixelRange.minusOneToOne.byte(-1) == 0 && PixelRange.minusOneToOne.byte(1) == 255 && PixelRange.minusOneToOne.byte(0) == 128)
        #expect(PixelRange.minusOneToOne.byte(-7) == 0 && PixelRange.minusOneToOne.byte(3) == 255 && PixelRange.minusOneToOne.byte(.nan) == 0)
        #expect(PixelRange.minusOneToOne.byte(.infinity) == 255 && PixelRange.minusOneToOne.byte(-.infinity) == 0)
    }

    @Test func savedGridDecodesToTheSamePixels() throws {
        let dir = try TemporaryDirectory()
        let images = Tensor(shape: [10, 1, 4, 4]) { Float($0 % 16) / 8 - 1 }
        let url = dir.file("grid.png")
        try saveImageGrid(images, columns: 4, to: url)
        let decoded = try DecodedPNG([UInt8](Data(contentsOf: url)))
        let grid = makeImageGrid(images, columns: 4)
        #expect(decoded.width == grid.width && decoded.height == grid.height && decoded.channels == 1)
        #expect(decoded.pixels == grid.pixels)
    }
}
