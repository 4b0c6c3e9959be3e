// Matrix–vector and outer products for the built-in GEMM: when C is a single row
// (m == 1) or a single column (n == 1), packing would waste up to 6× (MR) or
// 8× (NR) of the work on zero padding, and the product is memory-bound anyway.
//
// Buffers, with x the vector operand (k values, stride incX) and y the row or
// column of C (`count` values, stride incY):
// - "axpy" form: matrix stored k × count, row p at `matrix + p·ld`, contiguous
//   along the output index: y[j] = alpha·Σₚ x[p]·M[p][j] + beta·y[j].
// - "dot" form: matrix stored count × k, row j at `matrix + j·ld`, contiguous
//   along p: y[j] = alpha·Σₚ M[j][p]·x[p] + beta·y[j].
// - outer product (k == 1): a is m values (stride incA), b is n values
//   (stride incB), C is m × n (stride ldc): C[i][j] = alpha·(a[i]·b[j]) + beta·C[i][j].
// Each output's sum runs in a fixed order, whatever the thread split.
extension BuiltinGEMM {
    /// Output values per block (and per `parallelFor` unit) in the axpy form:
    /// four `SIMD8` accumulators.
    static let vectorBlock = 32

    /// C = alpha·op(A)·op(B) + beta·C for m == 1 or n == 1; see ``gemm``.
    static func gemv(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 1 {
            // y = C's row (stride 1), x = op(A)'s row; op(B) is B (k × n: axpy) or Bᵀ (B is n × k: dot).
            let incX = transposeA ? lda : 1
            vectorProduct(axpy: !transposeB, matrix: b, ld: ldb, count: n, k: k, x: a, incX: incX,
                          alpha: alpha, beta: beta, y: c, incY: 1)
        } else {
            // y = C's column (stride ldc), x = op(B)'s column; op(A) is A (m × k: dot) or Aᵀ (A is k × m: axpy).
            let incX = transposeB ? 1 : ldb
            vectorProduct(axpy: transposeA, matrix: a, ld: lda, count: m, k: k, x: b, incX: incX,
                          alpha: alpha, beta: beta, y: c, incY: ldc)
        }
    }

    /// C = alpha·(op(A)'s column)·(op(B)'s row) + beta·C for k == 1: a rank-1
    /// update, all stores, where packing would only add copies (common in GANs:
    /// a bias broadcast as ones·biasᵀ).
    ///
    /// - a: m values at stride `incA`; b: n values at stride `incB`;
    ///   c: m × n, row stride `ldc`, not read when beta == 0.
    static func outerProduct(m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, incA: Int,
                             b: UnsafePointer<Float>, incB: Int, beta: Float,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        let minimumRows = max(1, minimumChunkFlops * 4 / (2 * n))
        parallelFor(m, minimumChunk: minimumRows, OuterProductRows(
            n: n, alpha: alpha, a: SendablePointer(a), incA: incA, b: SendablePointer(b), incB: incB,
            beta: beta, c: SendablePointer(c), ldc: ldc))
    }

    /// Splits the `count` outputs into static chunks of whole blocks over threads.
    ///
    /// A matrix–vector product is bound by memory bandwidth, not arithmetic
    /// (1×784×256 ran 37 GFLOP/s on one thread, 21 on two), so a chunk needs
    /// four times ``minimumChunkFlops`` before a second thread is woken.
    static func vectorProduct(axpy: Bool, matrix: UnsafePointer<Float>, ld: Int, count: Int, k: Int,
                              x: UnsafePointer<Float>, incX: Int, alpha: Float, beta: Float,
                              y: UnsafeMutablePointer<Float>, incY: Int) {
        let blocks = (count + vectorBlock - 1) / vectorBlock
        let flopsPerBlock = 2 * k * vectorBlock
        let minimumBlocks = max(1, (minimumChunkFlops * 4 + flopsPerBlock - 1) / flopsPerBlock)
        parallelFor(blocks, minimumChunk: minimumBlocks, VectorProductBlocks(
            axpy: axpy, matrix: SendablePointer(matrix), ld: ld, count: count, k: k, x: SendablePointer(x),
            incX: incX, alpha: alpha, beta: beta, y: SendablePointer(y), incY: incY))
    }

    /// y[j] = alpha·Σₚ x[p·incX]·M[p][j] + beta·y[j·incY] for j in `outputs`,
    /// 32 (then 8, then 1) outputs at a time.
    static func axpyForm(matrix: UnsafePointer<Float>, ld: Int, outputs: Range<Int>, k: Int,
                         x: UnsafePointer<Float>, incX: Int, alpha: Float, beta: Float,
                         y: UnsafeMutablePointer<Float>, incY: Int) {
        var j = outputs.lowerBound
        while j + vectorBlock <= outputs.upperBound {
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            for p in 0..<k {
                let xv = SIMD8(repeating: x[p * incX])
                let row = UnsafeRawPointer(matrix + p * ld + j)
                s0 += xv * row.loadUnaligned(as: SIMD8<Float>.self)
                s1 += xv * row.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                s2 += xv * row.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                s3 += xv * row.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            }
            writeOutputs((s0, s1, s2, s3), count: vectorBlock, to: y + j * incY, incY: incY, alpha: alpha, beta: beta)
            j += vectorBlock
        }
        while j + 8 <= outputs.upperBound {
            var s0 = SIMD8<Float>()
            for p in 0..<k {
                s0 += SIMD8(repeating: x[p * incX]) * UnsafeRawPointer(matrix + p * ld + j).loadUnaligned(as: SIMD8<Float>.self)
            }
            writeOutputs(s0, count: 8, to: y + j * incY, incY: incY, alpha: alpha, beta: beta)
            j += 8
        }
        while j < outputs.upperBound {
            var sum: Float = 0
            for p in 0..<k { sum += x[p * incX] * matrix[p * ld + j] }
            writeOutputs(sum, count: 1, to: y + j * incY, incY: incY, alpha: alpha, beta: beta)
            j += 1
        }
    }

    /// Writes `count` sums (the first floats of `sums`, a trivial value) as
    /// y[i·incY] = alpha·sum + beta·y[i·incY], not reading y when beta == 0.
    @inline(__always)
    static func writeOutputs<Sums>(_ sums: Sums, count: Int, to y: UnsafeMutablePointer<Float>, incY: Int,
                                   alpha: Float, beta: Float) {
        withUnsafeBytes(of: sums) { raw in
            let values = raw.bindMemory(to: Float.self)
            for i in 0..<count {
                let target = y + i * incY
                target.pointee = beta == 0 ? alpha * values[i] : alpha * values[i] + beta * target.pointee
            }
        }
    }

    /// Σₚ row[p]·x[p·incX] over p < k, in a fixed order: four `SIMD8` partial
    /// sums over 32-value steps, combined pairwise, then the tail in order.
    @inline(__always)
    static func dot(_ row: UnsafePointer<Float>, _ x: UnsafePointer<Float>, incX: Int, k: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var p = 0
        if incX == 1 {
            while p + 32 <= k {
                let r = UnsafeRawPointer(row + p), v = UnsafeRawPointer(x + p)
                s0 += r.loadUnaligned(as: SIMD8<Float>.self) * v.loadUnaligned(as: SIMD8<Float>.self)
                s1 += r.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                    * v.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                s2 += r.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                    * v.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                s3 += r.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                    * v.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                p += 32
            }
        } else {
            while p + 8 <= k {
                var v = SIMD8<Float>()
                for i in 0..<8 { v[i] = x[(p + i) * incX] }
                s0 += UnsafeRawPointer(row + p).loadUnaligned(as: SIMD8<Float>.self) * v
                p += 8
            }
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while p < k {
            sum += row[p] * x[p * incX]
            p += 1
        }
        return sum
    }
}

/// Rows of C for ``BuiltinGEMM/outerProduct(m:n:alpha:a:incA:b:incB:beta:c:ldc:)``.
private struct OuterProductRows: ParallelKernel {
    let n: Int
    let alpha: Float
    let a: SendablePointer<Float>, incA: Int
    let b: SendablePointer<Float>, incB: Int
    let beta: Float
    let c: SendablePointer<Float>, ldc: Int

    func run(_ rows: Range<Int>) {
        let b = self.b.pointer
        for i in rows {
            let scale = SIMD8<Float>(repeating: a.pointer[i * incA])
            let row = UnsafeMutableRawPointer(c.pointer + i * ldc)
            var j = 0
            while j + 8 <= n {
                var bv = SIMD8<Float>()
                if incB == 1 {
                    bv = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD8<Float>.self)
                } else {
                    for lane in 0..<8 { bv[lane] = b[(j + lane) * incB] }
                }
                var value = alpha * (scale * bv)
                if beta != 0 {
                    value += beta * row.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
                }
                row.storeBytes(of: value, toByteOffset: j * 4, as: SIMD8<Float>.self)
                j += 8
            }
            let target = c.pointer + i * ldc
            while j < n {
                let product = alpha * (scale[0] * b[j * incB])
                target[j] = beta == 0 ? product : product + beta * target[j]
                j += 1
            }
        }
    }
}

/// Blocks of outputs for ``BuiltinGEMM/vectorProduct(axpy:matrix:ld:count:k:x:incX:alpha:beta:y:incY:)``.
private struct VectorProductBlocks: ParallelKernel {
    let axpy: Bool
    let matrix: SendablePointer<Float>, ld: Int
    let count: Int, k: Int
    let x: SendablePointer<Float>, incX: Int
    let alpha: Float, beta: Float
    let y: SendablePointer<Float>, incY: Int

    func run(_ blocks: Range<Int>) {
        let vectorBlock = BuiltinGEMM.vectorBlock
        let outputs = (blocks.lowerBound * vectorBlock)..<min(count, blocks.upperBound * vectorBlock)
        if axpy {
            BuiltinGEMM.axpyForm(matrix: matrix.pointer, ld: ld, outputs: outputs, k: k, x: x.pointer,
                                 incX: incX, alpha: alpha, beta: beta, y: y.pointer, incY: incY)
        } else {
            for j in outputs {
                let sum = BuiltinGEMM.dot(matrix.pointer + j * ld, x.pointer, incX: incX, k: k)
                let target = y.pointer + j * incY
                target.pointee = beta == 0 ? alpha * sum : alpha * sum + beta * target.pointee
            }
        }
    }
}
