/// Matrix products on tensors: `C = α·op(A)·op(B) + β·C`, where `op` optionally transposes.
///
/// ``gemm(_:transposed:_:transposed:into:alpha:beta:)`` hands the raw buffers to
/// the active ``Backend`` (a CBLAS library, Accelerate, or the built-in kernel).
/// The layers call the backend directly on their raw buffers, except where
/// GANKit's own kernel beats it: on an AVX-512 CPU, Dense layers at training
/// batch sizes (``DenseProducts``) and the convolutions' forward and
/// input-gradient products (``convolutionProduct(transposeA:m:n:k:a:lda:b:ldb:c:ldc:)``)
/// run on the unpacked kernel `gk_sgemm_unpacked` instead.

/// Writes `alpha · op(a) · op(b) + beta · c` into `c`.
///
/// `a` and `b` are read as matrices: their first axis is the rows and the
/// remaining axes are flattened into the columns (so `[N, C, H, W]` is an
/// `N × CHW` matrix). `op(a)` is `m × k`, `op(b)` is `k × n`, and `c` must
/// already hold `m · n` elements (its shape is kept).
/// - Precondition: inner dimensions agree and `c` holds `m · n` elements; the
///   message names all three shapes.
public func gemm(_ a: Tensor, transposed transposeA: Bool = false,
                 _ b: Tensor, transposed transposeB: Bool = false,
                 into c: inout Tensor, alpha: Float = 1, beta: Float = 0) {
    let (aRows, aColumns) = matrixDimensions(a)
    let (bRows, bColumns) = matrixDimensions(b)
    let m = transposeA ? aColumns : aRows
    let k = transposeA ? aRows : aColumns
    let kB = transposeB ? bColumns : bRows
    let n = transposeB ? bRows : bColumns
    require(k == kB && c.count == m * n,
            "gemm: op(A) \(a.shape)\(transposeA ? "ᵀ" : "") × op(B) \(b.shape)\(transposeB ? "ᵀ" : "") "
            + "does not fit C \(c.shape) (need inner dimensions equal and C with \(m)×\(n) elements)")
    a.withUnsafeBufferPointer { aBuffer in
        b.withUnsafeBufferPointer { bBuffer in
            c.withUnsafeMutableBufferPointer { cBuffer in
                Backend.current.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                     a: aBuffer.baseAddress!, lda: aColumns,
                                     b: bBuffer.baseAddress!, ldb: bColumns,
                                     beta: beta, c: cBuffer.baseAddress!, ldc: n)
            }
        }
    }
}

/// Returns `op(a) · op(b)` as a new `[m, n]` tensor.
public func matmul(_ a: Tensor, transposed transposeA: Bool = false,
                   _ b: Tensor, transposed transposeB: Bool = false) -> Tensor {
    let m = transposeA ? matrixDimensions(a).columns : matrixDimensions(a).rows
    let n = transposeB ? matrixDimensions(b).rows : matrixDimensions(b).columns
    var c = Tensor(zeros: [m, n])
    gemm(a, transposed: transposeA, b, transposed: transposeB, into: &c)
    return c
}

/// Rows = first axis, columns = product of the rest (a rank-1 tensor is one row).
private func matrixDimensions(_ t: Tensor) -> (rows: Int, columns: Int) {
    require(t.rank >= 1, "gemm: expected a matrix (rank ≥ 1), got a scalar of shape \(t.shape)")
    return t.rank == 1 ? (1, t.shape[0]) : (t.shape[0], t.shape.elementsPerItem)
}

extension Backend {
    /// The built-in kernel, whatever ``GANKit/backend`` is: lets gankit-bench
    /// time it next to the system BLAS in one process. Not part of the API a
    /// model needs: `@_spi(Benchmarking) import GANKit` to use it.
    @_spi(Benchmarking)
    public static var builtinKernel: Backend { builtin }

    /// Writes `alpha · op(a) · op(b) + beta · c` into `c` with this backend
    /// (``gemm(_:transposed:_:transposed:into:alpha:beta:)`` always uses the active one).
    public func gemm(_ a: Tensor, transposed transposeA: Bool = false, _ b: Tensor, transposed transposeB: Bool = false,
                     into c: inout Tensor, alpha: Float = 1, beta: Float = 0) {
        let (aRows, aColumns) = matrixDimensions(a)
        let (bRows, bColumns) = matrixDimensions(b)
        let m = transposeA ? aColumns : aRows, k = transposeA ? aRows : aColumns
        let n = transposeB ? bRows : bColumns
        require(k == (transposeB ? bColumns : bRows) && c.count == m * n,
                "Backend.gemm: op(A) \(a.shape) × op(B) \(b.shape) does not fit C \(c.shape)")
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                         a: aBuffer.baseAddress!, lda: aColumns, b: bBuffer.baseAddress!, ldb: bColumns,
                         beta: beta, c: cBuffer.baseAddress!, ldc: n)
                }
            }
        }
    }
}

/// The operands of one `gemm` call (row-major, see ``Backend/gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``)
/// as a value a ``ParallelKernel`` can carry to the pool's threads.
struct GEMMOperands: Sendable {
    let transposeA: Bool, transposeB: Bool
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: SendablePointer<Float>, lda: Int
    let b: SendablePointer<Float>, ldb: Int
    let beta: Float
    let c: SendablePointer<Float>, ldc: Int
}
