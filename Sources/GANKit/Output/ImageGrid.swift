import Foundation

/// Tiles a batch of images into one picture, like torchvision's `make_grid`.
///
/// Images are laid out left to right, top to bottom, `columns` per row
/// (fewer if there are fewer images), each surrounded by `padding` pixels of
/// `padValue`; unused cells in the last row are left as padding. With
/// `H`×`W` images the result is
/// `columns·(W + padding) + padding` by `rows·(H + padding) + padding` pixels.
///
/// Values map from `pixelRange` to bytes: from `[-1, 1]` (the default) as
/// `round((x + 1) / 2 · 255)`, from `[0, 1]` as `round(x · 255)`, clamped;
/// NaN becomes 0 (``PixelRange/byte(_:)``).
///
/// ```swift
/// let grid = makeImageGrid(generator(noise))   // [64, 1, 28, 28] → 8×8 tiles
/// try grid.writePNG(to: URL(fileURLWithPath: "epoch-3.png"))
/// ```
/// - Parameters:
///   - images: `[N, C, H, W]` with `N ≥ 1` and `C` 1 (grayscale) or 3 (RGB), values in `pixelRange`.
///   - columns: Images per row (≥ 1).
///   - padding: Pixels between and around images (≥ 0).
///   - padValue: The padding's value on the images' scale (default nil: black, the range's lower bound).
///   - pixelRange: The scale of `images`: `[-1, 1]` (default, `tanh` generators) or `[0, 1]` (`sigmoid` ones).
/// - Returns: A `RasterImage` with `C` channels.
/// - Precondition: the shape and parameters are as described.
public func makeImageGrid(_ images: Tensor, columns: Int = 8, padding: Int = 2, padValue: Float? = nil,
                          pixelRange: PixelRange = .minusOneToOne) -> RasterImage {
    require(images.rank == 4, "makeImageGrid: expected [N, C, H, W], got \(images.shape)")
    let (count, channels, height, width) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
    require(count >= 1, "makeImageGrid: expected at least one image, got \(images.shape)")
    require(channels == 1 || channels == 3, "makeImageGrid: expected 1 or 3 channels, got \(channels)")
    require(columns >= 1, "makeImageGrid: columns must be at least 1, got \(columns)")
    require(padding >= 0, "makeImageGrid: padding must not be negative, got \(padding)")

    let gridColumns = min(columns, count)
    let gridRows = (count + gridColumns - 1) / gridColumns
    let cellWidth = width + padding
    let cellHeight = height + padding
    let outWidth = gridColumns * cellWidth + padding
    let outHeight = gridRows * cellHeight + padding
    var pixels = [UInt8](repeating: pixelRange.byte(padValue ?? pixelRange.lowerBound), count: outWidth * outHeight * channels)

    let plane = height * width
    images.withUnsafeBufferPointer { source in
        pixels.withUnsafeMutableBufferPointer { out in
            for index in 0..<count {
                let left = (index % gridColumns) * cellWidth + padding
                let top = (index / gridColumns) * cellHeight + padding
                let imageBase = index * channels * plane
                for y in 0..<height {
                    let outRow = ((top + y) * outWidth + left) * channels
                    for x in 0..<width {
                        for c in 0..<channels {
                            out[outRow + x * channels + c] = pixelRange.byte(source[imageBase + c * plane + y * width + x])
                        }
                    }
                }
            }
        }
    }
    return RasterImage(width: outWidth, height: outHeight, channels: channels, pixels: pixels)
}

/// Tiles images with `makeImageGrid` and writes the grid as a PNG file, atomically.
/// - Parameters:
///   - images: `[N, C, H, W]`, `C` 1 or 3, values in `pixelRange`.
///   - columns: Images per row.
///   - padding: Pixels between and around images.
///   - pixelRange: The scale of `images`: `[-1, 1]` (default) or `[0, 1]`.
///   - url: The destination `.png` file (its directory must exist).
/// - Throws: `PNGError` if the file cannot be written.
public func saveImageGrid(_ images: Tensor, columns: Int = 8, padding: Int = 2,
                          pixelRange: PixelRange = .minusOneToOne, to url: URL) throws {
    try makeImageGrid(images, columns: columns, padding: padding, pixelRange: pixelRange).writePNG(to: url)
}
