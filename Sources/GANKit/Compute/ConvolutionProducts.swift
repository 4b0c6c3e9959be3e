import CGANKitKernels

/// `C = op(A)·B` for a convolution chunk's products: on GANKit's unpacked
/// AVX-512 kernel (`gk_sgemm_unpacked`, see ``DenseProducts``) when the CPU has
/// it and the product runs on a pool thread or with one thread allowed (the
/// convolutions already run one chunk of images per thread), else through the
/// active ``Backend``, which may split it over the threads (a batch of one image).
///
/// `op(A)` is `m × k`: `a[i·lda + p]`, or `a[p·lda + i]` when `transposeA`; B is
/// `k × n` with row stride `ldb`; C is `m × n` with row stride `ldc`, overwritten.
/// Used for the forward and input-gradient products (weights broadcast from their
/// rows, the columns matrix read as vectors); the weight gradient, which would
/// read the columns transposed, stays with the backend. Measured on the DCGAN
/// against OpenBLAS for these products (alternating `gankit-bench --only` runs):
/// dcgan@64 25.4 → 26.6 steps/s on 2 threads and 14.0 → 14.5 on 1, dcgan@256
/// 6.3 → 6.4 and 3.4 → 3.5.
func convolutionProduct(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if gk_unpacked_available() != 0 && (gk_pool_inside() != 0 || Parallelism.threadCount == 1) {
        gk_sgemm_unpacked(m, n, k, 1, a, transposeA ? 1 : lda, transposeA ? lda : 1, b, ldb, 0, c, ldc, 0)
    } else {
        Backend.current.gemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1,
                             a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: ldc)
    }
}
