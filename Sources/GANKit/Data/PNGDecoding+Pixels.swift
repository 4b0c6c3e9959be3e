// PNG pixel decoding: inflate the IDAT stream to exactly the expected size,
// undo the scanline filters, unpack samples to 8 bits, expand palettes, and
// scatter Adam7 passes into place.

/// One reduced image of the scanline data: the whole image, or an Adam7 pass.
struct PNGPass {
    /// Position of the pass's first pixel and the step between its pixels.
    let x0: Int, y0: Int, dx: Int, dy: Int
    /// The pass's size in pixels (both ≥ 1).
    let width: Int, height: Int

    /// The passes of an image: one, or the non-empty Adam7 passes in order.
    static func passes(for header: PNGHeader) -> [PNGPass] {
        guard header.interlaced else {
            return [PNGPass(x0: 0, y0: 0, dx: 1, dy: 1, width: header.width, height: header.height)]
        }
        let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        return adam7.compactMap { x0, y0, dx, dy in
            let width = header.width > x0 ? (header.width - x0 + dx - 1) / dx : 0
            let height = header.height > y0 ? (header.height - y0 + dy - 1) / dy : 0
            return width > 0 && height > 0 ? PNGPass(x0: x0, y0: y0, dx: dx, dy: dy, width: width, height: height) : nil
        }
    }
}

extension PNGChunks {
    /// Channels of the decoded image: gray 1, gray + alpha 2, RGB 3, RGBA 4; palette 3, or 4 with tRNS.
    var outputChannels: Int {
        header.colorType == 3 ? (paletteAlpha == nil ? 3 : 4) : header.samplesPerPixel
    }

    /// Inflates, unfilters and unpacks the image data into 8-bit interleaved samples.
    func decodePixels() throws -> RasterImage {
        let passes = PNGPass.passes(for: header)
        let expected = passes.reduce(0) { $0 + $1.height * (1 + header.rowBytes(width: $1.width)) }
        var data = try inflateImageData(expectedCount: expected)

        let channels = outputChannels
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * channels)
        var samples = [UInt8](repeating: 0, count: header.width * header.samplesPerPixel)
        var rowIndex = 0
        var passStart = 0
        for pass in passes {
            let rowBytes = header.rowBytes(width: pass.width)
            try data.withUnsafeMutableBufferPointer { buffer in
                try unfilter(buffer.baseAddress! + passStart, rows: pass.height, rowBytes: rowBytes, firstRow: rowIndex)
            }
            for y in 0..<pass.height {
                data.withUnsafeBufferPointer { buffer in
                    samples.withUnsafeMutableBufferPointer { out in
                        unpack(buffer.baseAddress! + passStart + y * (rowBytes + 1) + 1, width: pass.width,
                               into: out.baseAddress!)
                    }
                }
                try store(samples, pass: pass, y: y, channels: channels, into: &pixels)
            }
            rowIndex += pass.height
            passStart += pass.height * (rowBytes + 1)
        }
        return RasterImage(width: header.width, height: header.height, channels: channels, pixels: pixels)
    }

    /// The inflated IDAT stream, which must be exactly `expectedCount` bytes long.
    private func inflateImageData(expectedCount: Int) throws -> [UInt8] {
        do {
            let stream = try InflateStream(imageData)
            let data = try stream.read(maxCount: expectedCount)
            guard data.count == expectedCount else {
                throw PNGDecodingError.imageDataLength(file: file, expected: expectedCount, found: "\(data.count)")
            }
            let extra = try stream.skipRemaining(limit: 1 << 20)
            guard extra == 0 else {
                let more = extra > 1 << 20 ? "more than \(expectedCount + (1 << 20))" : "\(expectedCount + extra)"
                throw PNGDecodingError.imageDataLength(file: file, expected: expectedCount, found: more)
            }
            return data
        } catch let error as CompressionError {
            throw PNGDecodingError.corruptImageData(file: file, reason: error.description)
        }
    }

    /// Undoes the filters of `rows` scanlines (each a filter byte and `rowBytes` bytes) in place.
    private func unfilter(_ start: UnsafeMutablePointer<UInt8>, rows: Int, rowBytes: Int, firstRow: Int) throws {
        let bpp = header.filterStride
        var previous: UnsafeMutablePointer<UInt8>?
        for row in 0..<rows {
            let line = start + row * (rowBytes + 1)
            let current = line + 1
            switch line[0] {
            case 0:
                break
            case 1:
                if rowBytes > bpp { for i in bpp..<rowBytes { current[i] &+= current[i - bpp] } }
            case 2:
                if let above = previous { for i in 0..<rowBytes { current[i] &+= above[i] } }
            case 3:
                for i in 0..<rowBytes {
                    let left = i >= bpp ? Int(current[i - bpp]) : 0
                    let up = previous.map { Int($0[i]) } ?? 0
                    current[i] &+= UInt8((left + up) / 2)
                }
            case 4:
                for i in 0..<rowBytes {
                    let a = i >= bpp ? current[i - bpp] : 0
                    let b = previous?[i] ?? 0
                    let c = i >= bpp ? previous?[i - bpp] ?? 0 : 0
                    current[i] &+= PNG.predictor(4, a: a, b: b, c: c)
                }
            default:
                throw PNGDecodingError.badFilterType(file: file, row: firstRow + row, found: line[0])
            }
            previous = current
        }
    }

    /// Unpacks one unfiltered scanline into `samplesPerPixel` 8-bit samples per pixel
    /// (palette images: the raw index; low-depth gray: scaled to 0…255).
    private func unpack(_ row: UnsafePointer<UInt8>, width: Int, into out: UnsafeMutablePointer<UInt8>) {
        let depth = header.bitDepth
        switch depth {
        case 8:
            out.update(from: row, count: width * header.samplesPerPixel)
        case 16:
            for i in 0..<(width * header.samplesPerPixel) { out[i] = row[2 * i] }
        default:
            let mask = (1 << depth) - 1
            let scale = header.colorType == 3 ? 1 : 255 / mask
            for x in 0..<width {
                let bit = x * depth
                let value = (Int(row[bit >> 3]) >> (8 - depth - (bit & 7))) & mask
                out[x] = UInt8(value * scale)
            }
        }
    }

    /// Writes the unpacked samples of row `y` of `pass` into the image, expanding palette indices.
    private func store(_ samples: [UInt8], pass: PNGPass, y: Int, channels: Int, into pixels: inout [UInt8]) throws {
        let imageWidth = header.width
        let targetRow = (pass.y0 + y * pass.dy) * imageWidth
        if header.colorType != 3 {
            samples.withUnsafeBufferPointer { source in
                pixels.withUnsafeMutableBufferPointer { target in
                    for x in 0..<pass.width {
                        let to = (targetRow + pass.x0 + x * pass.dx) * channels
                        for c in 0..<channels { target[to + c] = source[x * channels + c] }
                    }
                }
            }
            return
        }
        let entries = palette.count / 3
        let alpha = paletteAlpha ?? []
        try samples.withUnsafeBufferPointer { source in
            try palette.withUnsafeBufferPointer { colours in
                try pixels.withUnsafeMutableBufferPointer { target in
                    for x in 0..<pass.width {
                        let index = Int(source[x])
                        guard index < entries else {
                            throw PNGDecodingError.paletteIndexOutOfRange(file: file, index: index, paletteSize: entries)
                        }
                        let to = (targetRow + pass.x0 + x * pass.dx) * channels
                        target[to] = colours[3 * index]
                        target[to + 1] = colours[3 * index + 1]
                        target[to + 2] = colours[3 * index + 2]
                        if channels == 4 { target[to + 3] = index < alpha.count ? alpha[index] : 255 }
                    }
                }
            }
        }
    }
}
