import Foundation

/// An 8-bit image in memory: rows top to bottom, pixels left to right,
/// `channels` interleaved bytes per pixel (1 gray, 3 RGB, 4 RGBA; 2, gray +
/// alpha, only comes from `PNG.decode` and cannot be written).
public struct RasterImage: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Bytes per pixel: 1 (gray), 3 (RGB) or 4 (RGBA); 2 (gray + alpha) for decoded PNGs.
    public var channels: Int
    /// `width · height · channels` bytes, row-major.
    public var pixels: [UInt8]

    /// Creates an image from its pixels.
    /// - Precondition: `pixels.count == width · height · channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        require(width >= 0 && height >= 0 && channels >= 1,
                "RasterImage: expected width, height ≥ 0 and channels ≥ 1, got \(width)×\(height)×\(channels)")
        require(pixels.count == width * height * channels,
                "RasterImage: expected \(width)×\(height)×\(channels) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The bytes of pixel (`x`, `y`), one per channel.
    /// - Precondition: the pixel lies inside the image.
    public func pixel(x: Int, y: Int) -> ArraySlice<UInt8> {
        require(x >= 0 && x < width && y >= 0 && y < height, "RasterImage: pixel (\(x), \(y)) outside \(width)×\(height)")
        let start = (y * width + x) * channels
        return pixels[start..<(start + channels)]
    }

    /// Encodes the image as PNG and writes it atomically to `url`.
    /// - Throws: `PNGError`.
    public func writePNG(to url: URL) throws {
        try PNG.write(width: width, height: height, channels: channels, pixels: pixels, to: url)
    }
}

/// Why an image could not be encoded or written as PNG.
public enum PNGError: Error, Equatable, CustomStringConvertible {
    /// Width or height is zero, negative, or above the PNG limit of 2³¹ − 1.
    case invalidSize(width: Int, height: Int)
    /// Channels other than 1, 3 or 4.
    case unsupportedChannels(Int)
    /// The pixel buffer does not hold `width · height · channels` bytes.
    case pixelCountMismatch(expected: Int, found: Int)
    /// zlib failed to compress the image data.
    case compressionFailed(String)
    /// Writing the file failed.
    case writeFailed(file: String, reason: String)

    /// A one-line explanation with the expected and found values.
    public var description: String {
        switch self {
        case .invalidSize(let width, let height):
            return "PNG: invalid size \(width)×\(height); both must be in 1...\(Int32.max)"
        case .unsupportedChannels(let channels):
            return "PNG: unsupported channel count \(channels); expected 1 (gray), 3 (RGB) or 4 (RGBA)"
        case .pixelCountMismatch(let expected, let found):
            return "PNG: expected \(expected) pixel bytes, found \(found)"
        case .compressionFailed(let reason):
            return "PNG: compression failed: \(reason)"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write PNG: \(reason)"
        }
    }
}

/// A minimal PNG encoder: 8-bit gray, RGB or RGBA, no interlacing.
///
/// Each row gets the PNG filter (None, Sub, Up, Average or Paeth) with the
/// smallest sum of absolute filtered values, the usual heuristic; the
/// filtered rows are zlib-compressed into one IDAT chunk.
public enum PNG {
    /// The 8-byte PNG signature.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Encodes pixels as a PNG file.
    /// - Parameters:
    ///   - width: Pixels per row (≥ 1).
    ///   - height: Rows (≥ 1).
    ///   - channels: 1 (gray), 3 (RGB) or 4 (RGBA).
    ///   - pixels: `width · height · channels` bytes, rows top to bottom.
    /// - Returns: The bytes of the PNG file.
    /// - Throws: `PNGError` for invalid sizes or channel counts.
    public static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws -> [UInt8] {
        guard width >= 1, height >= 1, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw PNGError.invalidSize(width: width, height: height)
        }
        let colorType: UInt8
        switch channels {
        case 1: colorType = 0
        case 3: colorType = 2
        case 4: colorType = 6
        default: throw PNGError.unsupportedChannels(channels)
        }
        let (rowBytes, overflowRow) = width.multipliedReportingOverflow(by: channels)
        let (total, overflowTotal) = rowBytes.multipliedReportingOverflow(by: height)
        guard !overflowRow, !overflowTotal, total == pixels.count else {
            throw PNGError.pixelCountMismatch(expected: overflowRow || overflowTotal ? -1 : total, found: pixels.count)
        }

        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, colorType, 0, 0, 0]  // bit depth, color type, compression, filter, interlace

        let filtered = filterRows(pixels, rowBytes: rowBytes, height: height, bytesPerPixel: channels)
        let compressed: [UInt8]
        do { compressed = try Gzip.deflate(filtered, format: .zlib, level: 6) } catch {
            throw PNGError.compressionFailed("\(error)")
        }

        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", compressed, to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Encodes pixels as PNG and writes them atomically (temporary file, then rename).
    /// - Parameters: as for `encode`, plus the destination `url`.
    /// - Throws: `PNGError`.
    public static func write(width: Int, height: Int, channels: Int, pixels: [UInt8], to url: URL) throws {
        let bytes = try encode(width: width, height: height, channels: channels, pixels: pixels)
        do { try AtomicFile.write(bytes, to: url) } catch {
            throw PNGError.writeFailed(file: url.path, reason: error.reason)
        }
    }

    /// Appends length, type, data and CRC (over type and data).
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        file += bigEndian(UInt32(data.count))
        file += typeBytes
        file += data
        file += bigEndian(Gzip.crc32(data, initial: Gzip.crc32(typeBytes)))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// Prefixes each row with its filter type and filters it (adaptive choice).
    static func filterRows(_ pixels: [UInt8], rowBytes: Int, height: Int, bytesPerPixel bpp: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (rowBytes + 1) * height)
        let zeroRow = [UInt8](repeating: 0, count: rowBytes)
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        var best = [UInt8](repeating: 0, count: rowBytes)
        for y in 0..<height {
            var bestType: UInt8 = 0
            var bestScore = Int.max
            for type in UInt8(0)...4 {
                let score = pixels.withUnsafeBufferPointer { px in
                    zeroRow.withUnsafeBufferPointer { zeros in
                        candidate.withUnsafeMutableBufferPointer { target in
                            let row = UnsafeBufferPointer(rebasing: px[(y * rowBytes)..<((y + 1) * rowBytes)])
                            let above = y == 0 ? zeros : UnsafeBufferPointer(rebasing: px[((y - 1) * rowBytes)..<(y * rowBytes)])
                            var score = 0
                            for i in 0..<rowBytes {
                                let a = i >= bpp ? row[i - bpp] : 0
                                let c = i >= bpp ? above[i - bpp] : 0
                                let value = row[i] &- predictor(type, a: a, b: above[i], c: c)
                                target[i] = value
                                score += Int(Int8(bitPattern: value).magnitude)
                            }
                            return score
                        }
                    }
                }
                if score < bestScore {
                    bestScore = score
                    bestType = type
                    swap(&best, &candidate)
                }
            }
            let start = y * (rowBytes + 1)
            out[start] = bestType
            out.replaceSubrange((start + 1)..<(start + 1 + rowBytes), with: best)
        }
        return out
    }

    /// The PNG filter predictor: `a` left, `b` above, `c` upper-left.
    @inline(__always)
    static func predictor(_ type: UInt8, a: UInt8, b: UInt8, c: UInt8) -> UInt8 {
        switch type {
        case 1: return a
        case 2: return b
        case 3: return UInt8((Int(a) + Int(b)) / 2)
        case 4:
            let p = Int(a) + Int(b) - Int(c)
            let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
            if pa <= pb && pa <= pc { return a }
            return pb <= pc ? b : c
        default: return 0
        }
    }
}
