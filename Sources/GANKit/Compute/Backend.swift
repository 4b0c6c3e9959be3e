/// Which matrix-multiplication engine GANKit uses in this process.
///
/// Placeholder until the BLAS loader lands: always the built-in kernel.
public struct Backend: Sendable, CustomStringConvertible {
    /// A short human description, e.g. `OpenBLAS 0.3.21 (libopenblas.so.0, kernel Haswell)`.
    public let description: String

    /// The backend chosen for this process.
    static let current = Backend(description: "built-in")

    /// C = alpha·op(A)·op(B) + beta·C on row-major matrices.
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += av * bv
                }
                c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}

/// The matrix-multiplication backend active in this process (e.g. `print(GANKit.backend)`).
public var backend: Backend { Backend.current }
