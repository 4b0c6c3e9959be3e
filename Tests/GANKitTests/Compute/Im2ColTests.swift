import Testing
@testable import GANKit

/// im2col and col2im (three C paths: whole AVX-512 rows for widths ≤ 16, a per-tap
/// offset table for 4+ channels, plain row loops otherwise) and im2row (masked AVX-512
/// rows for kernels ≤ 16 wide, else element loops) against direct loops, at every
/// kernel level the CPU has. All are exact: the same bits at every level.
@Suite struct Im2ColTests {
    /// (channels, height, width, kernel, stride, padding), each pair (height, width).
    static let cases: [Im2ColCase] = [
        // Rows fit a vector: the DCGAN's 64 → 128 layer (channels cut to 6), odd shapes.
        geometry(channels: 6, size: (14, 14), kernel: (4, 4), stride: (2, 2), padding: (1, 1)),
        geometry(channels: 3, size: (7, 6), kernel: (3, 2), stride: (2, 1), padding: (1, 0)),
        geometry(channels: 2, size: (16, 16), kernel: (5, 5), stride: (1, 1), padding: (2, 2)),
        geometry(channels: 4, size: (9, 7), kernel: (3, 3), stride: (3, 2), padding: (0, 1)),
        // Wider than a vector with 4+ channels: the offset table.
        geometry(channels: 4, size: (8, 20), kernel: (3, 3), stride: (2, 2), padding: (1, 1)),
        geometry(channels: 5, size: (6, 17), kernel: (2, 4), stride: (1, 3), padding: (0, 2)),
        // Wider than a vector, few channels or too many (tap, position) pairs: row loops.
        geometry(channels: 1, size: (28, 28), kernel: (4, 4), stride: (2, 2), padding: (1, 1)),
        geometry(channels: 4, size: (20, 20), kernel: (5, 5), stride: (1, 1), padding: (2, 2)),
    ]

    static func geometry(channels: Int, size: (Int, Int), kernel: (Int, Int), stride: (Int, Int),
                         padding: (Int, Int)) -> Im2ColCase {
        Im2ColCase(g: ConvolutionGeometry(
            channels: channels, height: size.0, width: size.1, kernelHeight: kernel.0, kernelWidth: kernel.1,
            strideHeight: stride.0, strideWidth: stride.1, paddingHeight: padding.0, paddingWidth: padding.1,
            outputHeight: ConvolutionGeometry.convolutionOutputSize(size.0, kernel: kernel.0, stride: stride.0,
                                                                    padding: padding.0),
            outputWidth: ConvolutionGeometry.convolutionOutputSize(size.1, kernel: kernel.1, stride: stride.1,
                                                                   padding: padding.1)))
    }

    /// Calls `body(c, kh, kw, oh, ow, pixel)` for every column entry in im2col's order,
    /// with the image offset it reads (nil in the padding).
    static func forEachEntry(_ g: ConvolutionGeometry, _ body: (Int, Int, Int, Int, Int, Int?) -> Void) {
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    for oh in 0..<g.outputHeight {
                        for ow in 0..<g.outputWidth {
                            let ih = oh * g.strideHeight - g.paddingHeight + kh
                            let iw = ow * g.strideWidth - g.paddingWidth + kw
                            let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
                            body(c, kh, kw, oh, ow, inside ? (c * g.height + ih) * g.width + iw : nil)
                        }
                    }
                }
            }
        }
    }

    /// Every column entry equals the pixel it reads (0 in the padding), with the
    /// columns of a second image side by side (row stride twice the positions), and
    /// nothing outside its own columns is written.
    @Test(arguments: cases, KernelLevel.supported)
    func im2colCopiesEveryPatch(_ testCase: Im2ColCase, level: KernelLevel) {
        let g = testCase.g
        let image = (0..<g.imageSize).map { Float($0 % 23) - 11.5 }
        let stride = 2 * g.positions, sentinel: Float = -999
        var columns = [Float](repeating: sentinel, count: g.patchSize * stride)
        KernelLevel.withCap(level) {
            image.withUnsafeBufferPointer { x in
                columns.withUnsafeMutableBufferPointer {
                    im2col(x.baseAddress!, g, columns: $0.baseAddress!, rowStride: stride)
                }
            }
        }
        var expected = [Float](repeating: sentinel, count: g.patchSize * stride)
        Self.forEachEntry(g) { c, kh, kw, oh, ow, pixel in
            let row = (c * g.kernelHeight + kh) * g.kernelWidth + kw
            expected[row * stride + oh * g.outputWidth + ow] = pixel.map { image[$0] } ?? 0
        }
        #expect(columns == expected)
    }

    /// im2row writes im2col's columns transposed: one patch per output position, each
    /// entry the pixel it reads (0 in the padding), and nothing past the last patch.
    @Test(arguments: cases, KernelLevel.supported)
    func im2rowWritesEachPatchAsARow(_ testCase: Im2ColCase, level: KernelLevel) {
        let g = testCase.g
        let image = (0..<g.imageSize).map { Float($0 % 23) - 11.5 }
        let sentinel: Float = -999, count = g.positions * g.patchSize
        var rows = [Float](repeating: sentinel, count: count + 16)
        KernelLevel.withCap(level) {
            image.withUnsafeBufferPointer { x in
                rows.withUnsafeMutableBufferPointer { im2row(x.baseAddress!, g, rows: $0.baseAddress!) }
            }
        }
        var expected = [Float](repeating: sentinel, count: count + 16)
        Self.forEachEntry(g) { c, kh, kw, oh, ow, pixel in
            let entry = (c * g.kernelHeight + kh) * g.kernelWidth + kw
            expected[(oh * g.outputWidth + ow) * g.patchSize + entry] = pixel.map { image[$0] } ?? 0
        }
        #expect(rows == expected)
    }

    /// col2im adds every entry where im2col read it, in im2col's order, so the sums
    /// match a direct Float loop bit for bit; the image's previous contents are ignored.
    @Test(arguments: cases, KernelLevel.supported)
    func col2imAddsEveryEntryBack(_ testCase: Im2ColCase, level: KernelLevel) {
        let g = testCase.g
        let stride = g.positions + 3
        let columns = (0..<g.patchSize * stride).map { Float(($0 * 7) % 31) * 0.37 - 5 }
        var image = [Float](repeating: .nan, count: g.imageSize)
        KernelLevel.withCap(level) {
            columns.withUnsafeBufferPointer { cols in
                image.withUnsafeMutableBufferPointer {
                    col2im(cols.baseAddress!, g, image: $0.baseAddress!, rowStride: stride)
                }
            }
        }
        var expected = [Float](repeating: 0, count: g.imageSize)
        Self.forEachEntry(g) { c, kh, kw, oh, ow, pixel in
            guard let pixel else { return }
            expected[pixel] += columns[((c * g.kernelHeight + kh) * g.kernelWidth + kw) * stride + oh * g.outputWidth + ow]
        }
        #expect(image.map(\.bitPattern) == expected.map(\.bitPattern))
    }
}

/// A geometry, named in test output like `C6 14×14 k4×4 s2×2 p1×1`.
struct Im2ColCase: CustomTestStringConvertible, Sendable {
    let g: ConvolutionGeometry
    var testDescription: String {
        "C\(g.channels) \(g.height)×\(g.width) k\(g.kernelHeight)×\(g.kernelWidth) "
            + "s\(g.strideHeight)×\(g.strideWidth) p\(g.paddingHeight)×\(g.paddingWidth)"
    }
}
