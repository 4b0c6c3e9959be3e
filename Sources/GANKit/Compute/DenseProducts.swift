import CGANKitKernels

/// The three matrix products of a ``Dense`` layer.
///
/// For the batch sizes of a training step (see ``forwardBatches`` and
/// ``gradientBatches``) on an AVX-512 CPU they run on GANKit's unpacked kernel
/// (`gk_sgemm_unpacked`), which reads the weights where they lie instead of
/// copying them into tile order on every call as a BLAS does; everything else
/// goes to the active ``Backend``. Each element of the result is one running
/// sum in order, so the bits do not depend on the thread split.
///
/// `gankit-bench` prints the layers' rates against the same products through
/// the backend ("Dense layers"; OpenBLAS 0.3.21 Cooperlake, one thread: forward
/// 1.02–1.42×, backward 0.95–1.11× on the MLP-GANs' layers). The batch limits come
/// from timing the products one by one against OpenBLAS on one thread: at 16
/// rows the forward ran 1.6×; at 256 the gradients still gained (1.02–1.09×) but
/// the forward lost (0.85–0.94×), as did a forward with 100 inputs (0.9×).
enum DenseProducts {
    /// Batch sizes whose forward product runs on the unpacked kernel.
    static let forwardBatches = 16...128
    /// Batch sizes whose gradient products run on the unpacked kernel.
    static let gradientBatches = 16...256
    /// The smallest input width for which the unpacked forward beat the BLAS.
    static let minimumForwardInputs = 128
    /// The smallest other dimension worth a register tile (6 rows × 16 columns).
    static let minimumWidth = 16
    /// Products of at least this many multiply–adds are split over the threads
    /// (the same size at which the BLAS products are split).
    static let splitThreshold = 1 << 20

    /// `y[batch, out] = x[batch, in] · w[out, in]ᵀ`. `scratch` holds `xᵀ`.
    static func forward(batch: Int, inFeatures: Int, outFeatures: Int, x: UnsafePointer<Float>,
                        w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, scratch: ScratchMemory) {
        guard usesUnpackedKernel(batch: batch, in: forwardBatches), inFeatures >= minimumForwardInputs,
              outFeatures >= minimumWidth else {
            Backend.current.gemm(transposeA: false, transposeB: true, m: batch, n: outFeatures, k: inFeatures, alpha: 1,
                                 a: x, lda: inFeatures, b: w, ldb: inFeatures, beta: 0, c: y, ldc: outFeatures)
            return
        }
        // yᵀ[out, batch] = w[out, in] · xᵀ[in, batch]: w broadcast row by row, xᵀ read as vectors.
        let transposed = scratch.pointer(count: inFeatures * batch)
        let transpose = Transpose(rows: batch, columns: inFeatures, source: SendablePointer(x),
                                  target: SendablePointer(transposed))
        run(transpose, units: transpose.units, multiplyAdds: batch * inFeatures * outFeatures)
        run(UnpackedProduct(rows: outFeatures, columns: batch, depth: inFeatures,
                            a: SendablePointer(w), aRowStride: inFeatures, aDepthStride: 1,
                            b: SendablePointer(UnsafePointer(transposed)), ldb: batch,
                            beta: 0, c: SendablePointer(y), ldc: outFeatures, transposedC: true))
    }

    /// `dx[batch, in] = dy[batch, out] · w[out, in]`.
    static func inputGradient(batch: Int, inFeatures: Int, outFeatures: Int, dy: UnsafePointer<Float>,
                              w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        guard usesUnpackedKernel(batch: batch, in: gradientBatches), inFeatures >= minimumWidth,
              outFeatures >= minimumWidth else {
            Backend.current.gemm(transposeA: false, transposeB: false, m: batch, n: inFeatures, k: outFeatures,
                                 alpha: 1, a: dy, lda: outFeatures, b: w, ldb: inFeatures, beta: 0, c: dx,
                                 ldc: inFeatures)
            return
        }
        run(UnpackedProduct(rows: batch, columns: inFeatures, depth: outFeatures,
                            a: SendablePointer(dy), aRowStride: outFeatures, aDepthStride: 1,
                            b: SendablePointer(w), ldb: inFeatures,
                            beta: 0, c: SendablePointer(dx), ldc: inFeatures, transposedC: false))
    }

    /// `dw[out, in] = dy[batch, out]ᵀ · x[batch, in] + beta · dw` (`beta` 0 or 1).
    static func weightGradient(batch: Int, inFeatures: Int, outFeatures: Int, dy: UnsafePointer<Float>,
                               x: UnsafePointer<Float>, beta: Float, dw: UnsafeMutablePointer<Float>) {
        guard usesUnpackedKernel(batch: batch, in: gradientBatches), inFeatures >= minimumWidth,
              outFeatures >= minimumWidth else {
            Backend.current.gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: batch,
                                 alpha: 1, a: dy, lda: outFeatures, b: x, ldb: inFeatures, beta: beta, c: dw,
                                 ldc: inFeatures)
            return
        }
        // dyᵀ(r, p) = dy[p, r]: rows step by 1, depth by a row of dy.
        run(UnpackedProduct(rows: outFeatures, columns: inFeatures, depth: batch,
                            a: SendablePointer(dy), aRowStride: 1, aDepthStride: outFeatures,
                            b: SendablePointer(x), ldb: inFeatures,
                            beta: beta, c: SendablePointer(dw), ldc: inFeatures, transposedC: false))
    }

    private static func usesUnpackedKernel(batch: Int, in batches: ClosedRange<Int>) -> Bool {
        batches.contains(batch) && gk_unpacked_available() != 0
    }

    /// Runs `product` on the pool when it is large enough to split, else here (also
    /// inside a pool chunk, where `parallelFor` runs the pieces in order): the bits
    /// are the same either way.
    static func run(_ product: UnpackedProduct) {
        run(product, units: product.units, multiplyAdds: product.rows * product.columns * product.depth)
    }

    /// Runs `kernel` over `0..<units` on the pool when the product it serves has at
    /// least ``splitThreshold`` multiply–adds, else on this thread.
    private static func run<Kernel: ParallelKernel>(_ kernel: Kernel, units: Int, multiplyAdds: Int) {
        if Parallelism.threadCount > 1 && multiplyAdds >= splitThreshold {
            parallelFor(units, chunksPerThread: balancedChunksPerThread, kernel)
        } else {
            kernel.run(0..<units)
        }
    }
}

/// `target[columns, rows] = source[rows, columns]ᵀ`, split over blocks of 8 source columns.
private struct Transpose: ParallelKernel {
    let rows: Int, columns: Int
    let source: SendablePointer<Float>, target: SendablePointer<Float>

    static let blockColumns = 8
    var units: Int { (columns + Self.blockColumns - 1) / Self.blockColumns }

    func run(_ range: Range<Int>) {
        let first = range.lowerBound * Self.blockColumns, end = min(columns, range.upperBound * Self.blockColumns)
        gk_transpose(rows, end - first, source.pointer + first, columns, target.pointer + first * rows)
    }
}

/// One `gk_sgemm_unpacked` product, split over threads along the dimension of
/// its larger operand (A's rows, or B's columns) so each thread reads its own
/// part of it: units are 6-row tiles or 16-column vectors (64-column units
/// split 784 columns 448 : 336).
struct UnpackedProduct: ParallelKernel {
    let rows: Int, columns: Int, depth: Int
    let a: SendablePointer<Float>, aRowStride: Int, aDepthStride: Int
    let b: SendablePointer<Float>, ldb: Int
    let beta: Float
    let c: SendablePointer<Float>, ldc: Int
    let transposedC: Bool

    static let tileRows = 6, blockColumns = 16

    /// Splits rows when A (rows × depth) is at least as large as B (depth × columns).
    var splitsRows: Bool { rows >= columns }
    var units: Int {
        splitsRows ? (rows + Self.tileRows - 1) / Self.tileRows : (columns + Self.blockColumns - 1) / Self.blockColumns
    }

    func run(_ range: Range<Int>) {
        if splitsRows {
            let first = range.lowerBound * Self.tileRows, end = min(rows, range.upperBound * Self.tileRows)
            let cStart = transposedC ? first : first * ldc
            gk_sgemm_unpacked(end - first, columns, depth, 1, a.pointer + first * aRowStride, aRowStride, aDepthStride,
                              b.pointer, ldb, beta, c.pointer + cStart, ldc, transposedC ? 1 : 0)
        } else {
            let first = range.lowerBound * Self.blockColumns, end = min(columns, range.upperBound * Self.blockColumns)
            let cStart = transposedC ? first * ldc : first
            gk_sgemm_unpacked(rows, end - first, depth, 1, a.pointer, aRowStride, aDepthStride,
                              b.pointer + first, ldb, beta, c.pointer + cStart, ldc, transposedC ? 1 : 0)
        }
    }
}
