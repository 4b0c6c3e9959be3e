import CGANKitKernels

/// `C = op(A)·B` for a convolution chunk's products: on GANKit's unpacked
/// AVX-512 kernel (`gk_sgemm_unpacked`, see ``DenseProducts``) when the CPU has
/// it, else through the active ``Backend``. Inside a pool chunk (the usual case:
/// the convolutions run one chunk of images per thread) it runs on that thread;
/// called outside one (a single chunk, e.g. one image) a large product is split
/// over the threads. The choice of kernel depends only on the CPU, so the bits do
/// not depend on whether the pool was free.
///
/// `op(A)` is `m × k`: `a[i·lda + p]`, or `a[p·lda + i]` when `transposeA`; B is
/// `k × n` with row stride `ldb`; C is `m × n` with row stride `ldc`, overwritten.
/// Used for the forward and input-gradient products (weights broadcast from their
/// rows, the columns matrix read as vectors); see
/// ``convolutionWeightGradient(outputs:patchSize:width:gradient:beta:into:patches:)``
/// for the weight gradient. Measured on the DCGAN
/// against OpenBLAS for these products (alternating `gankit-bench --only` runs):
/// dcgan@64 25.4 → 26.6 steps/s on 2 threads and 14.0 → 14.5 on 1, dcgan@256
/// 6.3 → 6.4 and 3.4 → 3.5.
func convolutionProduct(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if gk_unpacked_available() != 0 {
        DenseProducts.run(UnpackedProduct(rows: m, columns: n, depth: k, a: SendablePointer(a),
                                          aRowStride: transposeA ? 1 : lda, aDepthStride: transposeA ? lda : 1,
                                          b: SendablePointer(b), ldb: ldb, beta: 0, c: SendablePointer(c), ldc: ldc,
                                          transposedC: false))
    } else {
        Backend.current.gemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1,
                             a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: ldc)
    }
}

/// How a group's patches are laid out for its weight-gradient product.
enum PatchLayout {
    /// `[patchSize, width]`, as ``im2col(_:_:columns:rowStride:)`` writes them (rows `width` apart).
    case columns
    /// `[width, patchSize]`, as ``im2row(_:_:rows:)`` writes them: one patch per position.
    case rows
}

/// A convolution group's weight gradient `dW[m, patchSize] = dy[m, width] · patchesᵀ + β·dW`,
/// where `patches` (`patchSize·width` floats) returns where it put the group's patches,
/// in the layout it is given.
///
/// On the unpacked kernel the patches are rows (B read as vectors along the patch, the
/// gradient broadcast from its rows), so neither operand is copied into tile order as a
/// BLAS does with its packing; the columns layout goes to the active ``Backend``. Both sum
/// each element in a fixed order, so the bits depend on the CPU only, as in
/// ``convolutionProduct(transposeA:m:n:k:a:lda:b:ldb:c:ldc:)``. Measured on the DCGAN
/// against the backend (alternating `gankit-bench --only dcgan@64`, built-in backend):
/// 7.63 → 7.94 steps/s on 1 thread, 13.3 → 14.5 on 2; the packed product had run at
/// about 65 % of the FMA peak on the 64 → 128 layer's 245-deep groups.
func convolutionWeightGradient(outputs m: Int, patchSize k: Int, width: Int, gradient a: UnsafePointer<Float>,
                               beta: Float, into c: UnsafeMutablePointer<Float>,
                               patches: (PatchLayout) -> UnsafePointer<Float>) {
    if gk_unpacked_available() != 0 {
        let rows = patches(.rows)
        DenseProducts.run(UnpackedProduct(rows: m, columns: k, depth: width, a: SendablePointer(a), aRowStride: width,
                                          aDepthStride: 1, b: SendablePointer(rows), ldb: k,
                                          beta: beta, c: SendablePointer(c), ldc: k, transposedC: false))
    } else {
        Backend.current.gemm(transposeA: false, transposeB: true, m: m, n: k, k: width, alpha: 1, a: a, lda: width,
                             b: patches(.columns), ldb: width, beta: beta, c: c, ldc: k)
    }
}
